import type { TicketKind } from '#core/ticket/ticket.ts';

/**
 * Every key of the single-table design, and nothing else. Item collections:
 *
 * | item            | pk                  | sk                        | gsi1 (requester)                         |
 * | --------------- | ------------------- | ------------------------- | ---------------------------------------- |
 * | ticket          | `TICKET#<id>`       | `#TICKET`                 | `REQUESTER#<email>` / `<updatedAt>#<id>` |
 * | article         | `TICKET#<id>`       | `ARTICLE#<at>#<articleId>`| —                                        |
 * | audit entry     | `TICKET#<id>`       | `AUDIT#<at>#<n>`          | —                                        |
 * | number → ticket | `NUMBER#<INC…>`     | `#NUMBER`                 | —                                        |
 * | counter         | `COUNTER#<kind>`    | `#COUNTER`                | —                                        |
 *
 * `#` sorts before letters and `ARTICLE` before `AUDIT`, so one Query with `sk < AUDIT#`
 * returns a ticket with its conversation and without its audit trail. gsi2 and gsi3 are
 * reserved for the assignee and group queues of the ticket engine.
 */
export const ticketKey = (id: string) => ({ pk: `TICKET#${id}`, sk: '#TICKET' });
export const articleKey = (ticketId: string, createdAt: string, articleId: string) => ({
  pk: `TICKET#${ticketId}`,
  sk: `ARTICLE#${createdAt}#${articleId}`,
});
export const auditKey = (ticketId: string, at: string, n: number) => ({
  pk: `TICKET#${ticketId}`,
  sk: `AUDIT#${at}#${String(n).padStart(4, '0')}`,
});
export const AUDIT_PREFIX = 'AUDIT#';
export const numberKey = (number: string) => ({ pk: `NUMBER#${number}`, sk: '#NUMBER' });
export const counterKey = (kind: TicketKind) => ({ pk: `COUNTER#${kind}`, sk: '#COUNTER' });
export const requesterIndexKeys = (email: string, updatedAt: string, id: string) => ({
  gsi1pk: `REQUESTER#${email}`,
  gsi1sk: `${updatedAt}#${id}`,
});
export const requesterPartition = (email: string) => `REQUESTER#${email}`;
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}` });

/** Keys that are not part of the record itself, stripped before a record is parsed. */
export const keyAttributes = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
] as const;

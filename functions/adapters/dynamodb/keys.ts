import { activeStates, type Ticket, type TicketKind } from '#core/ticket/ticket.ts';

/**
 * Every key of the ticket items, and nothing else.
 *
 * | item        | pk               | sk                         |
 * | ----------- | ---------------- | -------------------------- |
 * | ticket      | `TICKET#<id>`    | `#TICKET`                  |
 * | article     | `TICKET#<id>`    | `ARTICLE#<at>#<articleId>` |
 * | child link  | `TICKET#<id>`    | `CHILD#<childId>`          |
 * | audit entry | `TICKET#<id>`    | `~AUDIT#<at>#<n>`          |
 * | counter     | `COUNTER#<kind>` | `#COUNTER`                 |
 *
 * `#` sorts before letters and `~` after them, so one Query with `sk < ~` returns a ticket
 * with its conversation, attachments and child tickets, without its (long) audit trail.
 *
 * The ticket item carries the keys of every list it appears in (sort key `<updatedAt>#<id>`,
 * newest first when read backwards):
 *
 * | index | partition                                               | list                    |
 * | ----- | ------------------------------------------------------- | ----------------------- |
 * | gsi1  | `REQUESTER#<email>`                                     | my tickets              |
 * | gsi2  | `ASSIGNEE#<email>`, or `UNASSIGNED#<group>` while active | my work / unassigned    |
 * | gsi3  | `QUEUE#<group>#<state>`                                 | a group's queue by state |
 * | gsi4  | `NUMBER#<INC…>`                                         | lookup by number        |
 * | gsi5  | `AUTOCLOSE` (only while resolved), sort `<closeAt>#<id>` | due for auto-close      |
 */
export const AUDIT_PREFIX = '~AUDIT#';
export const ticketKey = (id: string) => ({ pk: `TICKET#${id}`, sk: '#TICKET' });
export const articleKey = (ticketId: string, createdAt: string, articleId: string) => ({
  pk: `TICKET#${ticketId}`,
  sk: `ARTICLE#${createdAt}#${articleId}`,
});
export const auditKey = (ticketId: string, at: string, n: number) => ({
  pk: `TICKET#${ticketId}`,
  sk: `${AUDIT_PREFIX}${at}#${String(n).padStart(4, '0')}`,
});
export const childKey = (parentId: string, childId: string) => ({
  pk: `TICKET#${parentId}`,
  sk: `CHILD#${childId}`,
});
export const counterKey = (kind: TicketKind) => ({ pk: `COUNTER#${kind}`, sk: '#COUNTER' });
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}` });

/** Group partition for tickets without an assignment group. */
export const NO_GROUP = '-';
export const AUTOCLOSE_PARTITION = 'AUTOCLOSE';

export const listPartitions = {
  requester: (email: string) => ({ index: 'gsi1', name: 'gsi1pk', value: `REQUESTER#${email}` }),
  assignee: (email: string) => ({ index: 'gsi2', name: 'gsi2pk', value: `ASSIGNEE#${email}` }),
  unassigned: (group: string) => ({ index: 'gsi2', name: 'gsi2pk', value: `UNASSIGNED#${group}` }),
  queue: (group: string, state: string) => ({
    index: 'gsi3',
    name: 'gsi3pk',
    value: `QUEUE#${group}#${state}`,
  }),
  number: (number: string) => ({ index: 'gsi4', name: 'gsi4pk', value: `NUMBER#${number}` }),
} as const;

/** The index keys of a ticket item: where the ticket appears, derived from the ticket alone. */
export function ticketIndexKeys(ticket: Ticket, autoCloseAt?: string): Record<string, string> {
  const sort = `${ticket.updatedAt}#${ticket.id}`;
  const group = ticket.assignmentGroup ?? NO_GROUP;
  const keys: Record<string, string> = {
    gsi1pk: listPartitions.requester(ticket.requester.email).value,
    gsi1sk: sort,
    gsi3pk: listPartitions.queue(group, ticket.state).value,
    gsi3sk: sort,
    gsi4pk: listPartitions.number(ticket.number).value,
    gsi4sk: '#',
  };
  if (ticket.assignee) {
    keys.gsi2pk = listPartitions.assignee(ticket.assignee.email).value;
    keys.gsi2sk = sort;
  } else if (activeStates.includes(ticket.state)) {
    keys.gsi2pk = listPartitions.unassigned(group).value;
    keys.gsi2sk = sort;
  }
  if (ticket.state === 'resolved' && autoCloseAt) {
    keys.gsi5pk = AUTOCLOSE_PARTITION;
    keys.gsi5sk = `${autoCloseAt}#${ticket.id}`;
  }
  return keys;
}

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
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
  'entity',
] as const;

/** The record without its keys and entity tag; zod then refuses anything else unexpected. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...item };
  for (const key of keyAttributes) delete copy[key];
  return copy;
}

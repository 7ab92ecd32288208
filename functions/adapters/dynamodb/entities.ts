import * as z from 'zod';
import { Attachment } from '#core/attachment/attachment.ts';
import { Group, GroupMember } from '#core/group/group.ts';
import { QuarantinedMail } from '#core/mail/quarantine.ts';
import { StoredLink } from '#core/record/record.ts';
import { RoutingConfig } from '#core/routing/routing-rules.ts';
import { Article, AuditEntry } from '#core/ticket/article.ts';
import { activeStates, Ticket } from '#core/ticket/ticket.ts';
import { defineEntity } from './entity.ts';

/**
 * Every kind of item Spoke stores in DynamoDB, declared once: name, schema version, zod
 * schema and the key template of each index. Keys, items and parses come from here and
 * nowhere else (`entity.ts`); `entities.test.ts` proves no two of them can meet in any index
 * partition. How to change one: docs/entities.md. This file holds the shared, ticket, mail and
 * group entities; each later record type has its own file (`change-entities.ts`,
 * `problem-entities.ts`) so a Lambda bundle carries only the schemas it stores, and
 * `entity-list.ts` gathers them all.
 *
 * A record's item collection holds the record (`#TICKET`, sorting first), its conversation
 * and links, and its audit trail (`~AUDIT#…`, sorting last), so one Query with `sk < ~` reads
 * a record with everything but its history. Every list is a partition of a GSI:
 *
 * | index | partitions                                                                   |
 * | ----- | ---------------------------------------------------------------------------- |
 * | gsi1  | `REQUESTER#`, `CHANGES_BY#` (by requester), `GROUPS`, `QUARANTINE`, `CHANGE_TEMPLATES` |
 * | gsi2  | `ASSIGNEE#`, `UNASSIGNED#` (tickets), `CHANGES#<state>`, `APPROVER#` (inbox), `PROBLEMS#<state>` |
 * | gsi3  | `QUEUE#<group>#<state>`, `CALENDAR#<yyyy-mm>`, `FREEZES`, `PROBLEM_QUEUE#<group>#<state>` |
 * | gsi4  | `NUMBER#<INC…/CHG…/PRB…>`: a number names one record of any type (sort key: its entity) |
 * | gsi5  | `AUTOCLOSE`: resolved tickets by their auto-close time                          |
 */

/** Group partition for tickets without an assignment group. */
export const NO_GROUP = '-';
/** The sort key of every record's audit entries: after everything else in its item collection. */
export const AUDIT_SK = '~AUDIT#{at}#{n}';
/** Where an audit sort key's `n` starts, for the backfill to recover it from a stored key. */
export const auditN = (item: Readonly<Record<string, unknown>>) =>
  ({ n: String(item.sk).slice(`~AUDIT#${String(item.at)}#`.length) }) as const;
const after = (value: unknown, prefix: string) => String(value).slice(prefix.length);

// ——— tickets ———

export const ticketEntity = /* @__PURE__ */ defineEntity({
  name: 'ticket',
  version: 1,
  table: 'domain',
  schema: Ticket,
  indexes: {
    primary: { pk: 'TICKET#{id}', sk: '#TICKET' },
    gsi1: { pk: 'REQUESTER#{requester}', sk: '{updatedAt}#{id}' },
    gsi2: [
      { pk: 'ASSIGNEE#{assignee}', sk: '{updatedAt}#{id}' },
      { pk: 'UNASSIGNED#{unassignedGroup}', sk: '{updatedAt}#{id}' },
    ],
    gsi3: { pk: 'QUEUE#{group}#{state}', sk: '{updatedAt}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'ticket' },
    gsi5: { pk: 'AUTOCLOSE', sk: '{autoCloseAt}#{id}' },
  },
  facets: (ticket, context: { readonly autoCloseAt?: string | undefined }) => {
    const group = ticket.assignmentGroup ?? NO_GROUP;
    return {
      id: ticket.id,
      updatedAt: ticket.updatedAt,
      requester: ticket.requester.email,
      assignee: ticket.assignee?.email,
      unassignedGroup: !ticket.assignee && activeStates.includes(ticket.state) ? group : undefined,
      group,
      state: ticket.state,
      number: ticket.number,
      autoCloseAt: ticket.state === 'resolved' ? context.autoCloseAt : undefined,
    };
  },
  contextOf: (item) => ({
    autoCloseAt: typeof item.gsi5sk === 'string' ? item.gsi5sk.split('#')[0] : undefined,
  }),
});

export const articleEntity = /* @__PURE__ */ defineEntity({
  name: 'article',
  version: 1,
  table: 'domain',
  schema: Article,
  indexes: { primary: { pk: 'TICKET#{ticketId}', sk: 'ARTICLE#{createdAt}#{id}' } },
  facets: (article) => ({ ticketId: article.ticketId, createdAt: article.createdAt, id: article.id }),
});

/** A child ticket listed under its parent (the incidents of a major incident). */
export const ChildLink = z.object({ id: z.string(), number: z.string() });
export const childEntity = /* @__PURE__ */ defineEntity({
  name: 'child',
  version: 1,
  table: 'domain',
  schema: ChildLink,
  indexes: { primary: { pk: 'TICKET#{parentId}', sk: 'CHILD#{id}' } },
  facets: (child, context: { readonly parentId: string }) => ({ parentId: context.parentId, id: child.id }),
  contextOf: (item) => ({ parentId: after(item.pk, 'TICKET#') }),
});

export const ticketAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'audit',
  version: 1,
  table: 'domain',
  schema: AuditEntry,
  indexes: { primary: { pk: 'TICKET#{ticketId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    ticketId: entry.ticketId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

export const attachmentEntity = /* @__PURE__ */ defineEntity({
  name: 'attachment',
  version: 1,
  table: 'domain',
  schema: Attachment,
  indexes: { primary: { pk: 'TICKET#{ticketId}', sk: 'ATTACHMENT#{createdAt}#{id}' } },
  facets: (a) => ({ ticketId: a.ticketId, createdAt: a.createdAt, id: a.id }),
});

// ——— numbering and idempotency, shared by every record type ———

export const Counter = z.object({ seq: z.number().int().min(0) });
export const counterEntity = /* @__PURE__ */ defineEntity({
  name: 'counter',
  version: 1,
  table: 'domain',
  schema: Counter,
  indexes: { primary: { pk: 'COUNTER#{kind}', sk: '#COUNTER' } },
  facets: (_, context: { readonly kind: string }) => ({ kind: context.kind }),
  contextOf: (item) => ({ kind: after(item.pk, 'COUNTER#') }),
});

/** What an idempotency key points at: the record its first use created or changed. */
export const IdempotencyRecord = z.object({
  recordId: z.string().min(1).max(64),
  expiresAt: z.number().int(),
});
export const idempotencyEntity = /* @__PURE__ */ defineEntity({
  name: 'idempotency',
  version: 1,
  table: 'idempotency',
  schema: IdempotencyRecord,
  indexes: { primary: { pk: 'IDEMPOTENCY#{key}' } },
  facets: (_, context: { readonly key: string }) => ({ key: context.key }),
  // Version 0 (tickets only) named the record `ticketId`.
  upgrades: { 0: ({ ticketId, ...rest }) => ({ recordId: ticketId, ...rest }) },
  contextOf: (item) => ({ key: after(item.pk, 'IDEMPOTENCY#') }),
});

/** A mailed approval link that was used (links are single-use), kept until it would have expired. */
export const usedLinkEntity = /* @__PURE__ */ defineEntity({
  name: 'used-link',
  version: 1,
  table: 'idempotency',
  schema: z.object({ expiresAt: z.number().int() }),
  indexes: { primary: { pk: 'LINK#{linkId}' } },
  facets: (_, context: { readonly linkId: string }) => ({ linkId: context.linkId }),
  contextOf: (item) => ({ linkId: after(item.pk, 'LINK#') }),
});

/** A fixed rate-limit window, counted by atomic updates and gone by TTL. */
export const rateWindowEntity = /* @__PURE__ */ defineEntity({
  name: 'rate-window',
  version: 1,
  table: 'idempotency',
  schema: z.object({ used: z.number().int(), expiresAt: z.number().int() }),
  indexes: { primary: { pk: 'RATE#{key}#{windowSeconds}#{window}' } },
  facets: (_, context: { readonly key: string; readonly windowSeconds: number; readonly window: number }) =>
    context,
});

/**
 * A link between two records of any types, stored twice: once in each record's item
 * collection (`LINK#<other kind>#<other id>`), so either side lists its links of one kind with
 * one Query. The partition is the owning record's: a ticket's, a problem's or a change's.
 */
export const linkOwnerFacet = (kind: string): string =>
  kind === 'incident' || kind === 'request' ? 'ticketId' : `${kind}Id`;
type LinkSide = 'source' | 'target';
export const recordLinkEntity = /* @__PURE__ */ defineEntity({
  name: 'record-link',
  version: 1,
  table: 'domain',
  schema: StoredLink,
  indexes: {
    primary: [
      { pk: 'TICKET#{ticketId}', sk: 'LINK#{otherKind}#{otherId}' },
      { pk: 'PROBLEM#{problemId}', sk: 'LINK#{otherKind}#{otherId}' },
      { pk: 'CHANGE#{changeId}', sk: 'LINK#{otherKind}#{otherId}' },
      // A CI's links live beside its item collection, so the CI page's Query never reads them.
      { pk: 'CI_LINK#{configuration_itemId}', sk: 'LINK#{otherKind}#{otherId}' },
    ],
  },
  facets: (link, context: { readonly side: LinkSide }) => {
    const owner = link[context.side];
    const other = link[context.side === 'source' ? 'target' : 'source'];
    return { [linkOwnerFacet(owner.kind)]: owner.id, otherKind: other.kind, otherId: other.id };
  },
  contextOf: (item): { readonly side: LinkSide } => ({
    side: String(item.pk).endsWith(`#${(item.source as { id?: string } | undefined)?.id}`)
      ? 'source'
      : 'target',
  }),
});

// ——— mail ———

export const mailReferenceEntity = /* @__PURE__ */ defineEntity({
  name: 'mailref',
  version: 1,
  table: 'domain',
  schema: z.object({ ticketId: z.string().min(1).max(64) }),
  indexes: { primary: { pk: 'MAILREF#{messageId}', sk: '#MAILREF' } },
  facets: (_, context: { readonly messageId: string }) => ({ messageId: context.messageId.toLowerCase() }),
  contextOf: (item) => ({ messageId: after(item.pk, 'MAILREF#') }),
});

export const Suppression = z.object({ email: z.string(), reason: z.string().max(500), at: z.iso.datetime() });
export const suppressionEntity = /* @__PURE__ */ defineEntity({
  name: 'suppression',
  version: 1,
  table: 'domain',
  schema: Suppression,
  indexes: { primary: { pk: 'SUPPRESSED#{email}', sk: '#SUPPRESSED' } },
  facets: (s) => ({ email: s.email }),
});

export const quarantineEntity = /* @__PURE__ */ defineEntity({
  name: 'quarantine',
  version: 1,
  table: 'domain',
  schema: QuarantinedMail,
  indexes: {
    primary: { pk: 'QUARANTINE#{id}', sk: '#QUARANTINE' },
    gsi1: { pk: 'QUARANTINE', sk: '{receivedAt}#{id}' },
  },
  facets: (mail) => ({ id: mail.id, receivedAt: mail.receivedAt }),
});

// ——— groups and routing ———

export const groupEntity = /* @__PURE__ */ defineEntity({
  name: 'group',
  version: 1,
  table: 'domain',
  schema: Group,
  indexes: {
    primary: { pk: 'GROUP#{id}', sk: '#GROUP' },
    // Lower-cased names, so the list reads alphabetically however people capitalize.
    gsi1: { pk: 'GROUPS', sk: '{name}#{id}' },
  },
  facets: (group) => ({ id: group.id, name: group.name.toLowerCase() }),
});

/** A membership is two items written and deleted together: the group's member, the agent's group. */
export const memberEntity = /* @__PURE__ */ defineEntity({
  name: 'member',
  version: 1,
  table: 'domain',
  schema: GroupMember,
  indexes: { primary: { pk: 'GROUP#{groupId}', sk: 'MEMBER#{email}' } },
  facets: (m) => ({ groupId: m.groupId, email: m.email }),
});

export const agentGroupEntity = /* @__PURE__ */ defineEntity({
  name: 'agent-group',
  version: 1,
  table: 'domain',
  schema: GroupMember,
  indexes: { primary: { pk: 'AGENT#{email}', sk: 'GROUP#{groupId}' } },
  facets: (m) => ({ groupId: m.groupId, email: m.email }),
});

export const routingConfigEntity = /* @__PURE__ */ defineEntity({
  name: 'routing-config',
  version: 1,
  table: 'domain',
  schema: RoutingConfig,
  indexes: { primary: { pk: 'CONFIG#routing', sk: '#CONFIG' } },
  facets: () => ({}),
});

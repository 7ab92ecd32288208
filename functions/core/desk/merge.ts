import * as z from 'zod';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { TicketChange } from '#ports/ticket-store.ts';
import { type Actor, normalizeEmail } from '../identity/actor.ts';
import { auditDiff, linkedEvent, updatedEvent } from '../record/audit.ts';
import type { StoredLink } from '../record/record.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { worksTicket } from '../ticket/access.ts';
import type { Article } from '../ticket/article.ts';
import { isFinal } from '../ticket/lifecycle.ts';
import { type Ticket, TicketNumber } from '../ticket/ticket.ts';
import { type TicketDeps, ticketAudit, visibleTicket } from '../ticket/ticket-service.ts';
import { fillPlaceholders } from './placeholders.ts';

/**
 * Merging a duplicate into the ticket that stays: the duplicate's conversation (notes included)
 * is copied onto the target, its requester and watchers follow the target, and the duplicate is
 * closed as a duplicate with a link to the target and a public reply telling its requester where
 * the work goes on. Both tickets change in one transaction, each versioned and audited.
 */

export const MergeInput = z.strictObject({
  /** The ticket that stays: its id or its number (`INC0001042`). */
  into: z.string().trim().min(1, 'is required').max(64),
  /** The duplicate's version the agent saw; a stale one is a 409. */
  version: z.number().int().min(1),
});
export type MergeInput = z.input<typeof MergeInput>;

/** A transaction holds at most 100 items; a merge writes two tickets, their history and the copies. */
export const MAX_MERGED_ARTICLES = 80;

const MAX_WATCHERS = 50;

/** The public reply the duplicate's requester gets (placeholders are the target's). */
export const mergeNotice =
  'Hello {requester},\n\nyour request has been merged into {number} ({summary}), where the same issue is being worked on. ' +
  'Everything you wrote is there and you follow it: {link}';

async function workedTicket(deps: TicketDeps, actor: Actor, id: string) {
  const found = await visibleTicket(deps, actor, id);
  if (!worksTicket(found.viewer, found.ticket, deps.settings.agentVisibility))
    throw new ForbiddenError('Only agents who work both tickets may merge them');
  return found;
}

async function targetOf(deps: TicketDeps, actor: Actor, into: string) {
  const number = TicketNumber.safeParse(into.toUpperCase());
  const id = number.success ? (await deps.tickets.findByNumber(number.data))?.id : into;
  try {
    if (!id) throw new NotFoundError(into);
    return await workedTicket(deps, actor, id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new ValidationError('Unknown ticket', [
      { path: 'into', message: `${into} is not a ticket you work` },
    ]);
  }
}

export async function mergeTicket(
  deps: TicketDeps & { readonly portalUrl: string },
  actor: Actor,
  duplicateId: string,
  raw: MergeInput,
): Promise<{ duplicate: Ticket; target: Ticket }> {
  const input = MergeInput.parse(raw);
  const { ticket: duplicate, articles } = await workedTicket(deps, actor, duplicateId);
  if (duplicate.version !== input.version)
    throw new ConflictError(`Ticket ${duplicate.number} was changed by someone else`, duplicate);
  const { ticket: target } = await targetOf(deps, actor, input.into);
  const refuse = (message: string) => new ValidationError('Cannot merge', [{ path: 'into', message }]);
  if (target.id === duplicate.id) throw refuse('is the ticket itself');
  if (isFinal(duplicate.state)) throw refuse(`${duplicate.number} is ${duplicate.state} already`);
  if (isFinal(target.state)) throw refuse(`${target.number} is ${target.state}; merge into an open ticket`);
  if (articles.length > MAX_MERGED_ARTICLES)
    throw refuse(`${duplicate.number} has more than ${MAX_MERGED_ARTICLES} articles to move in one step`);

  const now = deps.clock.now();
  const at = now.toISOString();
  const who = {
    id: actor.id,
    email: normalizeEmail(actor.email),
    ...(actor.name ? { name: actor.name } : {}),
  };
  const targetRequester = normalizeEmail(target.requester.email);
  const followers = [normalizeEmail(duplicate.requester.email), ...duplicate.watchers.map(normalizeEmail)];
  const watchers = [...new Set([...target.watchers, ...followers])].filter((w) => w !== targetRequester);
  if (watchers.length > MAX_WATCHERS)
    throw refuse(`${target.number} would have more than ${MAX_WATCHERS} watchers`);

  const copies: Article[] = articles.map((a) => ({ ...a, ticketId: target.id }));
  const note: Article = {
    id: deps.ids.next(),
    ticketId: target.id,
    type: 'note',
    author: who,
    body: `${duplicate.number} (${duplicate.shortDescription}) was merged into this ticket: its conversation is above and its requester and watchers follow this ticket.`,
    channel: 'portal',
    createdAt: at,
  };
  const notice: Article = {
    id: deps.ids.next(),
    ticketId: duplicate.id,
    type: 'reply',
    author: who,
    body: fillPlaceholders(
      mergeNotice,
      { ...target, requester: duplicate.requester },
      {
        portalUrl: deps.portalUrl,
        agent: actor,
      },
    ),
    channel: 'portal',
    createdAt: at,
  };
  const nextTarget: Ticket = { ...target, watchers, updatedAt: at, version: target.version + 1 };
  const { holdReason: _, ...open } = duplicate;
  const nextDuplicate: Ticket = {
    ...open,
    state: 'closed',
    resolution: {
      code: 'duplicate',
      notes: `Merged into ${target.number}`,
      resolvedAt: at,
      resolvedBy: { id: actor.id, email: who.email },
    },
    closedAt: at,
    links: [
      ...duplicate.links.filter((l) => l.ticketId !== target.id),
      { type: 'duplicates', ticketId: target.id },
    ],
    updatedAt: at,
    version: duplicate.version + 1,
  };
  const ref = (t: Ticket) => ({ kind: t.kind, id: t.id, number: t.number });
  const link: StoredLink = {
    type: 'duplicates',
    source: ref(duplicate),
    target: ref(target),
    createdAt: at,
    createdBy: { id: actor.id, email: who.email },
  };
  const write = { actor, at };
  const targetAudit = auditDiff(ticketAudit, target, nextTarget, {
    ...write,
    reason: `merged from ${duplicate.number}`,
  });
  const duplicateAudit = auditDiff(ticketAudit, duplicate, nextDuplicate, {
    ...write,
    reason: `merged into ${target.number}`,
  });
  const changes: TicketChange[] = [
    { ticket: nextTarget, expectedVersion: target.version, audit: targetAudit, articles: [...copies, note] },
    {
      ticket: nextDuplicate,
      expectedVersion: duplicate.version,
      audit: duplicateAudit,
      articles: [notice],
      links: [link],
      ...(duplicate.parentId ? { previousParentId: duplicate.parentId } : {}),
    },
  ];
  const [savedTarget, savedDuplicate] = (await deps.tickets.updateTogether(changes)) as [Ticket, Ticket];
  const context = { ids: deps.ids, at };
  const events: DomainEvent[] = [
    ...updatedEvent('ticket.updated', { ticketId: target.id, number: target.number }, targetAudit, context),
    ...updatedEvent(
      'ticket.updated',
      { ticketId: duplicate.id, number: duplicate.number },
      duplicateAudit,
      context,
    ),
    ...[note, notice].map((article) => ({
      type: 'article.added' as const,
      id: deps.ids.next(),
      at,
      detail: {
        ticketId: article.ticketId,
        number: article.ticketId === target.id ? target.number : duplicate.number,
        articleId: article.id,
        type: article.type,
      },
    })),
  ];
  events.push(linkedEvent(link, { id: deps.ids.next(), at }));
  await deps.events.publish(events);
  return { duplicate: savedDuplicate, target: savedTarget };
}

import { z } from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { Page, TicketStore, TicketWithConversation } from '#ports/ticket-store.ts';
import { type Actor, normalizeEmail } from '../identity/actor.ts';
import { NotFoundError } from '../shared/errors.ts';
import { canViewTicket, visibleArticles } from './access.ts';
import type { Article } from './article.ts';
import { Level, priorityOf } from './priority.ts';
import { type Channel, type Ticket, TicketKind } from './ticket.ts';

export interface TicketDeps {
  readonly tickets: TicketStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEventPublisher;
}

/** What a person fills in to open a ticket. Unknown fields are refused, not ignored (OWASP API3). */
export const OpenTicketInput = z.strictObject({
  kind: TicketKind.default('incident'),
  shortDescription: z.string().trim().min(1, 'is required').max(160),
  description: z.string().max(10_000).default(''),
  impact: Level.default(3),
  urgency: Level.default(3),
});
export type OpenTicketInput = z.input<typeof OpenTicketInput>;

export interface OpenTicketOptions {
  readonly channel: Channel;
  readonly idempotencyKey?: string;
  /** For mail: the Message-ID of the message that opened the ticket. */
  readonly messageId?: string;
}

export interface OpenedTicket {
  readonly ticket: Ticket;
  /** False when the idempotency key had been used: the ticket is the one created the first time. */
  readonly created: boolean;
}

/** Opens a ticket for the actor: numbered, prioritized, with its first article and audit trail. */
export async function openTicket(
  deps: TicketDeps,
  actor: Actor,
  rawInput: OpenTicketInput,
  options: OpenTicketOptions,
): Promise<OpenedTicket> {
  const input = OpenTicketInput.parse(rawInput);
  const now = deps.clock.now().toISOString();
  const id = deps.ids.next();
  const requester = {
    id: actor.id,
    email: normalizeEmail(actor.email),
    ...(actor.name ? { name: actor.name } : {}),
  };
  const ticket = {
    id,
    kind: input.kind,
    shortDescription: input.shortDescription,
    description: input.description,
    state: 'new' as const,
    impact: input.impact,
    urgency: input.urgency,
    priority: priorityOf(input.impact, input.urgency),
    requester,
    channel: options.channel,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const firstArticle: Article = {
    id: deps.ids.next(),
    ticketId: id,
    type: 'reply',
    author: requester,
    body: input.description || input.shortDescription,
    channel: options.channel === 'email' ? 'email' : options.channel === 'portal' ? 'portal' : 'api',
    ...(options.messageId ? { messageId: options.messageId } : {}),
    createdAt: now,
  };
  const auditActor = { id: actor.id, email: actor.email };
  const audit = [{ at: now, actor: auditActor, field: 'state', newValue: 'new' }];
  const result = await deps.tickets.create(
    {
      ticket,
      firstArticle,
      audit,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    },
    input.kind,
  );
  if (result.created) {
    await deps.events.publish([
      {
        type: 'ticket.created',
        id: deps.ids.next(),
        at: now,
        detail: { ticketId: result.ticket.id, number: result.ticket.number, channel: options.channel },
      },
    ]);
  }
  return result;
}

/** A ticket with the part of its conversation the actor may see; 404 when they may not see it at all. */
export async function viewTicket(
  deps: TicketDeps,
  actor: Actor,
  id: string,
): Promise<TicketWithConversation> {
  const found = await deps.tickets.get(id);
  if (!found || !canViewTicket(actor, found.ticket)) throw new NotFoundError(`No ticket ${id}`);
  return { ticket: found.ticket, articles: visibleArticles(actor, found.articles) };
}

export const LIST_PAGE_SIZE = 25;

/** The actor's own tickets, most recently updated first. */
export function listMyTickets(deps: TicketDeps, actor: Actor, cursor?: string): Promise<Page<Ticket>> {
  return deps.tickets.listByRequester(normalizeEmail(actor.email), {
    limit: LIST_PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  });
}

import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import type { SatisfactionStore } from '#ports/satisfaction-store.ts';
import type { TicketStore } from '#ports/ticket-store.ts';
import { readSignedLink } from '../approval/signed-link.ts';
import { type Actor, normalizeEmail } from '../identity/actor.ts';
import { ConflictError, ForbiddenError, GoneError, NotFoundError } from '../shared/errors.ts';
import type { Ticket } from '../ticket/ticket.ts';
import {
  PortalRatingInput,
  type Rating,
  RatingInput,
  type SatisfactionSettings,
  SurveyLinkPayload,
  surveyEndOf,
} from './satisfaction.ts';

/**
 * Satisfaction surveys (docs/reporting.md, "Satisfaction"). The resolution mail carries a
 * signed, expiring, single-use link (as approval links: opening it decides nothing, its
 * confirmation page POSTs); the requester may also rate in the portal and change the rating
 * until the survey closes. Every saved rating publishes `ticket.rated`, which reporting counts
 * per group, service and agent, and the notifications function follows up when it is low
 * (`survey-mail.ts`).
 */
export interface SatisfactionDeps {
  readonly ratings: SatisfactionStore;
  readonly tickets: Pick<TicketStore, 'get'>;
  readonly signer: LinkSigner;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEventPublisher;
  /** Object-level authorization of a signed-in reader (the ticket module's gate). */
  readonly authorizeTicket: (actor: Actor, ticketId: string) => Promise<unknown>;
  readonly settings: SatisfactionSettings;
}

const isResolved = (ticket: Ticket) => ticket.state === 'resolved' || ticket.state === 'closed';
const surveyEnd = (deps: Pick<SatisfactionDeps, 'settings'>, ticket: Ticket) =>
  surveyEndOf(deps.settings, ticket);

async function ticketOf(deps: SatisfactionDeps, ticketId: string): Promise<Ticket> {
  const found = await deps.tickets.get(ticketId);
  if (!found) throw new NotFoundError(`No ticket ${ticketId}`);
  return found.ticket;
}

/** What a survey link rates, for its confirmation page (rates nothing). */
export async function previewSurvey(deps: SatisfactionDeps, token: string) {
  const link = await readSignedLink(deps, token, SurveyLinkPayload);
  const ticket = await ticketOf(deps, link.ticketId);
  const rating = await deps.ratings.rating(ticket.id);
  return {
    ticket: { number: ticket.number, summary: ticket.shortDescription },
    rated: rating !== undefined,
    changeableUntil: surveyEnd(deps, ticket),
  };
}

/**
 * Rates through the mailed link: once (a used link, or a ticket rated already, is a 409: the
 * portal changes a rating), before the survey closes (410), only while the ticket is resolved.
 */
export async function rateByLink(deps: SatisfactionDeps, token: string, raw: unknown): Promise<Rating> {
  const input = RatingInput.parse(raw);
  const link = await readSignedLink(deps, token, SurveyLinkPayload);
  const ticket = await ticketOf(deps, link.ticketId);
  if (!isResolved(ticket))
    throw new ConflictError(`${ticket.number} was reopened; rate it once it is resolved`);
  if (await deps.ratings.rating(ticket.id))
    throw new ConflictError(`${ticket.number} is rated already; change the rating in the portal`);
  if (!(await deps.ratings.consumeLink(link.linkId, link.expiresAt)))
    throw new ConflictError('This survey link was used already');
  return save(deps, ticket, link.requester, input, undefined);
}

/** The rating of a ticket, for those who may see the ticket. */
export async function ticketRating(deps: SatisfactionDeps, actor: Actor, ticketId: string) {
  await deps.authorizeTicket(actor, ticketId);
  const ticket = await ticketOf(deps, ticketId);
  const rating = await deps.ratings.rating(ticketId);
  const open = isResolved(ticket) && Date.parse(surveyEnd(deps, ticket)) > deps.clock.now().getTime();
  return { rating: rating ?? null, open, changeableUntil: surveyEnd(deps, ticket) };
}

/** Rates a ticket in the portal, or changes the rating: its requester, until the survey closes. */
export async function rateTicket(
  deps: SatisfactionDeps,
  actor: Actor,
  ticketId: string,
  raw: unknown,
): Promise<Rating> {
  const { version, ...input } = PortalRatingInput.parse(raw);
  await deps.authorizeTicket(actor, ticketId);
  const ticket = await ticketOf(deps, ticketId);
  if (normalizeEmail(ticket.requester.email) !== normalizeEmail(actor.email))
    throw new ForbiddenError('Only the requester rates a ticket');
  if (!isResolved(ticket)) throw new ConflictError(`${ticket.number} is not resolved`);
  const current = await deps.ratings.rating(ticketId);
  if ((current?.version ?? 0) !== version)
    throw new ConflictError(`The rating of ${ticket.number} was changed meanwhile`, current);
  return save(deps, ticket, actor.email, input, current);
}

async function save(
  deps: SatisfactionDeps,
  ticket: Ticket,
  by: string,
  input: { score: number; comment?: string | undefined },
  current: Rating | undefined,
): Promise<Rating> {
  const now = deps.clock.now();
  const changeableUntil = surveyEnd(deps, ticket);
  if (Date.parse(changeableUntil) <= now.getTime())
    throw new GoneError(`The survey of ${ticket.number} closed on ${changeableUntil.slice(0, 10)}`);
  const rating: Rating = {
    ticketId: ticket.id,
    number: ticket.number,
    score: input.score,
    ...(input.comment ? { comment: input.comment } : {}),
    by: normalizeEmail(by),
    ...(ticket.assignee ? { agent: normalizeEmail(ticket.assignee.email) } : {}),
    ratedAt: now.toISOString(),
    changeableUntil,
    version: (current?.version ?? 0) + 1,
  };
  await deps.ratings.save(rating, current?.version ?? 0);
  await deps.events.publish([
    {
      type: 'ticket.rated',
      id: deps.ids.next(),
      at: rating.ratedAt,
      detail: {
        ticketId: ticket.id,
        number: ticket.number,
        score: rating.score,
        ...(rating.agent ? { agent: rating.agent } : {}),
        ...(current ? { previousScore: current.score } : {}),
        ratingVersion: rating.version,
      },
    },
  ]);
  return rating;
}

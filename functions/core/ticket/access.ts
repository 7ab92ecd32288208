import { type Actor, isAgent, normalizeEmail } from '../identity/actor.ts';
import type { Article } from './article.ts';
import type { Ticket } from './ticket.ts';

/**
 * Object-level authorization for tickets (OWASP API1): requesters see their own tickets,
 * agents and admins see all of them until group-scoped visibility arrives with groups.
 */
export const canViewTicket = (actor: Actor, ticket: Ticket): boolean =>
  isAgent(actor) || normalizeEmail(ticket.requester.email) === normalizeEmail(actor.email);

/** Internal work notes never reach a requester. */
export const visibleArticles = (actor: Actor, articles: readonly Article[]): Article[] =>
  isAgent(actor) ? [...articles] : articles.filter((a) => a.type !== 'note');

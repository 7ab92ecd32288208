import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import type { Article } from './article.ts';
import type { Ticket } from './ticket.ts';

/**
 * Whether agents see every ticket or only those of their groups (plus tickets no group
 * holds yet, which are everyone's to triage).
 */
export type AgentVisibility = 'groups' | 'all';

/** The actor with the assignment groups they belong to. */
export interface Viewer {
  readonly actor: Actor;
  readonly groups: readonly string[];
}

export const isRequesterOrWatcher = (actor: Actor, ticket: Ticket): boolean => {
  const email = normalizeEmail(actor.email);
  return (
    normalizeEmail(ticket.requester.email) === email ||
    ticket.watchers.some((w) => normalizeEmail(w) === email)
  );
};

/** Whether the viewer works this ticket as an agent: admins always, agents by group unless all may. */
export function worksTicket({ actor, groups }: Viewer, ticket: Ticket, visibility: AgentVisibility): boolean {
  if (isAdmin(actor)) return true;
  if (!isAgent(actor)) return false;
  if (visibility === 'all' || !ticket.assignmentGroup) return true;
  return (
    groups.includes(ticket.assignmentGroup) ||
    normalizeEmail(ticket.assignee?.email ?? '') === normalizeEmail(actor.email)
  );
}

/**
 * Object-level authorization (OWASP API1): requesters and watchers see their tickets, agents
 * the tickets they work, admins all. Everyone else gets a 404, never a hint that it exists.
 */
export const canViewTicket = (viewer: Viewer, ticket: Ticket, visibility: AgentVisibility): boolean =>
  isRequesterOrWatcher(viewer.actor, ticket) || worksTicket(viewer, ticket, visibility);

/** Internal work notes reach only those who work the ticket. */
export const visibleArticles = (
  viewer: Viewer,
  ticket: Ticket,
  articles: readonly Article[],
  visibility: AgentVisibility,
): Article[] =>
  worksTicket(viewer, ticket, visibility) ? [...articles] : articles.filter((a) => a.type !== 'note');

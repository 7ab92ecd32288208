import { useCallback } from 'react';
import type { Api } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading, StateBadge } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import type { Group, Ticket, TicketState } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { TicketSearch } from './ticket-search.tsx';

/** Per list read: the newest this many (the API's largest page). */
const PER_LIST = 100;
const queueStates: readonly TicketState[] = ['new', 'in_progress', 'on_hold', 'resolved'];

interface Searched {
  readonly label: string;
  readonly read: number;
  /** More tickets are in this list than were read. */
  readonly more: boolean;
}

interface SearchResult {
  readonly matches: readonly Ticket[];
  readonly searched: readonly Searched[];
}

/**
 * Words search, until the API has a search of its own: it reads what the person can see through
 * the API — their own tickets and, for agents, their assigned tickets and their groups' queues —
 * and says exactly what it read, so "no match" is never taken for "no such ticket".
 */
async function searchVisible(api: Api, agent: boolean, words: string): Promise<SearchResult> {
  const lists: { label: string; read: () => ReturnType<Api['listMyTickets']> }[] = [
    { label: 'your own tickets', read: () => api.request(`/tickets?view=mine&limit=${PER_LIST}`) },
  ];
  if (agent) {
    const [me, groups] = await Promise.all([api.me(), api.listGroups()]);
    const name = (id: string) => groups.items.find((g: Group) => g.id === id)?.name ?? id;
    lists.push({
      label: 'tickets assigned to you',
      read: () => api.listQueue({ view: 'assigned', limit: PER_LIST }),
    });
    for (const group of me.assignmentGroups)
      for (const state of queueStates)
        lists.push({
          label: `${name(group)} (${state.replace('_', ' ')})`,
          read: () => api.listQueue({ view: 'queue', group, state, limit: PER_LIST }),
        });
  }
  const pages = await Promise.all(lists.map((list) => list.read().catch(() => undefined)));
  const needle = words.toLowerCase();
  const seen = new Map<string, Ticket>();
  const searched: Searched[] = [];
  pages.forEach((page, i) => {
    if (!page) return;
    searched.push({ label: lists[i]?.label ?? '', read: page.items.length, more: Boolean(page.cursor) });
    for (const ticket of page.items) {
      const text = `${ticket.number} ${ticket.shortDescription} ${ticket.description}`.toLowerCase();
      if (text.includes(needle)) seen.set(ticket.id, ticket);
    }
  });
  const matches = [...seen.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return { matches, searched };
}

/** Results of the words search, with the lists it read and how much of each. */
export function SearchPage({ search }: { search: string }) {
  const words = new URLSearchParams(search).get('q')?.trim() ?? '';
  const { api, session } = usePortal();
  const agent = isAgent(session);
  usePageTitle(words ? `Search: ${words}` : 'Search');
  const fetcher = useCallback(() => searchVisible(api, agent, words), [api, agent, words]);
  const { load, reload } = useQuery(`tickets:search:${words}`, fetcher, 'The search did not work.');

  return (
    <>
      <PageHeading>{words ? `Tickets with “${words}”` : 'Search'}</PageHeading>
      <TicketSearch label="Search again" initial={words} />
      {load.status === 'loading' && <Loading label="Searching…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && (
        <>
          <p role="status">
            {load.data.matches.length === 0
              ? `None of the tickets searched contain “${words}”.`
              : `${load.data.matches.length === 1 ? '1 ticket' : `${load.data.matches.length} tickets`} contain “${words}”.`}
          </p>
          {load.data.matches.length > 0 && (
            <ul className="ticket-list" aria-label="Tickets found">
              {load.data.matches.map((ticket) => (
                <li key={ticket.id} className="ticket-item">
                  <Link
                    to={agent ? paths.workspace(ticket.id) : paths.ticket(ticket.id)}
                    className="ticket-link"
                  >
                    <span className="ticket-number">{ticket.number}</span>
                    <span className="ticket-summary">{ticket.shortDescription}</span>
                  </Link>
                  <span className="ticket-meta">
                    <StateBadge state={ticket.state} />
                    <span>
                      Updated <DateTime iso={ticket.updatedAt} />
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <details className="searched">
            <summary>What was searched</summary>
            <p>
              The words are looked for in the number, short description and description of the newest{' '}
              {PER_LIST} tickets of each list below. Older and closed tickets of a queue are not searched:
              find those by their number.
            </p>
            <ul>
              {load.data.searched.map((list) => (
                <li key={list.label}>
                  {list.label}: {list.read} {list.read === 1 ? 'ticket' : 'tickets'}
                  {list.more && ' (more not searched)'}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </>
  );
}

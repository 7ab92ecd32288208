import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import {
  DateTime,
  ErrorNotice,
  Loading,
  PageHeading,
  PriorityBadge,
  StateBadge,
} from '../shared/components.tsx';
import { priorityLabels, stateLabels } from '../shared/format.ts';
import { LoadMore } from '../shared/load-more.tsx';
import { isAdmin, usePortal } from '../shared/portal-context.ts';
import { useGeneration, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { useShortcuts } from '../shared/shortcuts.ts';
import type { Group, Priority, QueueQuery, Ticket, TicketState } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { SlaBadge, useSlaOf } from '../sla/sla-badge.tsx';
import { BulkActions } from './queue/bulk-actions.tsx';
import { SavedViews } from './queue/saved-views.tsx';

const PAGE_SIZE = 50;
const queueStates: readonly TicketState[] = ['new', 'in_progress', 'on_hold', 'resolved'];

/** The queue the URL names; unknown values fall back to the defaults rather than failing. */
function queueOf(search: string): QueueQuery {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const state = params.get('state');
  const priority = Number(params.get('priority'));
  return {
    view: view === 'queue' || view === 'unassigned' ? view : 'assigned',
    group: params.get('group') ?? undefined,
    state: queueStates.includes(state as TicketState) ? (state as TicketState) : undefined,
    order: params.get('order') === 'oldest' ? 'oldest' : 'newest',
    priority: priority >= 1 && priority <= 5 ? (priority as Priority) : undefined,
    assignee: view === 'queue' && params.get('assignee') ? (params.get('assignee') as string) : undefined,
  };
}

function searchOf(query: Partial<QueueQuery>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).flatMap(([key, value]) =>
      value === undefined || (key === 'order' && value === 'newest') ? [] : [[key, String(value)]],
    ),
  );
}

function titleOf(query: QueueQuery, groupName: (id: string) => string): string {
  if (query.view === 'assigned') return 'My work';
  const group = query.group ? groupName(query.group) : 'A group';
  if (query.view === 'unassigned') return `${group}: unassigned`;
  return `${group}: ${stateLabels[query.state ?? 'new'].toLowerCase()}`;
}

/** Agents' queues: my work, a group's queue by state, a group's unassigned tickets. */
export function QueuePage({ search }: { search: string }) {
  const { api, session } = usePortal();
  const query = queueOf(search);
  const key = JSON.stringify(query);
  const id = useId();
  const [groups, setGroups] = useState<readonly Group[]>([]);
  const [mine, setMine] = useState<readonly string[]>([]);
  const [tickets, setTickets] = useState<readonly Ticket[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [status, setStatus] = useState<'loading' | 'ready' | 'loading-more' | 'failed'>('loading');
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const table = useRef<HTMLTableElement>(null);
  // The tickets first: the members (assignee filter, bulk) and the saved views are read once they are shown.
  const [listed, setListed] = useState(false);
  const membersOf = listed ? query.group : undefined;
  const members = useQuery(
    `members:${membersOf ?? ''}`,
    useCallback(
      () => (membersOf ? api.listMembers(membersOf) : Promise.resolve({ items: [] })),
      [api, membersOf],
    ),
    'The members could not be loaded.',
  );
  const people = members.load.status === 'ready' ? members.load.data.items : [];
  const toggle = (ticketId: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(ticketId)) next.add(ticketId);
      return next;
    });
  const sla = useSlaOf(tickets.map((t) => t.id));

  const groupName = (groupId: string) => groups.find((g) => g.id === groupId)?.name ?? groupId;
  const title = titleOf(query, groupName);
  usePageTitle(title);

  const load = useCallback(
    async (after?: string) => {
      const current = JSON.parse(key) as QueueQuery;
      if (current.view !== 'assigned' && !current.group) {
        setTickets([]);
        setCursor(undefined);
        setStatus('ready');
        setListed(true);
        return;
      }
      setStatus(after ? 'loading-more' : 'loading');
      setError(undefined);
      try {
        const page = await api.listQueue({ ...current, limit: PAGE_SIZE }, after);
        setTickets((shown) => (after ? [...shown, ...page.items] : page.items));
        if (!after) setSelected(new Set());
        setCursor(page.cursor);
        setStatus('ready');
        setListed(true);
      } catch (failure) {
        if (failure instanceof SessionExpiredError) return;
        setError(failure instanceof ApiError ? failure.message : 'The queue could not be loaded.');
        setStatus('failed');
        setListed(true);
      }
    },
    [api, key],
  );

  // A ticket changed anywhere in the portal (`invalidate('tickets:')`) reads the queue again.
  const changed = useGeneration(`tickets:queue:${key}`);
  // biome-ignore lint/correctness/useExhaustiveDependencies: an invalidation (changed) reads again
  useEffect(() => {
    void load();
  }, [load, changed]);

  // After the tickets: the queue itself is what the agent is waiting for.
  useEffect(() => {
    let live = true;
    Promise.all([api.me(), api.listGroups()])
      .then(([me, page]) => {
        if (!live) return;
        setGroups(page.items);
        setMine(isAdmin(session) ? page.items.map((g) => g.id) : me.assignmentGroups);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, session]);

  function moveFocus(step: 1 | -1) {
    const links = Array.from(table.current?.querySelectorAll<HTMLAnchorElement>('a.queue-link') ?? []);
    if (links.length === 0) return;
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next =
      at === -1 ? (step === 1 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next]?.focus();
  }
  useShortcuts({ j: () => moveFocus(1), k: () => moveFocus(-1) });

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const view = String(form.get('view'));
    const next = queueOf(
      new URLSearchParams(
        Object.fromEntries(
          [...form.entries()].filter(
            ([name, value]) =>
              value !== '' &&
              !(name === 'state' && view !== 'queue') &&
              !(name === 'assignee' && view !== 'queue') &&
              !(name === 'group' && view === 'assigned'),
          ),
        ) as Record<string, string>,
      ).toString(),
    );
    navigate(paths.queue(searchOf(next)), { replace: true });
  }

  const quickLinks = [
    { label: 'My work', to: paths.queue() },
    ...mine.flatMap((groupId) => [
      {
        label: `${groupName(groupId)}: new`,
        to: paths.queue({ view: 'queue', group: groupId, state: 'new' }),
      },
      { label: `${groupName(groupId)}: unassigned`, to: paths.queue({ view: 'unassigned', group: groupId }) },
    ]),
  ];
  const currentLink = paths.queue(searchOf(query));

  return (
    <div className="queue-page">
      <PageHeading>{title}</PageHeading>
      <nav aria-label="Queues" className="queue-nav">
        <ul>
          {quickLinks.map((link) => (
            <li key={link.to}>
              <Link to={link.to} aria-current={link.to === currentLink ? 'page' : undefined}>
                {link.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <form
        // Read again once the groups and members arrive: a select shows its default only among its options.
        key={`${key}:${groups.length}:${people.length}`}
        className="queue-filters"
        onSubmit={apply}
        aria-label="Queue filters"
      >
        <div className="field">
          <label htmlFor={`${id}-view`}>View</label>
          <select id={`${id}-view`} name="view" defaultValue={query.view}>
            <option value="assigned">My work</option>
            <option value="queue">Group queue</option>
            <option value="unassigned">Unassigned in group</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-group`}>Group</label>
          <select id={`${id}-group`} name="group" defaultValue={query.group ?? mine[0] ?? ''}>
            {groups.length === 0 && <option value="">—</option>}
            {groups
              .filter((g) => mine.includes(g.id))
              .map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-state`}>State (group queue)</label>
          <select id={`${id}-state`} name="state" defaultValue={query.state ?? 'new'}>
            {queueStates.map((state) => (
              <option key={state} value={state}>
                {stateLabels[state]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select id={`${id}-priority`} name="priority" defaultValue={query.priority ?? ''}>
            <option value="">Any</option>
            {[1, 2, 3, 4, 5].map((p) => (
              <option key={p} value={p}>
                {priorityLabels[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-assignee`}>Assignee (group queue)</label>
          <select id={`${id}-assignee`} name="assignee" defaultValue={query.assignee ?? ''}>
            <option value="">Anyone</option>
            {people.map((p) => (
              <option key={p.email} value={p.email}>
                {p.name ?? p.email}
              </option>
            ))}
            {query.assignee && !people.some((p) => p.email === query.assignee) && (
              <option value={query.assignee}>{query.assignee}</option>
            )}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-order`}>Sort by last update</label>
          <select id={`${id}-order`} name="order" defaultValue={query.order}>
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first (waiting longest)</option>
          </select>
        </div>
        <button type="submit" className="button">
          Show tickets
        </button>
      </form>
      {listed && (
        <SavedViews current={query} linkOf={(filters) => paths.queue(searchOf(filters))} here={currentLink} />
      )}
      {status === 'loading' && <Loading label="Loading the queue…" />}
      {query.view !== 'assigned' && !query.group && status === 'ready' && (
        <p className="empty">Choose a group to see its queue.</p>
      )}
      {status === 'ready' && tickets.length === 0 && (query.view === 'assigned' || query.group) && (
        <div className="empty">
          {cursor ? (
            <p>No tickets of this priority among the ones read so far. Load more to keep looking.</p>
          ) : (
            <p>{query.view === 'assigned' ? 'Nothing is assigned to you.' : 'No tickets here.'}</p>
          )}
          {query.priority && <p>The priority filter is on: try “Any”.</p>}
        </div>
      )}
      {tickets.length > 0 && (
        <BulkActions
          selected={tickets.filter((t) => selected.has(t.id))}
          group={query.group}
          groups={groups}
          onSaved={() => setSelected(new Set())}
        />
      )}
      {tickets.length > 0 && (
        <table ref={table} className="queue-table">
          <caption className="visually-hidden">
            {title}, {tickets.length} tickets shown
          </caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every ticket shown"
                  checked={selected.size > 0 && selected.size === tickets.length}
                  onChange={(e) =>
                    setSelected(e.currentTarget.checked ? new Set(tickets.map((t) => t.id)) : new Set())
                  }
                />
              </th>
              <th scope="col">Ticket</th>
              <th scope="col">Priority</th>
              <th scope="col">State</th>
              <th scope="col">Due</th>
              <th scope="col">Assignee</th>
              <th scope="col">Requester</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {tickets.map((ticket) => (
              <tr key={ticket.id}>
                <td className="select-cell">
                  <input
                    type="checkbox"
                    aria-label={`Select ${ticket.number}`}
                    checked={selected.has(ticket.id)}
                    onChange={() => toggle(ticket.id)}
                  />
                </td>
                <td>
                  <Link to={paths.workspace(ticket.id)} className="queue-link">
                    <span className="ticket-number">{ticket.number}</span>{' '}
                    <span className="ticket-summary">{ticket.shortDescription}</span>
                  </Link>
                </td>
                <td data-label="Priority">
                  <PriorityBadge priority={ticket.priority} />
                </td>
                <td data-label="State">
                  <StateBadge state={ticket.state} />
                </td>
                <td data-label="Due">
                  <SlaBadge view={sla.get(ticket.id)} />
                </td>
                <td data-label="Assignee">{ticket.assignee?.name ?? ticket.assignee?.email ?? '—'}</td>
                <td data-label="Requester">{ticket.requester.name ?? ticket.requester.email}</td>
                <td data-label="Updated">
                  <DateTime iso={ticket.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <ErrorNotice message={error} onRetry={() => void load(tickets.length > 0 ? cursor : undefined)} />
      )}
      <LoadMore
        {...(status !== 'failed' && cursor ? { cursor } : {})}
        busy={status === 'loading-more'}
        onLoad={() => void load(cursor)}
      />
    </div>
  );
}

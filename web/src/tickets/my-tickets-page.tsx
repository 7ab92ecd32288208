import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading, StateBadge } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import type { Ticket } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';

type Status = 'loading' | 'ready' | 'loading-more' | 'failed';

export function MyTicketsPage({ search }: { search: string }) {
  const words = new URLSearchParams(search).get('q')?.trim() ?? '';
  const { api } = usePortal();
  usePageTitle('My tickets');
  const [tickets, setTickets] = useState<readonly Ticket[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (after?: string) => {
      setStatus(after ? 'loading-more' : 'loading');
      setError(undefined);
      try {
        const page = await api.listMyTickets(after);
        setTickets((shown) => (after ? [...shown, ...page.items] : page.items));
        setCursor(page.cursor);
        setStatus('ready');
      } catch (failure) {
        if (failure instanceof SessionExpiredError) return;
        setError(failure instanceof ApiError ? failure.message : 'Your tickets could not be loaded.');
        setStatus('failed');
      }
    },
    [api],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const needle = words.toLowerCase();
  const shown = needle
    ? tickets.filter((t) =>
        `${t.number} ${t.shortDescription} ${t.description}`.toLowerCase().includes(needle),
      )
    : tickets;

  return (
    <>
      <div className="page-heading-row">
        <PageHeading>My tickets</PageHeading>
        <Link to={paths.newTicket('incident')} className="button button-secondary">
          Report a problem
        </Link>
      </div>
      {status === 'loading' && <Loading label="Loading your tickets…" />}
      {status === 'ready' && tickets.length === 0 && (
        <div className="empty">
          <p>You have no tickets yet.</p>
          <p>
            When you <Link to={paths.newTicket('incident')}>report a problem</Link> or{' '}
            <Link to={paths.newTicket('request')}>request something</Link>, it shows up here.
          </p>
        </div>
      )}
      {words && status !== 'loading' && (
        <p role="status">
          {shown.length === 1 ? '1 ticket' : `${shown.length} tickets`} of those loaded contain “{words}”.{' '}
          <Link to={paths.myTickets}>Show all</Link>
        </p>
      )}
      {shown.length > 0 && (
        <ul className="ticket-list" aria-label="Your tickets">
          {shown.map((ticket) => (
            <li key={ticket.id} className="ticket-item">
              <Link to={paths.ticket(ticket.id)} className="ticket-link">
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
      {error && (
        <ErrorNotice message={error} onRetry={() => void load(tickets.length > 0 ? cursor : undefined)} />
      )}
      {cursor && status !== 'failed' && (
        <div className="more">
          <button
            type="button"
            className="button button-secondary"
            disabled={status === 'loading-more'}
            onClick={() => void load(cursor)}
          >
            {status === 'loading-more' ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading, StateBadge } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import type { Ticket } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';

type Status = 'loading' | 'ready' | 'loading-more' | 'failed';

export function MyTicketsPage(_props: { search: string }) {
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

  const shown = tickets;

  return (
    <>
      <div className="page-heading-row">
        <PageHeading>My tickets</PageHeading>
        <Link to={paths.newTicket('incident')} className="button button-secondary">
          Something is broken
        </Link>
      </div>
      {status === 'loading' && <Loading label="Loading your tickets…" />}
      {status === 'ready' && tickets.length === 0 && (
        <div className="empty">
          <p>You have no tickets yet.</p>
          <p>
            When you tell us <Link to={paths.newTicket('incident')}>something is broken</Link> or{' '}
            <Link to={paths.newTicket('request')}>request something</Link>, it shows up here.
          </p>
        </div>
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
      <LoadMore
        {...(status !== 'failed' && cursor ? { cursor } : {})}
        busy={status === 'loading-more'}
        onLoad={() => void load(cursor)}
      />
    </>
  );
}

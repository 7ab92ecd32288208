import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from '../api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading, StateBadge } from '../components.tsx';
import { kindLabels, priorityLabels } from '../format.ts';
import { usePortal } from '../portal-context.ts';
import { Link, navigationNote, paths } from '../router.tsx';
import type { TicketWithConversation } from '../types.ts';
import { usePageTitle } from '../use-page-title.ts';

type Load =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: TicketWithConversation }
  | { readonly status: 'not-found' }
  | { readonly status: 'failed'; readonly message: string };

export function TicketPage({ id }: { id: string }) {
  const { api } = usePortal();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [justCreated] = useState(() => navigationNote().createdTicket === true);
  usePageTitle(load.status === 'ready' ? load.data.ticket.number : 'Ticket');

  const fetchTicket = useCallback(async () => {
    setLoad({ status: 'loading' });
    try {
      setLoad({ status: 'ready', data: await api.getTicket(id) });
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      if (error instanceof ApiError && error.status === 404) setLoad({ status: 'not-found' });
      else
        setLoad({
          status: 'failed',
          message: error instanceof ApiError ? error.message : 'The ticket could not be loaded.',
        });
    }
  }, [api, id]);

  useEffect(() => {
    void fetchTicket();
  }, [fetchTicket]);

  if (load.status !== 'ready') {
    return (
      <>
        <PageHeading>{load.status === 'not-found' ? 'Ticket not found' : 'Ticket'}</PageHeading>
        {load.status === 'loading' && <Loading label="Loading the ticket…" />}
        {load.status === 'failed' && (
          <ErrorNotice message={load.message} onRetry={() => void fetchTicket()} />
        )}
        {load.status === 'not-found' && (
          <p>
            There is no ticket here, or it is not yours to see.{' '}
            <Link to={paths.myTickets}>Back to my tickets</Link>
          </p>
        )}
      </>
    );
  }

  const { ticket, articles } = load.data;
  const [, ...followUps] = articles;
  const conversation = followUps.filter((article) => article.type !== 'note');
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.myTickets}>My tickets</Link>
      </p>
      {justCreated && (
        <div className="notice notice-success" role="status">
          <p>
            Thank you. Your ticket number is <strong>{ticket.number}</strong>. We will keep you posted.
          </p>
        </div>
      )}
      <p className="ticket-number">{ticket.number}</p>
      <PageHeading>{ticket.shortDescription}</PageHeading>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            <StateBadge state={ticket.state} />
          </dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{kindLabels[ticket.kind]}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{priorityLabels[ticket.priority] ?? ticket.priority}</dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>
            <DateTime iso={ticket.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <DateTime iso={ticket.updatedAt} />
          </dd>
        </div>
      </dl>
      <section aria-labelledby="description-heading">
        <h2 id="description-heading">Description</h2>
        {ticket.description ? (
          <p className="text-body">{ticket.description}</p>
        ) : (
          <p className="muted">No description given.</p>
        )}
      </section>
      <section aria-labelledby="conversation-heading">
        <h2 id="conversation-heading">Conversation</h2>
        {conversation.length === 0 ? (
          <p className="muted">No replies yet.</p>
        ) : (
          <ol className="conversation">
            {conversation.map((article) => (
              <li key={article.id} className={`article article-${article.type}`}>
                <p className="article-meta">
                  <span className="article-author">
                    {article.type === 'system' ? 'Spoke' : (article.author.name ?? article.author.email)}
                  </span>{' '}
                  <DateTime iso={article.createdAt} />
                </p>
                <p className="text-body">{article.body}</p>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

import { type FormEvent, useCallback, useId, useState } from 'react';
import { KnownWorkaround } from '../problems/problem-panel.tsx';
import { SatisfactionPanel } from '../satisfaction/satisfaction-panel.tsx';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading, StateBadge } from '../shared/components.tsx';
import { kindLabels, priorityLabels, resolutionLabels } from '../shared/format.ts';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigationNote, paths } from '../shared/router.tsx';
import type { TicketWithConversation } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { SlaPromise } from '../sla/sla-panel.tsx';
import { TicketAttachments } from './attachments.tsx';
import { Conversation } from './conversation.tsx';
import { RequesterActions, WaitingFor, workingOn } from './requester-panels.tsx';

export function TicketPage({ id }: { id: string }) {
  const { api, session } = usePortal();
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => api.getTicket(id), [api, id]);
  const {
    load,
    reload: fetchTicket,
    set,
  } = useQuery<TicketWithConversation>(`ticket:${id}`, fetcher, 'The ticket could not be loaded.');
  const [justCreated] = useState(() => navigationNote().createdTicket === true);
  const [failedUploads] = useState(() => navigationNote().failedUploads ?? []);
  usePageTitle(load.status === 'ready' ? load.data.ticket.number : 'Ticket');

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
  const open = ticket.state !== 'closed' && ticket.state !== 'cancelled';
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
      {failedUploads.length > 0 && (
        <Notice tone="error">
          <p>These files could not be attached: {failedUploads.join(', ')}. Add them again below.</p>
        </Notice>
      )}
      {isAgent(session) && (
        <p>
          <Link to={paths.workspace(ticket.id)}>Open in the agent workspace</Link>
        </p>
      )}
      <p className="ticket-number">{ticket.number}</p>
      <PageHeading>{ticket.shortDescription}</PageHeading>
      <WaitingFor ticket={ticket} />
      {open && <SlaPromise recordId={ticket.id} />}
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            <StateBadge state={ticket.state} />
          </dd>
        </div>
        <div>
          <dt>Working on it</dt>
          <dd>{workingOn(ticket)}</dd>
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
      {ticket.resolution && (
        <section aria-labelledby="resolution-heading">
          <h2 id="resolution-heading">Resolution</h2>
          <p>
            <strong>{resolutionLabels[ticket.resolution.code]}</strong> ·{' '}
            <DateTime iso={ticket.resolution.resolvedAt} />
          </p>
          <p className="text-body">{ticket.resolution.notes}</p>
        </section>
      )}
      {ticket.resolution && (
        <SatisfactionPanel
          ticketId={ticket.id}
          requester={ticket.requester.email.toLowerCase() === session.email.toLowerCase()}
        />
      )}
      {ticket.kind === 'incident' && <KnownWorkaround ticketId={ticket.id} />}
      <section aria-labelledby="conversation-heading">
        <h2 id="conversation-heading">Conversation</h2>
        <Conversation ticketId={ticket.id} articles={followUps} audience="requester" />
      </section>
      {open ? (
        <RequesterReply ticketId={ticket.id} onSent={() => void fetchTicket()} />
      ) : (
        <p className="muted">This ticket is {ticket.state}. To follow up, open a new ticket.</p>
      )}
      <TicketAttachments ticketId={ticket.id} canAdd={open} />
      {open && ticket.requester.email.toLowerCase() === session.email.toLowerCase() && (
        <RequesterActions
          ticket={ticket}
          onChanged={(next) => {
            set({ ticket: next, articles });
            invalidate('tickets:');
          }}
        />
      )}
    </>
  );
}

/** The requester's reply: always public, so it needs no choice of audience. */
function RequesterReply({ ticketId, onSent }: { ticketId: string; onSent: () => void }) {
  const { api } = usePortal();
  const id = useId();
  const [body, setBody] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState(false);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!body.trim()) return setError('Write your reply first.');
    setSending(true);
    setError(undefined);
    setSent(false);
    try {
      await api.addArticle(ticketId, 'reply', body.trim());
      setBody('');
      setSent(true);
      onSent();
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(failure instanceof ApiError ? failure.message : 'Your reply could not be sent. Try again.');
    } finally {
      setSending(false);
    }
  }

  return (
    <form id="your-reply" className="form composer" onSubmit={send} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Reply</h2>
      <div className="field">
        <label htmlFor={`${id}-body`}>Your reply to the service desk</label>
        <textarea id={`${id}-body`} rows={4} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
      </div>
      {error && <ErrorNotice message={error} />}
      {sent && (
        <p className="success-text" role="status">
          Reply sent.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={sending}>
          {sending ? 'Sending…' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}

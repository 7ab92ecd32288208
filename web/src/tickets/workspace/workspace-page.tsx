import { useCallback, useRef, useState } from 'react';
import { RecordCisPanel } from '../../cmdb/record-cis-panel.tsx';
import { ArticleFromTicket } from '../../knowledge/from-ticket.tsx';
import { ProblemPanel } from '../../problems/problem-panel.tsx';
import { ApiError, SessionExpiredError } from '../../shared/api.ts';
import {
  DateTime,
  ErrorNotice,
  Loading,
  Notice,
  PageHeading,
  PriorityBadge,
  StateBadge,
} from '../../shared/components.tsx';
import {
  channelLabels,
  holdReasonLabels,
  kindLabels,
  resolutionLabels,
  stateLabels,
} from '../../shared/format.ts';
import { usePeople } from '../../shared/people.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../../shared/query-cache.ts';
import { Link, navigationNote, paths } from '../../shared/router.tsx';
import { useShortcuts } from '../../shared/shortcuts.ts';
import type { Article, Ticket, TicketWithConversation } from '../../shared/types.ts';
import { usePageTitle } from '../../shared/use-page-title.ts';
import { SlaPanel } from '../../sla/sla-panel.tsx';
import { TicketAttachments } from '../attachments.tsx';
import { Conversation } from '../conversation.tsx';
import { Composer, type Mode } from './composer.tsx';
import { FieldsPanel } from './fields-panel.tsx';
import { History } from './history.tsx';
import { MergePanel } from './merge-panel.tsx';
import { type Change, Fact } from './panel-form.tsx';
import { StatePanel } from './state-panel.tsx';
import { WatchersPanel } from './watchers-panel.tsx';

/** Cache key of one ticket with its conversation; lists of tickets live under `tickets:`. */
export const ticketKey = (id: string) => `ticket:${id}`;

/**
 * The agent's ticket workspace: the whole conversation (notes included), a composer that
 * is unmistakably either a public reply or an internal note, and the ticket's fields in panels.
 * Every change carries the version the agent saw; a 409 means someone else changed it first.
 * After a change the ticket, its history and the lists it appears in are read again.
 */
export function WorkspacePage({ id }: { id: string }) {
  const { api } = usePortal();
  const { nameOf } = usePeople();
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => api.getTicket(id), [api, id]);
  const { load, reload, set } = useQuery<TicketWithConversation>(
    ticketKey(id),
    fetcher,
    'The ticket could not be loaded.',
  );
  const [conflict, setConflict] = useState(false);
  const [justCreated] = useState(() => navigationNote().createdTicket === true);
  const [mergedFrom] = useState(() => navigationNote().mergedFrom);
  const groups = useQuery(
    'groups',
    useCallback(() => api.listGroups(), [api]),
    'The groups could not be loaded.',
  );
  const groupName = (groupId: string) =>
    (groups.load.status === 'ready'
      ? groups.load.data.items.find((g) => g.id === groupId)?.name
      : undefined) ?? groupId;
  const composer = useRef<{ start: (mode: Mode) => void }>(null);
  const assigneeInput = useRef<HTMLSelectElement>(null);
  const stateSelect = useRef<HTMLSelectElement>(null);
  const historyHeading = useRef<HTMLHeadingElement>(null);
  usePageTitle(load.status === 'ready' ? `${load.data.ticket.number} (workspace)` : 'Ticket workspace');

  useShortcuts({
    r: () => composer.current?.start('reply'),
    n: () => composer.current?.start('note'),
    a: () => assigneeInput.current?.focus(),
    s: () => stateSelect.current?.focus(),
    h: () => historyHeading.current?.focus(),
  });

  if (load.status !== 'ready') {
    return (
      <>
        <PageHeading>{load.status === 'not-found' ? 'Ticket not found' : 'Ticket'}</PageHeading>
        {load.status === 'loading' && <Loading label="Loading the ticket…" />}
        {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
        {load.status === 'not-found' && (
          <p>
            There is no ticket here, or it is not in your groups.{' '}
            <Link to={paths.queue()}>Back to the queues</Link>
          </p>
        )}
      </>
    );
  }

  const { ticket, articles } = load.data;
  const [first, ...followUps] = articles;
  const open = ticket.state !== 'closed' && ticket.state !== 'cancelled';

  /** What a write returned is shown at once; the history and the lists read again. */
  function saved(next: { ticket: Ticket; articles: readonly Article[] }) {
    set(next);
    invalidate(`history:${next.ticket.id}`, 'tickets:');
  }

  /** Sends one change; true when it was saved. A conflict leaves the form as it is and says so. */
  async function change(patch: Change): Promise<string | true> {
    try {
      saved({ ticket: await api.updateTicket(ticket.id, { version: ticket.version, ...patch }), articles });
      return true;
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return 'Your session has ended.';
      if (failure instanceof ApiError && failure.status === 409) {
        setConflict(true);
        return 'Not saved (see the notice at the top).';
      }
      if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${f.path} ${f.message}`).join('; ');
        return fields ? `${failure.message}: ${fields}` : failure.message;
      }
      return 'The change could not be saved. Try again.';
    }
  }

  async function reloadAfterConflict() {
    await reload();
    invalidate(`history:${ticket.id}`);
    setConflict(false);
  }

  return (
    <div className="workspace">
      <p className="breadcrumb">
        <Link to={paths.queue()}>Queues</Link>
      </p>
      {conflict && (
        <div className="notice notice-error conflict" role="alert">
          <p>
            <strong>Changed by someone else.</strong> This ticket was changed after you opened it, so your
            change was not saved. Reload to see the current ticket, then make your change again.
          </p>
          <button type="button" className="button" onClick={() => void reloadAfterConflict()}>
            Reload ticket
          </button>
        </div>
      )}
      {justCreated && (
        <Notice tone="success">
          <p>
            {ticket.number} is open for {ticket.requester.name ?? ticket.requester.email}; they get an
            acknowledgement by mail.
          </p>
        </Notice>
      )}
      {mergedFrom && (
        <Notice tone="success">
          <p>
            {mergedFrom} was merged into {ticket.number}: its conversation is below, its requester and
            watchers follow this ticket and were told by mail.
          </p>
        </Notice>
      )}
      <p className="ticket-number">
        {ticket.number} · {kindLabels[ticket.kind]}
      </p>
      <PageHeading>{ticket.shortDescription}</PageHeading>
      <dl className="facts">
        <Fact term="State">
          <StateBadge state={ticket.state} />
          {ticket.holdReason && ` (${holdReasonLabels[ticket.holdReason]})`}
        </Fact>
        <Fact term="Priority">
          <PriorityBadge priority={ticket.priority} />
        </Fact>
        <Fact term="Group">{ticket.assignmentGroup ? groupName(ticket.assignmentGroup) : '—'}</Fact>
        <Fact term="Assignee">
          {ticket.assignee?.name ?? (ticket.assignee ? nameOf(ticket.assignee.email) : 'Unassigned')}
        </Fact>
        <Fact term="Requester">
          {ticket.requester.name ?? ticket.requester.email}{' '}
          <span className="muted">{ticket.requester.email}</span>
        </Fact>
        <Fact term="Category">{[ticket.category, ticket.service].filter(Boolean).join(' · ') || '—'}</Fact>
        <Fact term="Opened">
          <DateTime iso={ticket.createdAt} />{' '}
          <span className="muted">via {channelLabels[ticket.channel]}</span>
        </Fact>
      </dl>
      <div className="workspace-grid">
        <div className="workspace-main">
          <section aria-labelledby="description-heading">
            <h2 id="description-heading">Description</h2>
            {first?.html ? (
              <Conversation ticketId={ticket.id} articles={[first]} audience="agent" />
            ) : (
              <p className="text-body">{ticket.description || first?.body || 'No description given.'}</p>
            )}
          </section>
          <section aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">Conversation</h2>
            <Conversation ticketId={ticket.id} articles={followUps} audience="agent" />
          </section>
          {open ? (
            <Composer
              ref={composer}
              ticket={ticket}
              onAdded={(result) =>
                saved({
                  ticket: result.ticket,
                  articles: result.article ? [...articles, result.article] : articles,
                })
              }
              onConflict={() => setConflict(true)}
            />
          ) : (
            <p className="muted">
              This ticket is {stateLabels[ticket.state].toLowerCase()}; nothing more can be added.
            </p>
          )}
          <History ticketId={ticket.id} headingRef={historyHeading} />
        </div>
        <aside className="workspace-side" aria-label="Ticket fields">
          {open && (
            <>
              <FieldsPanel ticket={ticket} change={change} assigneeInput={assigneeInput} />
              <StatePanel ticket={ticket} change={change} stateSelect={stateSelect} />
              <WatchersPanel ticket={ticket} change={change} />
              <MergePanel ticket={ticket} onConflict={() => setConflict(true)} />
            </>
          )}
          <SlaPanel recordId={ticket.id} />
          {ticket.resolution && (
            <section className="panel" aria-labelledby="resolution-heading">
              <h2 id="resolution-heading">Resolution</h2>
              <p>
                <strong>{resolutionLabels[ticket.resolution.code]}</strong>
              </p>
              <p className="text-body">{ticket.resolution.notes}</p>
              <ArticleFromTicket ticketId={ticket.id} />
            </section>
          )}
          {ticket.kind === 'incident' && <ProblemPanel ticket={ticket} />}
          <RecordCisPanel
            kind={ticket.kind}
            id={ticket.id}
            labels={ticket.service ? [ticket.service] : []}
            editable={open}
          />
          <TicketAttachments ticketId={ticket.id} canAdd={open} />
        </aside>
      </div>
    </div>
  );
}

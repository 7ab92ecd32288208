import { type RefObject, useCallback } from 'react';
import { DateTime, ErrorNotice } from '../../shared/components.tsx';
import { resolutionLabels, stateLabels } from '../../shared/format.ts';
import { LoadMore } from '../../shared/load-more.tsx';
import { usePeople } from '../../shared/people.ts';
import { usePortal } from '../../shared/portal-context.ts';
import type { AuditEntry, ResolutionCode, TicketState } from '../../shared/types.ts';
import { usePaged } from '../../shared/use-paged.ts';

const fieldLabels: Record<string, string> = {
  state: 'State',
  holdReason: 'Hold reason',
  impact: 'Impact',
  urgency: 'Urgency',
  priority: 'Priority',
  assignmentGroup: 'Group',
  assignee: 'Assignee',
  watchers: 'Watchers',
  resolution: 'Resolution',
  shortDescription: 'Short description',
  description: 'Description',
  category: 'Category',
  service: 'Service',
  tags: 'Tags',
};

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (typeof value === 'object') {
    const person = value as { name?: unknown; email?: unknown };
    if (typeof person.email === 'string') return typeof person.name === 'string' ? person.name : person.email;
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string'
      ? (resolutionLabels[code as ResolutionCode] ?? code)
      : JSON.stringify(value);
  }
  if (typeof value === 'string' && value in stateLabels) return stateLabels[value as TicketState];
  return String(value);
}

/** The ticket's audit trail, newest first, read again whenever the ticket's version moves. */
export function History(props: { ticketId: string; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { ticketId, headingRef } = props;
  const { nameOf } = usePeople();
  const { api } = usePortal();
  const fetcher = useCallback((cursor?: string) => api.history(ticketId, cursor), [api, ticketId]);
  const history = usePaged(fetcher, 'The history could not be loaded.', `history:${ticketId}`);
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading" ref={headingRef} tabIndex={-1}>
        History
      </h2>
      {history.status === 'loading' && history.items.length === 0 && (
        <p className="loading">Loading the history…</p>
      )}
      {history.error && <ErrorNotice message={history.error} onRetry={() => void history.reload()} />}
      {history.status === 'ready' && history.items.length === 0 && <p className="muted">No changes yet.</p>}
      {history.items.length > 0 && (
        <ol className="timeline">
          {history.items.map((entry: AuditEntry) => (
            <li key={`${entry.at}-${entry.field}`}>
              <DateTime iso={entry.at} /> · <span className="muted">{nameOf(entry.actor.email)}</span>
              <br />
              <strong>{fieldLabels[entry.field] ?? entry.field}</strong>: {show(entry.oldValue)} →{' '}
              {show(entry.newValue)}
              {entry.reason && <span className="muted"> ({entry.reason})</span>}
            </li>
          ))}
        </ol>
      )}
      {history.status !== 'failed' && (
        <LoadMore
          cursor={history.cursor}
          busy={history.status === 'loading-more'}
          onLoad={() => void history.loadMore()}
        />
      )}
    </section>
  );
}

import { type RefObject, useCallback } from 'react';
import { DateTime, ErrorNotice } from '../../shared/components.tsx';
import {
  holdReasonLabels,
  levelLabels,
  priorityLabels,
  resolutionLabels,
  stateLabels,
} from '../../shared/format.ts';
import { LoadMore } from '../../shared/load-more.tsx';
import { usePeople } from '../../shared/people.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useQuery } from '../../shared/query-cache.ts';
import type { AuditEntry, HoldReason, ResolutionCode, TicketState } from '../../shared/types.ts';
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
  links: 'Links',
  parentId: 'Parent ticket',
  subcategory: 'Subcategory',
};

const linkLabels: Record<string, string> = {
  relates_to: 'relates to',
  caused_by: 'caused by',
  duplicates: 'duplicate of',
  blocks: 'blocks',
};

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map((v) => show(v)).join(', ') : '—';
  if (typeof value === 'object') {
    const person = value as { name?: unknown; email?: unknown };
    if (typeof person.email === 'string') return typeof person.name === 'string' ? person.name : person.email;
    const link = value as { type?: unknown; ticketId?: unknown };
    if (typeof link.type === 'string' && typeof link.ticketId === 'string')
      return `${linkLabels[link.type] ?? link.type} another ticket`;
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string'
      ? (resolutionLabels[code as ResolutionCode] ?? code)
      : JSON.stringify(value);
  }
  if (typeof value === 'string' && value in stateLabels) return stateLabels[value as TicketState];
  return String(value);
}

/** A value in words for its field: names for people and groups, labels for codes and levels. */
function showField(
  field: string,
  value: unknown,
  names: { person: (email: string) => string; group: (id: string) => string },
): string {
  if (value === undefined || value === null || value === '') return '—';
  if (field === 'holdReason' && typeof value === 'string')
    return holdReasonLabels[value as HoldReason] ?? value;
  if (field === 'priority') return priorityLabels[Number(value)] ?? String(value);
  if (field === 'impact' || field === 'urgency') return levelLabels[Number(value)] ?? String(value);
  if (field === 'assignee' && typeof value === 'string') return names.person(value);
  if (field === 'assignmentGroup' && typeof value === 'string') return names.group(value);
  return show(value);
}

/** The ticket's audit trail, newest first, read again whenever the ticket's version moves. */
export function History(props: { ticketId: string; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { ticketId, headingRef } = props;
  const { nameOf } = usePeople();
  const { api } = usePortal();
  const fetcher = useCallback((cursor?: string) => api.history(ticketId, cursor), [api, ticketId]);
  const history = usePaged(fetcher, 'The history could not be loaded.', `history:${ticketId}`);
  const groups = useQuery(
    'groups',
    useCallback(() => api.listGroups(), [api]),
    'The groups could not be loaded.',
  );
  const names = {
    person: nameOf,
    group: (id: string) =>
      (groups.load.status === 'ready' ? groups.load.data.items.find((g) => g.id === id)?.name : undefined) ??
      id,
  };
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
              <strong>{fieldLabels[entry.field] ?? entry.field}</strong>:{' '}
              {showField(entry.field, entry.oldValue, names)} →{' '}
              {showField(entry.field, entry.newValue, names)}
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

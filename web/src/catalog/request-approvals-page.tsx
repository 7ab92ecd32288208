import { useCallback, useId, useMemo, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { catalogApi, type RequestInboxEntry } from './catalog-api.ts';
import './catalog.css';

const kinds: Readonly<Record<RequestInboxEntry['kind'], string>> = {
  manager: 'as their manager',
  group: 'for your group',
  cost: 'as cost approver',
};

/**
 * The request approvals waiting for me (a manager, a member of an approving group): each with
 * what was ordered and for whom, approved or rejected from here; a rejection needs the reason,
 * which is mailed to the requester. The mailed links decide the same steps.
 */
export function RequestApprovalsPage() {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  usePageTitle('Requests to approve');
  const fetcher = useCallback(() => catalog.inbox(), [catalog]);
  const { load, reload } = useQuery('requests:inbox', fetcher, 'Your approvals could not be loaded.');
  const [done, setDone] = useState<string>();
  return (
    <>
      <PageHeading>Requests to approve</PageHeading>
      <div role="status">{done && <Notice tone="success">{done}</Notice>}</div>
      {load.status === 'loading' && <Loading label="Loading your approvals…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">Nothing waits for your approval.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ul className="ticket-list" aria-label="Requests waiting for your approval">
          {load.data.items.map((entry) => (
            <InboxItem
              key={`${entry.requestId}-${entry.index}`}
              entry={entry}
              onDecide={async (decision, comment) => {
                await catalog.decide(entry.requestId, entry.index, decision, comment);
                setDone(`${entry.number} ${decision}.`);
                invalidate('requests');
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function InboxItem({
  entry,
  onDecide,
}: {
  entry: RequestInboxEntry;
  onDecide: (decision: 'approved' | 'rejected', comment?: string) => Promise<void>;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const decide = (decision: 'approved' | 'rejected') => {
    setError(undefined);
    const comment = reason.trim();
    if (decision === 'rejected' && !comment) {
      setError('A rejection needs a reason; it is mailed to the requester.');
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setBusy(true);
    onDecide(decision, comment || undefined).catch((failure: unknown) => {
      setBusy(false);
      setError(failure instanceof ApiError ? failure.message : 'Your decision could not be recorded.');
    });
  };
  return (
    <li className="ticket-item">
      <p className="ticket-summary">
        <Link to={paths.request(entry.requestId)}>
          {entry.number} · {entry.summary}
        </Link>
      </p>
      <p className="muted">
        For {entry.requestedFor}, {kinds[entry.kind]}
        {entry.cost !== undefined ? ` · cost ${entry.cost}` : ''} · ordered{' '}
        <DateTime iso={entry.requestedAt} />
      </p>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason for {entry.number}</label>
        <p className="hint" id={`${id}-hint`}>
          Needed to reject; mailed to the requester.
        </p>
        <textarea
          id={`${id}-reason`}
          rows={2}
          value={reason}
          aria-invalid={error ? true : undefined}
          aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        {error && (
          <p className="field-error" id={`${id}-error`} role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="form-actions">
        <button type="button" className="button" disabled={busy} onClick={() => decide('approved')}>
          Approve {entry.number}
        </button>
        <button type="button" className="button secondary" disabled={busy} onClick={() => decide('rejected')}>
          Reject {entry.number}
        </button>
      </div>
    </li>
  );
}

import { useCallback, useId, useMemo, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, Dialog, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { useLoad } from '../shared/use-load.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { changeApi, type InboxEntry, stepLabels } from './change-api.ts';
import './changes.css';

type Decision = 'approved' | 'rejected';

/** Approvers: the changes waiting for their decision, decided here after a confirmation. */
export function ApprovalsPage() {
  const { api } = usePortal();
  const changes = useMemo(() => changeApi(api), [api]);
  usePageTitle('Approvals');
  const fetcher = useCallback(() => changes.inbox(), [changes]);
  const { load, reload } = useLoad(fetcher, 'Your approvals could not be loaded.');
  const [deciding, setDeciding] = useState<{ entry: InboxEntry; decision: Decision }>();
  const [done, setDone] = useState<string>();

  return (
    <>
      <PageHeading>Approvals</PageHeading>
      <p className="lead">
        Changes waiting for your decision. Each decision is recorded with your name and comment.
      </p>
      {done && <Notice tone="success">{done}</Notice>}
      {load.status === 'loading' && <Loading label="Loading your approvals…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">Nothing is waiting for your approval.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ul className="ticket-list" aria-label="Changes waiting for your approval">
          {load.data.items.map((entry) => (
            <li key={`${entry.changeId}-${entry.step}`} className="ticket-item approval-item">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.change(entry.changeId)}>
                    {entry.number} · {entry.shortDescription}
                  </Link>
                </p>
                <p className="muted">
                  {entry.type} change{entry.risk ? `, ${entry.risk} risk` : ''} · as {stepLabels[entry.step]}
                  {entry.round !== 'request' ? ` · ${entry.round}` : ''}
                </p>
                <p className="muted">
                  Planned <DateTime iso={entry.plannedStart} /> to <DateTime iso={entry.plannedEnd} /> ·
                  requested by {entry.requester}
                </p>
              </div>
              <div className="button-row">
                <button
                  type="button"
                  className="button"
                  onClick={() => setDeciding({ entry, decision: 'approved' })}
                >
                  Approve <span className="visually-hidden">{entry.number}</span>
                </button>
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setDeciding({ entry, decision: 'rejected' })}
                >
                  Reject <span className="visually-hidden">{entry.number}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {deciding && (
        <DecisionDialog
          entry={deciding.entry}
          decision={deciding.decision}
          onClose={() => setDeciding(undefined)}
          onDecided={(message) => {
            setDeciding(undefined);
            setDone(message);
            void reload();
          }}
          decide={(comment) =>
            changes.decide(deciding.entry.changeId, deciding.entry.step, deciding.decision, comment)
          }
        />
      )}
    </>
  );
}

function DecisionDialog(props: {
  entry: InboxEntry;
  decision: Decision;
  onClose: () => void;
  onDecided: (message: string) => void;
  decide: (comment: string) => Promise<{ settled: boolean }>;
}) {
  const { entry, decision } = props;
  const id = useId();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const verb = decision === 'approved' ? 'Approve' : 'Reject';

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      const { settled } = await props.decide(comment.trim());
      props.onDecided(
        `${entry.number}: your ${decision === 'approved' ? 'approval' : 'rejection'} is recorded${settled ? ' and settles this approval' : '; other approvers still decide'}.`,
      );
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setBusy(false);
      setError(
        failure instanceof ApiError ? failure.message : 'Your decision could not be recorded. Try again.',
      );
    }
  }

  return (
    <Dialog open title={`${verb} ${entry.number}?`} onClose={props.onClose}>
      <p>{entry.shortDescription}</p>
      {error && <ErrorNotice message={error} />}
      <div className="field">
        <label htmlFor={`${id}-comment`}>
          Comment {decision === 'rejected' ? '(say why)' : '(optional)'}
        </label>
        <textarea
          id={`${id}-comment`}
          rows={3}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      <div className="button-row">
        <button
          type="button"
          className={decision === 'approved' ? 'button' : 'button button-danger'}
          disabled={busy}
          onClick={() => void confirm()}
        >
          {busy ? 'Recording…' : `${verb} ${entry.number}`}
        </button>
        <button type="button" className="button button-secondary" onClick={props.onClose}>
          Not now
        </button>
      </div>
    </Dialog>
  );
}

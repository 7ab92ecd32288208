import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { RecordCisPanel } from '../cmdb/record-cis-panel.tsx';
import { RecordImpact } from '../cmdb/record-impact.tsx';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, Dialog, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePeople } from '../shared/people.ts';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import {
  type AuditEntry,
  type ChangeState,
  type ChangeView,
  changeApi,
  changeStateLabels,
  moveLabels,
  nextChangeStates,
  type Questionnaire,
  stepLabels,
} from './change-api.ts';
import { previewLevel, RiskQuestions } from './risk-questions.tsx';
import './changes.css';

function quorumText(step: ChangeView['steps'][number]): string {
  const { quorum } = step;
  if (quorum.rule === 'n_of_m') return `${quorum.n} of ${step.approvers.length}`;
  return quorum.rule === 'any' ? 'any one' : 'all of them';
}

const needsReason: readonly ChangeState[] = ['cancelled', 'failed', 'backed_out'];

/** Who approves, in words (the API's route names are for the workflow). */
const routeLabels: Record<string, string> = {
  none: 'pre-approved, no approval needed',
  manager: "approved by the assignment group's manager",
  cab: 'approved by the change advisory board',
  cab_and_owner: 'approved by the change advisory board and the service owner',
  ecab: 'approved by the emergency CAB',
};

const stepStatusLabels: Record<ChangeView['steps'][number]['status'], string> = {
  pending: 'waiting for a decision',
  approved: 'approved',
  rejected: 'rejected',
  expired: 'expired without a decision',
  cancelled: 'no longer needed',
};

const roundNotes: Record<ChangeView['steps'][number]['round'], string> = {
  request: '',
  reminder: '; a reminder was sent',
  escalation: '; escalated',
};

/** A change: its plan, risk, approval, conflicts and freezes, what can happen next, and its history. */
export function ChangePage({ id }: { id: string }) {
  const { api, session } = usePortal();
  const { nameOf } = usePeople();
  const invalidate = useInvalidate();
  const changes = useMemo(() => changeApi(api), [api]);
  const fetcher = useCallback(() => changes.get(id), [changes, id]);
  const { load, reload, set } = useQuery(`change:${id}`, fetcher, 'The change could not be loaded.');
  const [history, setHistory] = useState<readonly AuditEntry[]>([]);
  const [questionnaire, setQuestionnaire] = useState<Questionnaire>();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<{ text: string; stale?: boolean }>();
  const [moving, setMoving] = useState<ChangeState>();
  const view = load.status === 'ready' ? load.data : undefined;
  usePageTitle(view ? `${view.change.number} ${view.change.shortDescription}` : 'Change');

  const version = view?.change.version;
  useEffect(() => {
    // Read again whenever the change moved on (its version changed).
    if (version === undefined) return;
    changes.history(id).then(
      (page) => setHistory(page.items),
      () => setHistory([]),
    );
  }, [changes, id, version]);
  useEffect(() => {
    changes.questionnaire().then(setQuestionnaire, () => undefined);
  }, [changes]);

  async function act(action: () => Promise<unknown>, done: string) {
    setError(undefined);
    setMessage(undefined);
    try {
      await action();
      set(await changes.get(id));
      // The lists, the calendar and the approvals inbox show this change too.
      invalidate('changes:');
      setMessage(done);
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      if (failure instanceof ApiError && failure.status === 409)
        setError({ text: 'This change was changed by someone else since you opened it.', stale: true });
      else
        setError({ text: failure instanceof ApiError ? failure.message : 'That did not work. Try again.' });
    }
  }

  if (load.status === 'loading') return <Loading label="Loading the change…" />;
  if (load.status === 'not-found')
    return (
      <>
        <PageHeading>Change not found</PageHeading>
        <p>It does not exist, or you may not see it.</p>
      </>
    );
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  const { change, steps, conflicts, freezes } = load.data;
  const editable = change.state === 'new' || change.state === 'assess';
  const level = change.risk.override?.level ?? change.risk.assessed;
  const mine = steps.filter(
    (s) =>
      s.status === 'pending' &&
      [...s.approvers, ...s.escalationApprovers].includes(session.email.toLowerCase()),
  );

  return (
    <>
      <PageHeading>
        {change.number} · {change.shortDescription}
      </PageHeading>
      <p>
        <span className={`badge change-badge-${change.state}`}>{changeStateLabels[change.state]}</span>{' '}
        <span className="muted">
          {change.type} change · {change.assignmentGroup} · requested by{' '}
          {change.requester.name ?? nameOf(change.requester.email)}
        </span>
      </p>
      {message && <Notice tone="success">{message}</Notice>}
      {error && (
        <div className="notice notice-error" role="alert">
          <p>{error.text}</p>
          {error.stale && (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                setError(undefined);
                void reload();
              }}
            >
              Reload the change
            </button>
          )}
        </div>
      )}
      {conflicts.length > 0 && (
        <div className="notice change-warning" role="note">
          <p>
            <strong>Conflict:</strong> the window overlaps{' '}
            {conflicts.map((c, i) => (
              <span key={c.changeId}>
                {i > 0 && ', '}
                <Link to={paths.change(c.changeId)}>{c.number}</Link> (
                {c.shared.map((s) => s.replace(/^\w+:/, '')).join(', ')})
              </span>
            ))}
            .
          </p>
        </div>
      )}
      {freezes.length > 0 && (
        <div className="notice change-warning" role="note">
          <p>
            <strong>Freeze:</strong> the window falls in {freezes.map((f) => `“${f.name}”`).join(', ')}.
            {change.freezeJustification && ` Justification: ${change.freezeJustification}`}
          </p>
        </div>
      )}

      {mine.length > 0 && (
        <Notice tone="info">
          Your decision is needed here: decide in your <Link to={paths.approvals}>approvals inbox</Link>.
        </Notice>
      )}

      <section aria-labelledby="plan-heading">
        <h2 id="plan-heading">Plan</h2>
        <dl className="change-facts">
          <div>
            <dt>Description</dt>
            <dd className="pre-wrap">{change.description || 'No description given.'}</dd>
          </div>
          <div>
            <dt>Planned</dt>
            <dd>
              <DateTime iso={change.plannedStart} /> to <DateTime iso={change.plannedEnd} />
            </dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>{change.services.join(', ') || '—'}</dd>
          </div>
          <div>
            <dt>Configuration items</dt>
            <dd>{change.configurationItems.join(', ') || '—'}</dd>
          </div>
          {(
            [
              ['Justification', change.justification],
              ['Implementation plan', change.implementationPlan],
              ['Backout plan', change.backoutPlan],
              ['Test plan', change.testPlan],
            ] as const
          ).map(([label, text]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd className="pre-wrap">{text}</dd>
            </div>
          ))}
        </dl>
      </section>

      <RecordCisPanel
        kind="change"
        id={change.id}
        labels={[...change.services, ...change.configurationItems]}
        editable={isAgent(session)}
      />
      <RecordImpact labels={[...change.services, ...change.configurationItems]} />

      <section aria-labelledby="risk-heading">
        <h2 id="risk-heading">Risk</h2>
        <p>
          {level ? <strong>{level}</strong> : 'Not assessed yet'}
          {change.risk.score !== undefined &&
            ` (questionnaire score ${change.risk.score}${change.risk.override ? `, assessed ${change.risk.assessed}` : ''})`}
          {change.risk.override &&
            ` — overridden by ${nameOf(change.risk.override.by.email)}: ${change.risk.override.reason}`}
        </p>
        {editable && change.type !== 'standard' && questionnaire && (
          <RiskEditor
            questionnaire={questionnaire}
            initial={change.risk.answers}
            onSave={(answers) =>
              act(
                () => changes.update(change.id, { version: change.version, riskAnswers: answers }),
                'Risk assessed.',
              )
            }
            onOverride={(override) =>
              act(
                () => changes.update(change.id, { version: change.version, riskOverride: override }),
                'Risk overridden.',
              )
            }
          />
        )}
      </section>

      <section aria-labelledby="approval-heading">
        <h2 id="approval-heading">Approval</h2>
        <p>
          Status: <strong>{change.approval.status.replaceAll('_', ' ')}</strong>
          {change.approval.route && ` · ${routeLabels[change.approval.route] ?? ''}`}
        </p>
        {steps.map((step) => (
          <div key={step.step} className="approval-step">
            <h3>
              {stepLabels[step.step]}: {stepStatusLabels[step.status]}{' '}
              <span className="muted">
                ({quorumText(step)} must approve{roundNotes[step.round]})
              </span>
            </h3>
            <p className="muted">
              Approvers:{' '}
              {[...step.approvers, ...step.escalationApprovers].map(nameOf).join(', ') || 'nobody yet'}
            </p>
            {step.decisions.length > 0 && (
              <ul>
                {step.decisions.map((d) => (
                  <li key={d.by.email + d.at}>
                    {nameOf(d.by.email)} {d.decision} <DateTime iso={d.at} />{' '}
                    {d.via === 'mail_link' ? 'from the mailed link' : 'in the portal'}
                    {d.comment && `: “${d.comment}”`}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </section>

      <section aria-labelledby="actions-heading">
        <h2 id="actions-heading">Next</h2>
        {nextChangeStates(change).length === 0 ? (
          <p className="muted">This change is finished.</p>
        ) : (
          <div className="button-row">
            {nextChangeStates(change).map((to) => (
              <button
                key={to}
                type="button"
                className={to === 'cancelled' || to === 'failed' ? 'button button-secondary' : 'button'}
                onClick={() =>
                  needsReason.includes(to) || to === 'closed'
                    ? setMoving(to)
                    : void act(
                        () => changes.move(change.id, { version: change.version, to }),
                        `${change.number} is now ${changeStateLabels[to].toLowerCase()}.`,
                      )
                }
              >
                {moveLabels[to] ?? changeStateLabels[to]}
              </button>
            ))}
          </div>
        )}
        {change.state === 'authorize' && (
          <p className="muted">Only the approvers move this change on; you may still cancel it.</p>
        )}
      </section>

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {history.length === 0 ? (
          <p className="empty">No history yet.</p>
        ) : (
          <ol className="timeline">
            {history.map((entry) => (
              <li key={`${entry.at}-${entry.field}-${String(entry.newValue)}`}>
                <DateTime iso={entry.at} /> · {nameOf(entry.actor.email)}: {entry.field}
                {entry.oldValue !== undefined && ` ${String(entry.oldValue)} →`}{' '}
                {entry.newValue !== undefined && String(entry.newValue)}
                {entry.reason && <span className="muted"> ({entry.reason})</span>}
              </li>
            ))}
          </ol>
        )}
      </section>

      {moving && (
        <MoveDialog
          to={moving}
          onClose={() => setMoving(undefined)}
          onConfirm={(extra) => {
            setMoving(undefined);
            void act(
              () => changes.move(change.id, { version: change.version, to: moving, ...extra }),
              `${change.number} is now ${changeStateLabels[moving].toLowerCase()}.`,
            );
          }}
        />
      )}
    </>
  );
}

function RiskEditor(props: {
  questionnaire: Questionnaire;
  initial: Record<string, string>;
  onSave: (answers: Record<string, string>) => Promise<void>;
  onOverride: (override: { level: string; reason: string }) => Promise<void>;
}) {
  const id = useId();
  const [answers, setAnswers] = useState(props.initial);
  const [level, setLevel] = useState('high');
  const [reason, setReason] = useState('');
  const preview = previewLevel(props.questionnaire, answers);
  return (
    <details className="risk-editor">
      <summary>Answer the risk questionnaire or override the risk</summary>
      <RiskQuestions questionnaire={props.questionnaire} answers={answers} onChange={setAnswers} />
      <p role="status">
        {preview
          ? `Risk: ${preview.level} (score ${preview.score})`
          : 'Answer every question to see the risk.'}
      </p>
      <button type="button" className="button" disabled={!preview} onClick={() => void props.onSave(answers)}>
        Save the assessment
      </button>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-level`}>Override the level</label>
          <select id={`${id}-level`} value={level} onChange={(e) => setLevel(e.target.value)}>
            <option value="low">low</option>
            <option value="medium">medium</option>
            <option value="high">high</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason for the override</label>
          <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
      </div>
      <button
        type="button"
        className="button button-secondary"
        disabled={!reason.trim()}
        onClick={() => void props.onOverride({ level, reason: reason.trim() })}
      >
        Override the risk
      </button>
    </details>
  );
}

function MoveDialog(props: {
  to: ChangeState;
  onClose: () => void;
  onConfirm: (extra: { reason?: string; closeCode?: string; closeNotes?: string }) => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [closeCode, setCloseCode] = useState('successful');
  const closing = props.to === 'closed';
  return (
    <Dialog open title={moveLabels[props.to] ?? changeStateLabels[props.to]} onClose={props.onClose}>
      {closing && (
        <div className="field">
          <label htmlFor={`${id}-code`}>Close code</label>
          <select id={`${id}-code`} value={closeCode} onChange={(e) => setCloseCode(e.target.value)}>
            <option value="successful">Successful</option>
            <option value="successful_with_issues">Successful with issues</option>
            <option value="unsuccessful">Unsuccessful</option>
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-text`}>{closing ? 'Close notes' : 'Reason'} (required)</label>
        <textarea id={`${id}-text`} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={!text.trim()}
          onClick={() =>
            props.onConfirm(closing ? { closeCode, closeNotes: text.trim() } : { reason: text.trim() })
          }
        >
          {moveLabels[props.to] ?? 'Confirm'}
        </button>
        <button type="button" className="button button-secondary" onClick={props.onClose}>
          Back
        </button>
      </div>
    </Dialog>
  );
}

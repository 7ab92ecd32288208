import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { changeStateLabels } from '../changes/change-api.ts';
import { ApiError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import {
  goNoGoLabels,
  type ReleaseStage,
  type ReleaseView,
  releaseApi,
  releaseMoveLabels,
  releaseStageLabels,
} from './release-api.ts';
import { ReleaseNotesPanel } from './release-notes-panel.tsx';
import './releases.css';

const flow: ReleaseStage[] = ['plan', 'build', 'test', 'deploy', 'review', 'closed'];
const failureOf = (error: unknown, fallback: string) =>
  error instanceof ApiError ? error.message : fallback;

/** One release: its stages, its changes, its go/no-go decision and its notes. */
export function ReleasePage({ id }: { id: string }) {
  const { api } = usePortal();
  const releases = useMemo(() => releaseApi(api), [api]);
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => releases.get(id), [releases, id]);
  const { load, reload } = useQuery(`releases:one:${id}`, fetcher, 'The release could not be loaded.');
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  usePageTitle(load.status === 'ready' ? `${load.data.release.number} ${load.data.release.name}` : 'Release');
  if (load.status === 'loading') return <Loading label="Loading the release…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found')
    return <ErrorNotice message="There is no such release, or you may not see it." />;
  const view = load.data;
  const { release } = view;
  const act = (work: () => Promise<unknown>, fallback: string) => {
    setBusy(true);
    setFailure(undefined);
    work().then(
      () => {
        setBusy(false);
        invalidate(`releases:`);
      },
      (error: unknown) => {
        setBusy(false);
        setFailure(failureOf(error, fallback));
      },
    );
  };
  return (
    <>
      <PageHeading>
        {release.number} · {release.name}
        {release.versionLabel ? ` ${release.versionLabel}` : ''}
      </PageHeading>
      <p className="muted">
        Planned <DateTime iso={release.plannedStart} /> – <DateTime iso={release.plannedEnd} /> · managed by{' '}
        {release.manager.name ?? release.manager.email}
      </p>
      <ol className="stage-list" aria-label="Stages">
        {flow.map((stage) => (
          <li
            key={stage}
            aria-current={stage === release.stage ? 'step' : undefined}
            className={stage === release.stage ? 'stage-current' : ''}
          >
            {releaseStageLabels[stage]}
          </li>
        ))}
      </ol>
      {release.stage === 'cancelled' && <Notice tone="error">Cancelled: {release.cancelReason}</Notice>}
      {failure && <ErrorNotice message={failure} />}
      <Moves view={view} busy={busy} act={act} move={(input) => releases.move(release.id, input)} />
      <section aria-labelledby="go-no-go" className="panel">
        <h2 id="go-no-go">Go/no-go</h2>
        <p>
          Decision: <strong>{goNoGoLabels[release.goNoGo.status]}</strong>
          {view.goNoGo?.decisions.map((d) => (
            <span key={`${d.by.email}${d.at}`} className="muted">
              {' '}
              · {d.by.email}: {d.decision === 'approved' ? 'go' : 'no-go'}
              {d.comment ? ` (“${d.comment}”)` : ''}
            </span>
          ))}
        </p>
        {view.mayManage &&
          release.stage === 'test' &&
          !['pending', 'approved'].includes(release.goNoGo.status) && (
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() =>
                act(
                  () => releases.askGoNoGo(release.id, release.version),
                  'The decision could not be asked for.',
                )
              }
            >
              Ask for go/no-go
            </button>
          )}
        {view.mayDecide && (
          <Decide
            busy={busy}
            onDecide={(d, c) =>
              act(() => releases.decide(release.id, d, c), 'Your decision could not be recorded.')
            }
          />
        )}
      </section>
      <Changes view={view} busy={busy} act={act} releases={releases} />
      <ReleaseNotesPanel id={release.id} />
      <p>
        <Link to={paths.releases()}>All releases</Link> ·{' '}
        <Link to={paths.releaseCalendar()}>Release calendar</Link>
      </p>
    </>
  );
}

type Act = (work: () => Promise<unknown>, fallback: string) => void;

function Moves(props: {
  view: ReleaseView;
  busy: boolean;
  act: Act;
  move: (input: {
    version: number;
    to: ReleaseStage;
    cancelReason?: string;
    closeNotes?: string;
  }) => Promise<unknown>;
}) {
  const id = useId();
  const { release } = props.view;
  // Deploy is offered once the go is in (the API refuses it before, naming why).
  const nextStages = props.view.nextStages.filter(
    (to) => to !== 'deploy' || release.goNoGo.status === 'approved',
  );
  const [reason, setReason] = useState('');
  if (nextStages.length === 0) return null;
  const needs = (to: ReleaseStage) =>
    to === 'cancelled' ? 'cancelReason' : to === 'closed' ? 'closeNotes' : undefined;
  const needed = nextStages.some((to) => needs(to));
  return (
    <section aria-labelledby={`${id}-moves`} className="panel">
      <h2 id={`${id}-moves`}>Move the release</h2>
      {needed && (
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason or closing notes (to cancel or close)</label>
          <textarea
            id={`${id}-reason`}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
        </div>
      )}
      <div className="button-row">
        {nextStages.map((to) => (
          <button
            key={to}
            type="button"
            className={to === 'cancelled' ? 'button button-secondary' : 'button'}
            disabled={props.busy}
            onClick={() => {
              const field = needs(to);
              props.act(
                () =>
                  props.move({
                    version: release.version,
                    to,
                    ...(field && reason.trim() ? { [field]: reason.trim() } : {}),
                  }),
                'The release could not be moved.',
              );
            }}
          >
            {releaseMoveLabels[to]}
          </button>
        ))}
      </div>
    </section>
  );
}

function Decide({
  busy,
  onDecide,
}: {
  busy: boolean;
  onDecide: (decision: 'approved' | 'rejected', comment: string) => void;
}) {
  const id = useId();
  const [comment, setComment] = useState('');
  return (
    <div className="form">
      <div className="field">
        <label htmlFor={`${id}-comment`}>Comment</label>
        <textarea
          id={`${id}-comment`}
          rows={2}
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
        />
      </div>
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => onDecide('approved', comment.trim())}
        >
          Go
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          onClick={() => onDecide('rejected', comment.trim())}
        >
          No-go
        </button>
      </div>
    </div>
  );
}

function Changes(props: {
  view: ReleaseView;
  busy: boolean;
  act: Act;
  releases: ReturnType<typeof releaseApi>;
}) {
  const id = useId();
  const { release, changes, mayManage } = props.view;
  const editable = mayManage && ['plan', 'build', 'test'].includes(release.stage);
  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const number = String(new FormData(form).get('number') ?? '').trim();
    if (number)
      props.act(
        () => props.releases.addChange(release.id, number).then(() => form.reset()),
        'The change could not be added.',
      );
  };
  return (
    <section aria-labelledby={`${id}-changes`} className="panel">
      <h2 id={`${id}-changes`}>Changes ({changes.length})</h2>
      {changes.length === 0 && <p className="empty">No changes in this release yet.</p>}
      {changes.length > 0 && (
        <ul className="ticket-list" aria-label="Changes of the release">
          {changes.map((change) => (
            <li key={change.id} className="ticket-item">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.change(change.id)}>
                    {change.number} · {change.shortDescription}
                  </Link>
                </p>
                <p className="muted">
                  {changeStateLabels[change.state]} · {change.type} · <DateTime iso={change.plannedStart} />
                </p>
              </div>
              {editable && (
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={props.busy}
                  aria-label={`Remove ${change.number}`}
                  onClick={() =>
                    props.act(
                      () => props.releases.removeChange(release.id, change.id),
                      'The change could not be removed.',
                    )
                  }
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="filter-row" aria-label="Add a change" onSubmit={add}>
          <div className="field field-inline">
            <label htmlFor={`${id}-number`}>Change number</label>
            <input id={`${id}-number`} name="number" placeholder="CHG0001001" required />
            <button type="submit" className="button button-secondary" disabled={props.busy}>
              Add change
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

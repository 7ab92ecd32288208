import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { goNoGoLabels, type ReleaseStage, releaseApi, releaseStageLabels } from './release-api.ts';

const stages = Object.keys(releaseStageLabels) as ReleaseStage[];

/** Releases by stage, the way to a new one (change managers) and to the release calendar. */
export function ReleasesPage({ search }: { search: string }) {
  const { api } = usePortal();
  const releases = useMemo(() => releaseApi(api), [api]);
  usePageTitle('Releases');
  const id = useId();
  const asked = new URLSearchParams(search).get('stage') as ReleaseStage;
  const stage = stages.includes(asked) ? asked : 'plan';
  const [creating, setCreating] = useState(false);
  const fetcher = useCallback(() => releases.list(stage), [releases, stage]);
  const { load, reload } = useQuery(`releases:list:${stage}`, fetcher, 'The releases could not be loaded.');
  return (
    <>
      <PageHeading>Releases</PageHeading>
      <div className="button-row">
        <button
          type="button"
          className="button"
          onClick={() => setCreating((c) => !c)}
          aria-expanded={creating}
        >
          New release
        </button>
        <Link to={paths.releaseCalendar()} className="button button-secondary">
          Release calendar
        </Link>
      </div>
      {creating && <NewReleaseForm onCancel={() => setCreating(false)} />}
      <div className="filter-row">
        <div className="field field-inline">
          <label htmlFor={`${id}-stage`}>Stage</label>
          <select
            id={`${id}-stage`}
            value={stage}
            onChange={(event) => navigate(paths.releases({ stage: event.target.value }), { replace: true })}
          >
            {stages.map((s) => (
              <option key={s} value={s}>
                {releaseStageLabels[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {load.status === 'loading' && <Loading label="Loading releases…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">No releases in {releaseStageLabels[stage].toLowerCase()}.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ul className="ticket-list" aria-label="Releases">
          {load.data.items.map((release) => (
            <li key={release.id} className="ticket-item">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.release(release.id)}>
                    {release.number} · {release.name}
                    {release.versionLabel ? ` ${release.versionLabel}` : ''}
                  </Link>
                </p>
                <p className="muted">
                  <DateTime iso={release.plannedStart} /> – <DateTime iso={release.plannedEnd} /> · go/no-go:{' '}
                  {goNoGoLabels[release.goNoGo.status].toLowerCase()}
                </p>
              </div>
              <span className="badge">{releaseStageLabels[release.stage]}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Datetime-local value (local time) → ISO with the viewer's offset applied. */
const isoOf = (local: string) => new Date(local).toISOString();

function NewReleaseForm({ onCancel }: { onCancel: () => void }) {
  const { api } = usePortal();
  const id = useId();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    releaseApi(api)
      .create({
        name: text('name'),
        ...(text('versionLabel') ? { versionLabel: text('versionLabel') } : {}),
        plannedStart: text('plannedStart') ? isoOf(text('plannedStart')) : '',
        plannedEnd: text('plannedEnd') ? isoOf(text('plannedEnd')) : '',
      })
      .then(
        (release) => navigate(paths.release(release.id)),
        (error: unknown) => {
          setBusy(false);
          setFailure(error instanceof ApiError ? error.message : 'The release could not be created.');
        },
      );
  };
  return (
    <form className="form panel" aria-label="New release" onSubmit={submit}>
      {failure && <ErrorNotice message={failure} />}
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} name="name" required maxLength={160} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-version`}>Version (optional)</label>
        <input id={`${id}-version`} name="versionLabel" maxLength={40} placeholder="e.g. 2026.12" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-start`}>Planned start</label>
        <input id={`${id}-start`} name="plannedStart" type="datetime-local" required />
      </div>
      <div className="field">
        <label htmlFor={`${id}-end`}>Planned end</label>
        <input id={`${id}-end`} name="plannedEnd" type="datetime-local" required />
      </div>
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          Create release
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

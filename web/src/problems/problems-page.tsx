import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading, PriorityBadge } from '../shared/components.tsx';
import { levelLabels } from '../shared/format.ts';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type ProblemState, problemApi, problemStateLabels } from './problem-api.ts';

const states = Object.keys(problemStateLabels) as ProblemState[];

/** Problem management: problems by state or group, the way to a new one, and Spoke's suggestions. */
export function ProblemsPage({ search }: { search: string }) {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  usePageTitle('Problems');
  const id = useId();
  const params = new URLSearchParams(search);
  const group = params.get('group') ?? '';
  const state = (
    states.includes(params.get('state') as ProblemState) ? params.get('state') : 'new'
  ) as ProblemState;
  const [cursor, setCursor] = useState<string>();
  const [creating, setCreating] = useState(false);
  const fetcher = useCallback(
    () => problems.list(group ? { group, cursor } : { state, cursor }),
    [problems, group, state, cursor],
  );
  const { load, reload } = useQuery(
    `problems:list:${group || state}:${cursor ?? ''}`,
    fetcher,
    'The problems could not be loaded.',
  );
  const show = (next: Record<string, string>) => {
    setCursor(undefined);
    navigate(paths.problems(next), { replace: true });
  };

  return (
    <>
      <PageHeading>Problems</PageHeading>
      <div className="button-row">
        <button
          type="button"
          className="button"
          onClick={() => setCreating((c) => !c)}
          aria-expanded={creating}
        >
          New problem
        </button>
        <Link to={paths.knownErrors} className="button button-secondary">
          Known errors
        </Link>
      </div>
      {creating && <NewProblemForm onCancel={() => setCreating(false)} />}
      <Suggestions />
      <form
        className="filter-row"
        aria-label="Which problems"
        onSubmit={(event) => {
          event.preventDefault();
          const value = String(new FormData(event.currentTarget).get('group') ?? '').trim();
          show(value ? { group: value } : { state });
        }}
      >
        <div className="field field-inline">
          <label htmlFor={`${id}-state`}>State</label>
          <select
            id={`${id}-state`}
            value={group ? '' : state}
            onChange={(event) => show({ state: event.target.value })}
          >
            {group && <option value="">Any (by group)</option>}
            {states.map((s) => (
              <option key={s} value={s}>
                {problemStateLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={`${id}-group`}>Or group</label>
          <input id={`${id}-group`} name="group" defaultValue={group} placeholder="e.g. network" />
          <button type="submit" className="button button-secondary">
            Show
          </button>
        </div>
      </form>
      {load.status === 'loading' && <Loading label="Loading problems…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">
          No problems{' '}
          {group ? `of the group ${group}` : `in the state ${problemStateLabels[state].toLowerCase()}`}.
        </p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <>
          <ul className="ticket-list" aria-label="Problems">
            {load.data.items.map((problem) => (
              <li key={problem.id} className="ticket-item">
                <div>
                  <p className="ticket-summary">
                    <Link to={paths.problem(problem.id)}>
                      {problem.number} · {problem.shortDescription}
                    </Link>
                  </p>
                  <p className="muted">
                    {[problem.assignmentGroup ?? 'no group', ...problem.services].join(' · ')} · updated{' '}
                    <DateTime iso={problem.updatedAt} />
                    {problem.workaroundPublished && ' · known error'}
                  </p>
                </div>
                <span className="badge-pair">
                  <PriorityBadge priority={problem.priority} />
                  <span className="badge">{problemStateLabels[problem.state]}</span>
                </span>
              </li>
            ))}
          </ul>
          {load.data.cursor && (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setCursor(load.data.cursor)}
            >
              Next page
            </button>
          )}
        </>
      )}
    </>
  );
}

/** Services and categories with many incidents lately: shown to problem managers only. */
function Suggestions() {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  const fetcher = useCallback(() => problems.suggestions(), [problems]);
  const { load } = useQuery('problems:suggestions', fetcher, 'The suggestions could not be loaded.');
  if (load.status !== 'ready' || load.data.items.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="suggestions-heading">
      <h2 id="suggestions-heading">Suggested problems</h2>
      <ul>
        {load.data.items.map((s) => (
          <li key={`${s.dimension}:${s.value}:${s.day}`}>
            {s.incidents} incidents on the {s.dimension} <strong>{s.value}</strong> in {s.windowDays} days (to{' '}
            {s.day})
          </li>
        ))}
      </ul>
    </section>
  );
}

export function NewProblemForm({ onCancel, fromTicketId }: { onCancel: () => void; fromTicketId?: string }) {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  const invalidate = useInvalidate();
  const id = useId();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    if (!text('shortDescription') && !fromTicketId) return setError('Describe the problem in one line.');
    setBusy(true);
    setError(undefined);
    try {
      const problem = await problems.create({
        ...(text('shortDescription') ? { shortDescription: text('shortDescription') } : {}),
        description: text('description'),
        ...(text('service') ? { services: [text('service')] } : {}),
        ...(text('category') ? { category: text('category') } : {}),
        ...(text('group') ? { assignmentGroup: text('group') } : {}),
        impact: Number(text('impact') || 3) as 1 | 2 | 3,
        urgency: Number(text('urgency') || 3) as 1 | 2 | 3,
        ...(fromTicketId ? { fromTicketId } : {}),
      });
      invalidate('problems:');
      navigate(paths.problem(problem.id));
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${f.path} ${f.message}`).join('; ');
        setError(fields ? `${failure.message}: ${fields}` : failure.message);
      } else setError('The problem could not be opened. Try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h2 id={`${id}-heading`}>New problem</h2>
      <div className="field">
        <label htmlFor={`${id}-short`}>Problem statement (one line)</label>
        <input id={`${id}-short`} name="shortDescription" maxLength={160} required={!fromTicketId} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea id={`${id}-description`} name="description" rows={4} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-service`}>Affected service</label>
        <input id={`${id}-service`} name="service" maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-category`}>Category</label>
        <input id={`${id}-category`} name="category" maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-group`}>Assignment group</label>
        <input id={`${id}-group`} name="group" maxLength={64} />
      </div>
      <div className="field field-inline">
        <label htmlFor={`${id}-impact`}>Impact</label>
        <select id={`${id}-impact`} name="impact" defaultValue="3">
          {[1, 2, 3].map((l) => (
            <option key={l} value={l}>
              {levelLabels[l]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-urgency`}>Urgency</label>
        <select id={`${id}-urgency`} name="urgency" defaultValue="3">
          {[1, 2, 3].map((l) => (
            <option key={l} value={l}>
              {levelLabels[l]}
            </option>
          ))}
        </select>
      </div>
      {error && <ErrorNotice message={error} />}
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Opening…' : 'Open problem'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

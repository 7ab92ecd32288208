import { useCallback, useId, useMemo, useState } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { problemApi, problemStateLabels } from './problem-api.ts';

/** The known-error database: published workarounds, searchable by words, service or category. */
export function KnownErrorsPage() {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  usePageTitle('Known errors');
  const id = useId();
  const [q, setQ] = useState('');
  const fetcher = useCallback(() => problems.knownErrors(q ? { q } : {}), [problems, q]);
  const { load, reload } = useQuery(`problems:known:${q}`, fetcher, 'The known errors could not be loaded.');
  return (
    <>
      <PageHeading>Known errors</PageHeading>
      <p className="muted">Problems with a published workaround, while they are still open.</p>
      <search>
        <form
          className="filter-row"
          onSubmit={(event) => {
            event.preventDefault();
            setQ(String(new FormData(event.currentTarget).get('q') ?? '').trim());
          }}
        >
          <div className="field field-inline">
            <label htmlFor={`${id}-q`}>Words</label>
            <input id={`${id}-q`} name="q" type="search" defaultValue={q} maxLength={200} />
            <button type="submit" className="button button-secondary">
              Search
            </button>
          </div>
        </form>
      </search>
      {load.status === 'loading' && <Loading label="Loading known errors…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">No known errors match.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ul className="ticket-list" aria-label="Known errors">
          {load.data.items.map((error) => (
            <li key={error.id} className="ticket-item known-error">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.problem(error.id)}>
                    {error.number} · {error.shortDescription}
                  </Link>
                </p>
                <p className="muted">
                  {[...error.services, error.category].filter(Boolean).join(' · ') || 'no service'} ·{' '}
                  {problemStateLabels[error.state]}
                </p>
                <p className="text-body">
                  <strong>Workaround:</strong> {error.workaround}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

import { useCallback, useMemo } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { goNoGoLabels, releaseApi, releaseStageLabels } from './release-api.ts';
import '../changes/changes.css';

const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/**
 * The release calendar, next to the change calendar: the releases whose planned window meets
 * a month, in the viewer's time zone, each with its stage and go/no-go.
 */
export function ReleaseCalendarPage({ search }: { search: string }) {
  const { api } = usePortal();
  const releases = useMemo(() => releaseApi(api), [api]);
  const asked = new URLSearchParams(search).get('month');
  const parsed = asked && /^\d{4}-\d{2}$/.test(asked) ? new Date(`${asked}-01T00:00:00`) : new Date();
  const first = new Date(parsed.getFullYear(), parsed.getMonth(), 1);
  const next = new Date(parsed.getFullYear(), parsed.getMonth() + 1, 1);
  const previous = new Date(parsed.getFullYear(), parsed.getMonth() - 1, 1);
  const title = monthName.format(first);
  usePageTitle(`Release calendar: ${title}`);
  const monthOf = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
  const fromIso = first.toISOString();
  const toIso = next.toISOString();
  const fetcher = useCallback(() => releases.calendar(fromIso, toIso), [releases, fromIso, toIso]);
  const { load, reload } = useQuery(
    `releases:calendar:${fromIso}`,
    fetcher,
    'The release calendar could not be loaded.',
  );
  return (
    <>
      <PageHeading>Release calendar: {title}</PageHeading>
      <div className="button-row calendar-controls">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => navigate(paths.releaseCalendar({ month: monthOf(previous) }))}
        >
          ← Previous month
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => navigate(paths.releaseCalendar())}
        >
          This month
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => navigate(paths.releaseCalendar({ month: monthOf(next) }))}
        >
          Next month →
        </button>
        <Link to={paths.changeCalendar({ date: `${monthOf(first)}-01` })} className="button button-secondary">
          Change calendar
        </Link>
      </div>
      <p className="muted">Times in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).</p>
      {load.status === 'loading' && <Loading label="Loading the release calendar…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.releases.length === 0 && (
        <p className="empty">No releases planned in {title}.</p>
      )}
      {load.status === 'ready' && load.data.releases.length > 0 && (
        <ol className="ticket-list" aria-label={`Releases in ${title}`}>
          {load.data.releases.map((release) => (
            <li key={release.id} className="ticket-item">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.release(release.id)}>
                    {release.number} · {release.name}
                  </Link>
                </p>
                <p className="muted">
                  {day.format(new Date(release.plannedStart))} – {day.format(new Date(release.plannedEnd))} ·
                  go/no-go: {goNoGoLabels[release.goNoGo.status].toLowerCase()}
                </p>
              </div>
              <span className="badge">{releaseStageLabels[release.stage]}</span>
            </li>
          ))}
        </ol>
      )}
      <p>
        <Link to={paths.releases()}>All releases</Link>
      </p>
    </>
  );
}

import { useCallback, useMemo } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { changeApi, changeStateLabels } from './change-api.ts';
import './changes.css';

/** Midnight of a local date. */
const startOfDay = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
const addDays = (date: Date, days: number) =>
  new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
/** Monday of the week the date is in (weeks start on Monday, as in ISO 8601). */
const mondayOf = (date: Date) => addDays(startOfDay(date), -((date.getDay() + 6) % 7));
const localDate = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
const overlaps = (start: string, end: string, from: Date, to: Date) =>
  Date.parse(start) < to.getTime() && Date.parse(end) > from.getTime();

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayName = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });

/**
 * The change calendar: a month or a week of changes in the viewer's time zone, freeze windows
 * marked on their days and conflicting changes flagged. Reads the calendar API once per view.
 */
export function CalendarPage({ search }: { search: string }) {
  const { api } = usePortal();
  const changes = useMemo(() => changeApi(api), [api]);
  const params = new URLSearchParams(search);
  const view = params.get('view') === 'week' ? 'week' : 'month';
  // `date` is what the page writes; `from` (a date or an ISO time) is accepted from links too.
  const asked = params.get('date') ?? params.get('from')?.slice(0, 10);
  const anchor = asked ? new Date(`${asked}T00:00:00`) : new Date();
  const valid = Number.isNaN(anchor.getTime()) ? new Date() : anchor;
  const first =
    view === 'week' ? mondayOf(valid) : mondayOf(new Date(valid.getFullYear(), valid.getMonth(), 1));
  const days = Array.from({ length: view === 'week' ? 7 : 42 }, (_, i) => addDays(first, i));
  const from = days[0] as Date;
  const to = addDays(days.at(-1) as Date, 1);
  const title = view === 'week' ? `Week of ${dayName.format(from)}` : monthName.format(valid);
  usePageTitle(`Change calendar: ${title}`);

  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  const fetcher = useCallback(() => changes.calendar(fromIso, toIso), [changes, fromIso, toIso]);
  const { load, reload } = useQuery(
    `changes:calendar:${fromIso}:${toIso}`,
    fetcher,
    'The change calendar could not be loaded.',
  );

  const go = (date: Date, nextView = view) =>
    navigate(paths.changeCalendar({ view: nextView, date: localDate(date) }));
  const step = view === 'week' ? 7 : 0;
  const previous =
    view === 'week' ? addDays(valid, -step) : new Date(valid.getFullYear(), valid.getMonth() - 1, 1);
  const next =
    view === 'week' ? addDays(valid, step) : new Date(valid.getFullYear(), valid.getMonth() + 1, 1);

  return (
    <>
      <PageHeading>Change calendar: {title}</PageHeading>
      <div className="button-row calendar-controls">
        <button type="button" className="button button-secondary" onClick={() => go(previous)}>
          ← Previous {view}
        </button>
        <button type="button" className="button button-secondary" onClick={() => go(new Date())}>
          Today
        </button>
        <button type="button" className="button button-secondary" onClick={() => go(next)}>
          Next {view} →
        </button>
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={view === 'month'}
          onClick={() => go(valid, 'month')}
        >
          Month
        </button>
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={view === 'week'}
          onClick={() => go(valid, 'week')}
        >
          Week
        </button>
      </div>
      <p className="muted">
        Times in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).{' '}
        <span className="legend-frozen">Shaded days</span> are in a freeze window;{' '}
        <span className="conflict-mark">⚠ conflict</span> marks changes that overlap on the same service or
        item.
      </p>
      {load.status === 'loading' && <Loading label="Loading the calendar…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && (
        <ol className={`calendar calendar-${view}`} aria-label={title}>
          {days.map((day) => {
            const end = addDays(day, 1);
            const frozen = load.data.freezes.filter((f) => overlaps(f.start, f.end, day, end));
            const today = localDate(day) === localDate(new Date());
            const inMonth = view === 'week' || day.getMonth() === valid.getMonth();
            const items = load.data.changes.filter((c) => overlaps(c.plannedStart, c.plannedEnd, day, end));
            return (
              <li
                key={day.getTime()}
                className={[
                  'calendar-day',
                  frozen.length ? 'day-frozen' : '',
                  inMonth ? '' : 'day-outside',
                  today ? 'day-today' : '',
                ].join(' ')}
                aria-current={today ? 'date' : undefined}
              >
                <h2 className="calendar-date">{dayName.format(day)}</h2>
                {frozen.map((f) => (
                  <p key={f.id} className="freeze-label">
                    Freeze: {f.name}
                  </p>
                ))}
                {items.length > 0 && (
                  <ul className="calendar-items">
                    {items.map((c) => (
                      <li
                        key={c.id}
                        className={c.conflicts.length ? 'calendar-item has-conflict' : 'calendar-item'}
                      >
                        <Link to={paths.change(c.id)}>
                          {Date.parse(c.plannedStart) >= day.getTime() &&
                            `${time.format(new Date(c.plannedStart))} `}
                          {c.number}
                        </Link>{' '}
                        <span className="muted">
                          {changeStateLabels[c.state]} · {c.shortDescription}
                        </span>
                        {c.conflicts.length > 0 && (
                          <span className="conflict-mark">
                            {' '}
                            ⚠ conflict with {c.conflicts.map((x) => x.number).join(', ')}
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {load.status === 'ready' && load.data.changes.length === 0 && (
        <p className="empty">No changes planned in this {view}.</p>
      )}
      <p>
        <Link to={paths.changes}>All changes</Link> ·{' '}
        <Link to={paths.releaseCalendar()}>Release calendar</Link>
      </p>
    </>
  );
}

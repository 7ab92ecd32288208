import { type FormEvent, type ReactNode, useCallback, useId, useMemo, useState } from 'react';
import './sla.css';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { type StoredCalendar, slaApi } from './sla-api.ts';

const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;

const zones = (): readonly string[] => {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return supported ? supported('timeZone') : [];
};
const list = (text: FormDataEntryValue | null) =>
  String(text ?? '')
    .split(/[\n,]+/)
    .map((part) => part.trim())
    .filter(Boolean);

/** The form's values as the API takes them (`PUT /api/sla/calendars/{id}`). */
function inputOf(form: FormData, version: number) {
  const around = form.get('around') === 'on';
  const hours = Object.fromEntries(
    DAYS.map(([day]) => [day, list(form.get(`hours-${day}`))] as const).filter(
      ([, ranges]) => ranges.length > 0,
    ),
  );
  const from = String(form.get('from') ?? '').trim();
  const to = String(form.get('to') ?? '').trim();
  return {
    name: String(form.get('name') ?? ''),
    calendar: {
      timeZone: String(form.get('timeZone') ?? '').trim(),
      hours: around ? ('24x7' as const) : hours,
      holidays: list(form.get('holidays')),
      ...(from || to ? { years: { from: Number(from), to: Number(to) } } : {}),
    },
    services: list(form.get('services')),
    groups: list(form.get('groups')),
    version,
  };
}

/** One calendar's editor; a problem the server finds is shown at the field it names. */
function CalendarForm({ calendar, onSaved }: { calendar?: StoredCalendar; onSaved: (id: string) => void }) {
  const { api } = usePortal();
  const sla = useMemo(() => slaApi(api), [api]);
  const id = useId();
  const [errors, setErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const [failure, setFailure] = useState<string>();
  const [around, setAround] = useState(calendar?.calendar.hours === '24x7');
  const hours = calendar && calendar.calendar.hours !== '24x7' ? calendar.calendar.hours : undefined;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const calendarId = calendar?.id ?? String(form.get('id') ?? '').trim();
    setErrors(new Map());
    setFailure(undefined);
    try {
      await sla.saveCalendar(calendarId, inputOf(form, calendar?.version ?? 0));
      onSaved(calendarId);
    } catch (error) {
      if (!(error instanceof ApiError)) return setFailure('The calendar could not be saved.');
      setErrors(
        new Map(
          error.fields.map((f) => [
            f.path.replace(/^calendar\./, '').replace(/\[(\d+)\]/g, '.$1'),
            f.message,
          ]),
        ),
      );
      setFailure([error.message, ...error.fields.map((f) => `${f.path}: ${f.message}`)].join(' '));
    }
  }

  /** The error of a field, or of any field under it (`holidays` for `holidays.2`). */
  const errorOf = (field: string) =>
    errors.get(field) ?? [...errors].find(([path]) => path.startsWith(`${field}.`))?.[1];
  const field = (name: string, label: string, input: (props: Record<string, unknown>) => ReactNode) => {
    const error = errorOf(name);
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        {input({
          id: `${id}-${name}`,
          name: name.replace('hours.', 'hours-').replace('years.', ''),
          'aria-invalid': error ? true : undefined,
          'aria-describedby': error ? `${id}-${name}-error` : undefined,
        })}
        {error && (
          <p className="field-error" id={`${id}-${name}-error`}>
            {label}: {error}
          </p>
        )}
      </div>
    );
  };

  return (
    <form
      className="panel"
      onSubmit={save}
      aria-label={calendar ? `Calendar ${calendar.name}` : 'New calendar'}
      noValidate
    >
      <h3>{calendar ? `${calendar.name} (${calendar.id}, version ${calendar.version})` : 'New calendar'}</h3>
      {!calendar && field('id', 'Id', (p) => <input {...p} required pattern="[a-z0-9][a-z0-9-]*" />)}
      {field('name', 'Name', (p) => (
        <input {...p} defaultValue={calendar?.name} required />
      ))}
      {field('timeZone', 'Time zone (IANA)', (p) => (
        <input {...p} list={`${id}-zones`} defaultValue={calendar?.calendar.timeZone ?? 'Europe/Berlin'} />
      ))}
      <datalist id={`${id}-zones`}>
        {zones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <label className="checkbox-field">
        <input type="checkbox" name="around" checked={around} onChange={(e) => setAround(e.target.checked)} />
        Around the clock (24×7)
      </label>
      {!around && (
        <fieldset className="sla-hours">
          <legend>Weekly hours (e.g. 08:00-12:00, 13:00-17:00; empty is closed)</legend>
          {errorOf('hours') && !DAYS.some(([day]) => errorOf(`hours.${day}`)) && (
            <p className="field-error">Weekly hours: {errorOf('hours')}</p>
          )}
          {DAYS.map(([day, label]) =>
            field(`hours.${day}`, label, (p) => (
              <input {...p} defaultValue={hours?.[day]?.join(', ') ?? ''} />
            )),
          )}
        </fieldset>
      )}
      {field('holidays', 'Holidays (YYYY-MM-DD, one a line)', (p) => (
        <textarea {...p} rows={3} defaultValue={calendar?.calendar.holidays.join('\n')} />
      ))}
      <div className="sla-years">
        {field('years.from', 'Holidays cover from year', (p) => (
          <input {...p} type="number" defaultValue={calendar?.calendar.years?.from} />
        ))}
        {field('years.to', 'to year', (p) => (
          <input {...p} type="number" defaultValue={calendar?.calendar.years?.to} />
        ))}
      </div>
      {field('services', 'Services measured in it (comma-separated)', (p) => (
        <input {...p} defaultValue={calendar?.services.join(', ')} />
      ))}
      {field('groups', 'Assignment groups measured in it (comma-separated)', (p) => (
        <input {...p} defaultValue={calendar?.groups.join(', ')} />
      ))}
      {failure && <Notice tone="error">{failure}</Notice>}
      <button type="submit" className="button">
        {calendar ? `Save as version ${calendar.version + 1}` : 'Create calendar'}
      </button>
    </form>
  );
}

/** Admins: the business calendars targets are measured in (per service or group, or 24×7). */
export function CalendarsPanel() {
  const { api } = usePortal();
  const sla = useMemo(() => slaApi(api), [api]);
  const invalidate = useInvalidate();
  const [editing, setEditing] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const fetcher = useCallback(() => sla.calendars(), [sla]);
  const { load, reload } = useQuery('sla:calendars', fetcher, 'The calendars could not be loaded.');
  const onSaved = (id: string) => {
    setSaved(id);
    setEditing(undefined);
    invalidate('sla:calendars');
  };
  return (
    <section aria-labelledby="calendars-heading">
      <h2 id="calendars-heading">Business calendars</h2>
      {load.status === 'loading' && <Loading label="Loading the calendars…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {saved && (
        <Notice tone="success">Calendar {saved} saved. New clocks use it; running ones keep theirs.</Notice>
      )}
      {load.status === 'ready' && (
        <ul className="ticket-list" aria-label="Calendars">
          {load.data.map((calendar) => (
            <li key={calendar.id} className="ticket-item">
              <div>
                <p className="ticket-summary">
                  {calendar.name} <span className="muted">({calendar.id})</span>
                </p>
                <p className="muted">
                  {calendar.calendar.hours === '24x7'
                    ? 'around the clock'
                    : Object.entries(calendar.calendar.hours)
                        .map(([day, ranges]) => `${day} ${ranges?.join(', ')}`)
                        .join('; ')}{' '}
                  · {calendar.calendar.timeZone}
                  {calendar.services.length > 0 && ` · services ${calendar.services.join(', ')}`}
                  {calendar.groups.length > 0 && ` · groups ${calendar.groups.join(', ')}`}
                </p>
              </div>
              {calendar.id !== '24x7' && (
                <button
                  type="button"
                  className="button button-secondary"
                  aria-label={`Edit ${calendar.name}`}
                  onClick={() => setEditing(calendar.id)}
                >
                  Edit
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button button-secondary" onClick={() => setEditing('')}>
        New calendar
      </button>
      {load.status === 'ready' && editing !== undefined && (
        <CalendarForm
          key={editing || 'new'}
          {...(editing ? { calendar: load.data.find((c) => c.id === editing) as StoredCalendar } : {})}
          onSaved={onSaved}
        />
      )}
    </section>
  );
}

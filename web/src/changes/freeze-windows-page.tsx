import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useLoad } from '../shared/use-load.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { changeApi } from './change-api.ts';
import './changes.css';

/** Admins: freeze (blackout) windows, in which only emergency changes may be planned. */
export function FreezeWindowsPage() {
  const { api } = usePortal();
  const changes = useMemo(() => changeApi(api), [api]);
  usePageTitle('Freeze windows');
  const id = useId();
  const fetcher = useCallback(() => changes.freezes(), [changes]);
  const { load, reload } = useLoad(fetcher, 'The freeze windows could not be loaded.');
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    setFields({});
    try {
      await action();
      await reload();
      return true;
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return false;
      setError(failure instanceof ApiError ? failure.message : 'That did not work. Try again.');
      if (failure instanceof ApiError)
        setFields(Object.fromEntries(failure.fields.map((f) => [f.path, f.message])));
      return false;
    }
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const at = (name: string) => (form.get(name) ? new Date(String(form.get(name))).toISOString() : '');
    const services = String(form.get('services') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ok = await run(() =>
      changes.createFreeze({
        name: String(form.get('name') ?? '').trim(),
        reason: String(form.get('reason') ?? '').trim(),
        start: at('start'),
        end: at('end'),
        ...(services.length ? { services } : {}),
      }),
    );
    if (ok) formElement.reset();
  }

  return (
    <>
      <PageHeading>Freeze windows</PageHeading>
      <p className="lead">
        During a freeze, standard and normal changes are refused; an emergency change needs a justification.
      </p>
      {error && <ErrorNotice message={error} />}
      {load.status === 'loading' && <Loading label="Loading freeze windows…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.length === 0 && <p className="empty">No freeze windows.</p>}
      {load.status === 'ready' && load.data.length > 0 && (
        <ul className="ticket-list" aria-label="Freeze windows">
          {load.data.map((freeze) => (
            <li key={freeze.id} className="ticket-item">
              <div>
                <p className="ticket-summary">{freeze.name}</p>
                <p className="muted">
                  <DateTime iso={freeze.start} /> to <DateTime iso={freeze.end} /> ·{' '}
                  {freeze.services.length ? freeze.services.join(', ') : 'every service'}
                </p>
                {freeze.reason && <p>{freeze.reason}</p>}
              </div>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void run(() => changes.deleteFreeze(freeze.id))}
              >
                Remove <span className="visually-hidden">{freeze.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>New freeze window</h2>
      <form className="form" onSubmit={create} noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name (required)</label>
          <input id={`${id}-name`} name="name" aria-invalid={fields.name ? true : undefined} />
          {fields.name && <p className="field-error">{fields.name}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input id={`${id}-reason`} name="reason" />
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-start`}>Starts (required)</label>
            <input
              id={`${id}-start`}
              name="start"
              type="datetime-local"
              aria-invalid={fields.start ? true : undefined}
            />
            {fields.start && <p className="field-error">{fields.start}</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-end`}>Ends (required)</label>
            <input
              id={`${id}-end`}
              name="end"
              type="datetime-local"
              aria-invalid={fields.end ? true : undefined}
            />
            {fields.end && <p className="field-error">{fields.end}</p>}
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-services`}>Services (comma-separated; empty means every service)</label>
          <input id={`${id}-services`} name="services" />
        </div>
        <button type="submit" className="button">
          Add freeze window
        </button>
      </form>
    </>
  );
}

import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import {
  formatNextUpdate,
  healthLabels,
  type ServiceHealth,
  type ServiceStatusView,
  statusApi,
} from './status-api.ts';
import './status.css';

/** Everyone: every business service and its status; agents may speak for a service. */
export function StatusPage() {
  const { api, session } = usePortal();
  const status = useMemo(() => statusApi(api), [api]);
  usePageTitle('Service status');
  const [items, setItems] = useState<readonly ServiceStatusView[] | 'loading' | 'failed'>('loading');
  const load = useCallback(() => {
    status
      .page()
      .then((page) => setItems(page.items))
      .catch(() => setItems('failed'));
  }, [status]);
  useEffect(load, [load]);

  return (
    <>
      <PageHeading>Service status</PageHeading>
      {items === 'loading' && <Loading label="Loading the services…" />}
      {items === 'failed' && <ErrorNotice message="The status could not be loaded." onRetry={load} />}
      {typeof items !== 'string' && items.length === 0 && (
        <p className="empty">No business services are recorded.</p>
      )}
      {typeof items !== 'string' && items.length > 0 && (
        <ul className="status-list" aria-label="Business services">
          {items.map((item) => (
            <li key={item.service.id} className="status-item">
              <h2>
                {item.service.name}{' '}
                <span className={`status-badge status-${item.status}`}>{healthLabels[item.status]}</span>
              </h2>
              {item.since && item.status !== 'operational' && (
                <p className="muted">
                  Since <DateTime iso={item.since} />
                </p>
              )}
              {item.override && (
                <p>
                  {item.override.message}
                  {item.override.nextUpdateAt && (
                    <> — next update {formatNextUpdate(item.override.nextUpdateAt)}</>
                  )}
                </p>
              )}
              {item.incidents.length > 0 && (
                <ul aria-label={`Incidents on ${item.service.name}`}>
                  {item.incidents.map((incident) => (
                    <li key={incident.id}>
                      {isAgent(session) ? (
                        <Link to={paths.ticket(incident.id)}>{incident.number}</Link>
                      ) : (
                        incident.number
                      )}{' '}
                      {incident.shortDescription}
                      {incident.via && <span className="muted"> (through {incident.via.name})</span>}
                    </li>
                  ))}
                </ul>
              )}
              {isAgent(session) && <OverrideForm item={item} onSaved={load} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** An agent's word on a service: a status (or keep the derived one), a message, the next update. */
function OverrideForm({ item, onSaved }: { item: ServiceStatusView; onSaved: () => void }) {
  const { api } = usePortal();
  const id = useId();
  const [health, setHealth] = useState<ServiceHealth | ''>(item.override?.status ?? '');
  const [message, setMessage] = useState(item.override?.message ?? '');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (write: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await write();
      onSaved();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work; try again.');
    } finally {
      setBusy(false);
    }
  };
  const save = () =>
    run(() =>
      statusApi(api).override(item.service.id, {
        message,
        ...(health ? { status: health } : {}),
        ...(next ? { nextUpdateAt: new Date(next).toISOString() } : {}),
      }),
    );
  return (
    <details>
      <summary>Speak for {item.service.name}</summary>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={health}
          onChange={(e) => setHealth(e.currentTarget.value as ServiceHealth | '')}
        >
          <option value="">As the incidents say ({healthLabels[item.derived]})</option>
          {(['operational', 'degraded', 'outage'] as const).map((h) => (
            <option key={h} value={h}>
              {healthLabels[h]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-message`}>Message</label>
        <textarea
          id={`${id}-message`}
          required
          maxLength={500}
          value={message}
          onChange={(e) => setMessage(e.currentTarget.value)}
        />
        <label htmlFor={`${id}-next`}>Next update</label>
        <input
          id={`${id}-next`}
          type="datetime-local"
          value={next}
          onChange={(e) => setNext(e.currentTarget.value)}
        />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            Save
          </button>{' '}
          {item.override && (
            <button
              type="button"
              className="button button-secondary"
              disabled={busy}
              onClick={() => void run(() => statusApi(api).clear(item.service.id))}
            >
              Clear the message
            </button>
          )}
        </div>
      </form>
    </details>
  );
}

import { useCallback, useId, useMemo, useState } from 'react';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { useLoad } from '../shared/use-load.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type ChangeState, changeApi, changeStateLabels } from './change-api.ts';
import './changes.css';

const states = Object.keys(changeStateLabels) as ChangeState[];

/** Agents: the changes they requested, or every change in one state; the way to a new change. */
export function ChangesPage() {
  const { api } = usePortal();
  const changes = useMemo(() => changeApi(api), [api]);
  usePageTitle('Changes');
  const id = useId();
  const [state, setState] = useState<ChangeState | 'mine'>('mine');
  const [cursor, setCursor] = useState<string>();
  const fetcher = useCallback(
    () => changes.list(state === 'mine' ? { list: 'mine', cursor } : { list: 'state', state, cursor }),
    [changes, state, cursor],
  );
  const { load, reload } = useLoad(fetcher, 'The changes could not be loaded.');

  return (
    <>
      <PageHeading>Changes</PageHeading>
      <div className="button-row">
        <Link to={paths.newChange} className="button">
          New change
        </Link>
        <Link to={paths.changeCalendar()} className="button button-secondary">
          Change calendar
        </Link>
        <Link to={paths.approvals} className="button button-secondary">
          Approvals inbox
        </Link>
      </div>
      <div className="field field-inline">
        <label htmlFor={`${id}-show`}>Show</label>
        <select
          id={`${id}-show`}
          value={state}
          onChange={(event) => {
            setCursor(undefined);
            setState(event.target.value as ChangeState | 'mine');
          }}
        >
          <option value="mine">Changes I requested</option>
          {states.map((s) => (
            <option key={s} value={s}>
              All changes: {changeStateLabels[s]}
            </option>
          ))}
        </select>
      </div>
      {load.status === 'loading' && <Loading label="Loading changes…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && <p className="empty">No changes here.</p>}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <>
          <ul className="ticket-list" aria-label="Changes">
            {load.data.items.map((change) => (
              <li key={change.id} className="ticket-item">
                <div>
                  <p className="ticket-summary">
                    <Link to={paths.change(change.id)}>
                      {change.number} · {change.shortDescription}
                    </Link>
                  </p>
                  <p className="muted">
                    {change.type} · {change.assignmentGroup} · planned <DateTime iso={change.plannedStart} />
                  </p>
                </div>
                <span className={`badge change-badge-${change.state}`}>
                  {changeStateLabels[change.state]}
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

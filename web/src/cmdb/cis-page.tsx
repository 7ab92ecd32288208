import { useCallback, useId, useMemo, useState } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { usePaged } from '../shared/use-paged.ts';
import { type CiClass, type CiStatus, classLabels, cmdbApi, statusLabels } from './cmdb-api.ts';
import './cmdb.css';

const classes = Object.keys(classLabels) as CiClass[];
const statuses = Object.keys(statusLabels) as CiStatus[];

/** The CMDB browser: configuration items by class and status, or by name among one status. */
export function CisPage() {
  const { api } = usePortal();
  const cmdb = useMemo(() => cmdbApi(api), [api]);
  usePageTitle('Configuration items');
  const id = useId();
  const [ciClass, setCiClass] = useState<CiClass | ''>('');
  const [status, setStatus] = useState<CiStatus | ''>('');
  const [typed, setTyped] = useState('');
  const [name, setName] = useState('');
  const fetchPage = useCallback(
    (cursor?: string) =>
      cmdb.list({
        ...(ciClass ? { class: ciClass } : {}),
        ...(status ? { status } : {}),
        ...(!ciClass && name ? { q: name } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    [cmdb, ciClass, status, name],
  );
  const list = usePaged(fetchPage, 'The configuration items could not be loaded.', 'cmdb:list');

  return (
    <>
      <PageHeading>Configuration items</PageHeading>
      <p>
        <Link to={paths.assetImport()}>Import assets from a CSV file</Link>
      </p>
      <form
        className="cmdb-filters"
        onSubmit={(event) => {
          event.preventDefault();
          setName(typed.trim());
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-class`}>Class</label>
          <select
            id={`${id}-class`}
            value={ciClass}
            onChange={(e) => setCiClass(e.target.value as CiClass | '')}
          >
            <option value="">All classes</option>
            {classes.map((c) => (
              <option key={c} value={c}>
                {classLabels[c]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={status}
            onChange={(e) => setStatus(e.target.value as CiStatus | '')}
          >
            <option value="">{ciClass ? 'Any status' : 'In service'}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {statusLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name starts with</label>
          <input
            id={`${id}-name`}
            type="search"
            value={typed}
            disabled={ciClass !== ''}
            aria-describedby={`${id}-name-hint`}
            onChange={(e) => setTyped(e.target.value)}
          />
          <p id={`${id}-name-hint`} className="hint">
            Search by name within a status; choose “All classes” to search.
          </p>
        </div>
        <div className="form-actions">
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      {list.status === 'loading' && <Loading label="Loading configuration items…" />}
      {list.status === 'failed' && (
        <ErrorNotice message={list.error ?? ''} onRetry={() => void list.reload()} />
      )}
      {list.status !== 'loading' && list.status !== 'failed' && list.items.length === 0 && (
        <p className="empty">No configuration items here.</p>
      )}
      {list.items.length > 0 && (
        <div className="cmdb-table-wrap">
          <table className="cmdb-table">
            <caption className="visually-hidden">Configuration items</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Class</th>
                <th scope="col">Status</th>
                <th scope="col">Criticality</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((ci) => (
                <tr key={ci.id}>
                  <td>
                    <Link to={paths.ci(ci.id)}>{ci.name}</Link> <span className="muted">{ci.number}</span>
                  </td>
                  <td>{classLabels[ci.class]}</td>
                  <td>{statusLabels[ci.status]}</td>
                  <td>
                    <span className={`badge cmdb-criticality-${ci.criticality}`}>{ci.criticality}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore
        cursor={list.cursor}
        busy={list.status === 'loading-more'}
        onLoad={() => void list.loadMore()}
      />
    </>
  );
}

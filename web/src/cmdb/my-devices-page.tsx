import { useCallback, useMemo } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { usePaged } from '../shared/use-paged.ts';
import { classLabels, cmdbApi } from './cmdb-api.ts';
import './cmdb.css';

/** Everyone: the devices assigned to them, and the way to report a problem with one. */
export function MyDevicesPage() {
  const { api } = usePortal();
  const cmdb = useMemo(() => cmdbApi(api), [api]);
  usePageTitle('My devices');
  const fetchPage = useCallback((cursor?: string) => cmdb.myDevices(cursor), [cmdb]);
  const list = usePaged(fetchPage, 'Your devices could not be loaded.', 'cmdb:devices');

  return (
    <>
      <PageHeading>My devices</PageHeading>
      {list.status === 'loading' && <Loading label="Loading your devices…" />}
      {list.status === 'failed' && (
        <ErrorNotice message={list.error ?? ''} onRetry={() => void list.reload()} />
      )}
      {list.status !== 'loading' && list.status !== 'failed' && list.items.length === 0 && (
        <p className="empty">No devices are assigned to you.</p>
      )}
      {list.items.length > 0 && (
        <ul className="ticket-list" aria-label="My devices">
          {list.items.map((ci) => (
            <li key={ci.id} className="ticket-item">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.asset(ci.id)}>{ci.name}</Link>
                </p>
                <p className="muted">
                  {classLabels[ci.class]}
                  {typeof ci.attributes.model === 'string' ? ` · ${ci.attributes.model}` : ''}
                  {typeof ci.attributes.serialNumber === 'string'
                    ? ` · serial ${ci.attributes.serialNumber}`
                    : ''}
                  {typeof ci.attributes.phoneNumber === 'string' ? ` · ${ci.attributes.phoneNumber}` : ''}
                </p>
              </div>
              <Link to={paths.asset(ci.id)} className="button button-secondary">
                Report a problem<span className="visually-hidden"> with {ci.name}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <LoadMore
        cursor={list.cursor}
        busy={list.status === 'loading-more'}
        onLoad={() => void list.loadMore()}
      />
    </>
  );
}

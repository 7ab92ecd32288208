import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { usePaged } from '../shared/use-paged.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { type AssetImport, assetApi } from './asset-api.ts';
import './cmdb.css';

const statusLabels: Record<AssetImport['status'], string> = {
  awaiting_upload: 'Waiting for the file',
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Refused',
};
const COLUMNS =
  'name, class, serialNumber, externalId, manufacturer, model, purchaseDate, warrantyEnd, cost, phoneNumber, enrolment, assignedTo, location, supportGroup';

/** CSV import of assets (configuration managers): upload a file, follow the run, read the error report. */
export function AssetImportPage({ id }: { id?: string }) {
  return id ? <ImportJob id={id} /> : <NewImport />;
}

function NewImport() {
  const { api } = usePortal();
  const assets = useMemo(() => assetApi(api), [api]);
  usePageTitle('Import assets');
  const formId = useId();
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const fetchPage = useCallback((cursor?: string) => assets.imports(cursor), [assets]);
  const list = usePaged(fetchPage, 'The imports could not be loaded.', 'cmdb:imports');
  return (
    <>
      <PageHeading>Import assets</PageHeading>
      <p>
        A CSV file with a header row. Columns: <code>{COLUMNS}</code>. Each asset is keyed by its external id
        (or its serial number), so importing the same file again changes nothing.
      </p>
      <form
        className="form panel"
        onSubmit={(event) => {
          event.preventDefault();
          if (!file) return;
          setBusy(true);
          setError(undefined);
          assets
            .importFile(file)
            .then((job) => navigate(paths.assetImport(job.id)))
            .catch((problem: unknown) => setError(failureMessage(problem, 'The file could not be imported.')))
            .finally(() => setBusy(false));
        }}
      >
        <div className="field">
          <label htmlFor={`${formId}-file`}>CSV file</label>
          <input
            id={`${formId}-file`}
            type="file"
            accept=".csv,text/csv"
            required
            onChange={(e) => setFile(e.target.files?.[0])}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy || !file}>
            {busy ? 'Uploading…' : 'Upload and import'}
          </button>
        </div>
        {error && (
          <Notice tone="error">
            <p>{error}</p>
          </Notice>
        )}
      </form>
      <h2>Earlier imports</h2>
      {list.status === 'failed' && (
        <ErrorNotice message={list.error ?? ''} onRetry={() => void list.reload()} />
      )}
      {list.status !== 'loading' && list.items.length === 0 && <p className="empty">No imports yet.</p>}
      {list.items.length > 0 && (
        <ul className="ticket-list" aria-label="Asset imports">
          {list.items.map((job) => (
            <li key={job.id} className="ticket-item">
              <div>
                <p className="ticket-summary">
                  <Link to={paths.assetImport(job.id)}>{job.fileName}</Link>
                </p>
                <p className="muted">
                  {statusLabels[job.status]} · <DateTime iso={job.createdAt} /> · {job.created} added,{' '}
                  {job.updated} updated, {job.failed} refused
                </p>
              </div>
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

function ImportJob({ id }: { id: string }) {
  const { api } = usePortal();
  const assets = useMemo(() => assetApi(api), [api]);
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => assets.importJob(id), [assets, id]);
  const { load, reload } = useQuery(`cmdb:import:${id}`, fetcher, 'The import could not be loaded.');
  usePageTitle('Asset import');
  const running =
    load.status === 'ready' && (load.data.status === 'queued' || load.data.status === 'running');
  // While it runs, read it again every two seconds; the error report once it has finished.
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new read (load) arms the next one
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => invalidate(`cmdb:import:${id}`), 2000);
    return () => clearTimeout(timer);
  }, [running, load, id, invalidate]);

  if (load.status === 'loading') return <Loading label="Loading the import…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found') return <NotFoundPage />;
  const job = load.data;
  const finished = job.status === 'done' || job.status === 'failed';
  return (
    <>
      <p>
        <Link to={paths.assetImport()}>All imports</Link>
      </p>
      <PageHeading>Import of {job.fileName}</PageHeading>
      <dl className="cmdb-facts" aria-live="polite">
        <div>
          <dt>Status</dt>
          <dd>{statusLabels[job.status]}</dd>
        </div>
        <div>
          <dt>Rows read</dt>
          <dd>{job.rows}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>{job.created}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{job.updated}</dd>
        </div>
        <div>
          <dt>Unchanged</dt>
          <dd>{job.unchanged}</dd>
        </div>
        <div>
          <dt>Refused rows</dt>
          <dd>{job.failed}</dd>
        </div>
      </dl>
      {job.failure && (
        <Notice tone="error">
          <p>The file was refused: {job.failure}</p>
        </Notice>
      )}
      {finished && <ErrorReport id={id} />}
    </>
  );
}

function ErrorReport({ id }: { id: string }) {
  const { api } = usePortal();
  const assets = useMemo(() => assetApi(api), [api]);
  const fetchPage = useCallback((cursor?: string) => assets.importErrors(id, cursor), [assets, id]);
  const list = usePaged(fetchPage, 'The error report could not be loaded.', `cmdb:import-errors:${id}`);
  if (list.status === 'loading') return <Loading label="Loading the error report…" />;
  if (list.status === 'failed')
    return <ErrorNotice message={list.error ?? ''} onRetry={() => void list.reload()} />;
  if (list.items.length === 0) return <p className="empty">No row was refused.</p>;
  return (
    <section aria-labelledby="import-errors-h">
      <h2 id="import-errors-h">Error report</h2>
      <p>
        These rows were not imported (each row is imported whole or not at all). Fix them and import the file
        again.
      </p>
      <div className="cmdb-table-wrap">
        <table className="cmdb-table">
          <caption>Refused rows (row 1 is the header)</caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Column</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {list.items.flatMap((error) =>
              error.problems.map((problem) => (
                <tr key={`${error.row}-${problem.field}-${problem.reason}`}>
                  <td>{error.row}</td>
                  <td>{problem.field}</td>
                  <td>{problem.reason}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <LoadMore
        cursor={list.cursor}
        busy={list.status === 'loading-more'}
        onLoad={() => void list.loadMore()}
      />
    </section>
  );
}

import { useCallback, useMemo } from 'react';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { catalogApi, stateLabels } from './catalog-api.ts';
import './catalog.css';

/** My requests from the catalog, most recently updated first. */
export function MyRequestsPage() {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  usePageTitle('My requests');
  const fetcher = useCallback(() => catalog.mine(), [catalog]);
  const { load, reload } = useQuery('requests:mine', fetcher, 'Your requests could not be loaded.');
  return (
    <>
      <PageHeading>My requests</PageHeading>
      <ul className="inline-links">
        <li>
          <Link to={paths.catalog}>Order something</Link>
        </li>
        <li>
          <Link to={paths.requestApprovals}>Requests to approve</Link>
        </li>
      </ul>
      {load.status === 'loading' && <Loading label="Loading your requests…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">You have ordered nothing yet.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ul className="ticket-list" aria-label="Your requests">
          {load.data.items.map((request) => (
            <li key={request.id} className="ticket-item">
              <p className="ticket-summary">
                <Link to={paths.request(request.id)}>
                  {request.number} · {request.items.map((i) => i.name).join(', ')}
                </Link>
              </p>
              <p className="muted">
                {stateLabels[request.state]} · updated <DateTime iso={request.updatedAt} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** One request's progress: its approvals, its tasks, who is working on them and what is next. */
export function RequestPage({ id }: { id: string }) {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const fetcher = useCallback(() => catalog.progress(id), [catalog, id]);
  const { load, reload } = useQuery(`requests:${id}`, fetcher, 'This request could not be loaded.');
  usePageTitle(load.status === 'ready' ? load.data.request.number : 'Request');
  if (load.status === 'loading') return <Loading label="Loading the request…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status !== 'ready') return <NotFoundPage />;
  const { request, approvals, tasks, next } = load.data;
  return (
    <>
      <PageHeading>
        {request.number} · {request.items.map((i) => i.name).join(', ')}
      </PageHeading>
      <p className="lead" role="status">
        {stateLabels[request.state]}: {next}
      </p>
      <button type="button" className="button secondary" onClick={() => void reload()}>
        Refresh
      </button>
      <h2>Approvals</h2>
      {approvals.length === 0 ? (
        <p className="muted">No approval needed.</p>
      ) : (
        <ol className="progress-steps">
          {approvals.map((step) => (
            <li key={step.index}>
              {step.kind === 'manager'
                ? 'Manager'
                : step.kind === 'cost'
                  ? 'Cost approval'
                  : 'Approver group'}
              : {stateLabels[step.status]} ({step.approvers.join(', ')})
            </li>
          ))}
        </ol>
      )}
      <h2>Tasks</h2>
      {tasks.length === 0 ? (
        <p className="muted">No tasks yet.</p>
      ) : (
        <ol className="progress-steps">
          {tasks.map((task) => (
            <li key={task.id}>
              {task.number} · {task.title}: {stateLabels[task.state]} ({task.assignee ?? task.group})
            </li>
          ))}
        </ol>
      )}
      <h2>What you ordered</h2>
      {request.items.map((item) => (
        <section key={`${item.itemId}-${item.itemVersion}`}>
          <h3>
            {item.quantity} × {item.name}
          </h3>
          <dl className="change-facts">
            {Object.entries(item.answers).map(([field, value]) => (
              <div key={field}>
                <dt>{field}</dt>
                <dd>{Array.isArray(value) ? value.join(', ') : String(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </>
  );
}

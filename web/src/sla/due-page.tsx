import { useCallback, useMemo } from 'react';
import './sla.css';
import { DateTime, ErrorNotice, Loading, PageHeading, PriorityBadge } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { formatDuration, type SlaView, slaApi, urgency } from './sla-api.ts';

const markers = {
  breached: { label: 'Breached', tone: 'breached' },
  warning: { label: 'At risk', tone: 'warning' },
  ok: { label: 'On track', tone: 'ok' },
  none: { label: 'Paused', tone: 'paused' },
} as const;

/** `in 2 h 10 min` or `5 min overdue`, from now. */
function dueIn(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  if (Math.abs(ms) < 60_000) return ms >= 0 ? 'in under a minute' : 'just overdue';
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(ms)} overdue`;
}

const linkOf = (view: SlaView) =>
  view.recordType === 'problem'
    ? paths.problem(view.recordId)
    : view.recordType === 'task'
      ? paths.tasks
      : paths.workspace(view.recordId);

/** The most urgent running clock's target, for the line under the number. */
function targetOf(view: SlaView): string {
  const running = view.clocks.filter((c) => c.status === 'running' && c.dueAt === view.dueAt)[0];
  if (!running) return '';
  return `${running.target === 'response' ? 'first response' : 'resolution'} · ${running.name}`;
}

/**
 * Agents: what breaches next across their groups, soonest first. The server reads each group's
 * due queue (one Query on the due index per group, already in order) and merges them.
 */
export function DuePage() {
  const { api } = usePortal();
  usePageTitle('Due next');
  const sla = useMemo(() => slaApi(api), [api]);
  const fetcher = useCallback(() => sla.due(), [sla]);
  const { load, reload } = useQuery('sla:due', fetcher, 'What is due could not be loaded.');
  const now = Date.now();
  return (
    <>
      <PageHeading>Due next</PageHeading>
      <p>
        Records with a running service-level clock in your groups, the one that breaches first at the top.
      </p>
      {load.status === 'loading' && <Loading label="Loading what is due…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">Nothing is due in {load.data.groups.join(', ') || 'your groups'}.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ol className="ticket-list" aria-label="Due next">
          {load.data.items.map((view) => {
            const marker = markers[urgency(view)];
            const priority = view.clocks.find((c) => c.status === 'running')?.priority;
            return (
              <li key={view.recordId} className="ticket-item sla-due-item">
                <div>
                  <p className="ticket-summary">
                    <Link to={linkOf(view)}>{view.number}</Link>{' '}
                    <span className="muted">{targetOf(view)}</span>
                  </p>
                  <p className="muted">
                    {view.dueAt && (
                      <>
                        due <DateTime iso={view.dueAt} /> ({dueIn(view.dueAt, now)}) ·{' '}
                      </>
                    )}
                    {view.assignmentGroup ?? 'no group'} · {view.assignee ?? 'unassigned'}
                  </p>
                </div>
                <span className="badge-pair">
                  {priority !== undefined && <PriorityBadge priority={priority} />}
                  <span className={`badge badge-sla-${marker.tone}`}>{marker.label}</span>
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </>
  );
}

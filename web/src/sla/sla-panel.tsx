import { useCallback, useMemo } from 'react';
import './sla.css';
import { DateTime } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { type ClockView, formatDuration, type SlaView, slaApi } from './sla-api.ts';

const targetLabels: Record<ClockView['target'], string> = {
  response: 'First response',
  resolution: 'Resolution',
};

/** One clock's state in words, for the badge. */
export function clockStatus(clock: ClockView): { label: string; tone: string } {
  if (clock.status === 'met') return { label: 'Met', tone: 'met' };
  if (clock.status === 'cancelled') return { label: 'No target', tone: 'none' };
  if (clock.breached) return { label: 'Breached', tone: 'breached' };
  if (clock.status === 'paused') return { label: 'Paused', tone: 'paused' };
  if (clock.warned) return { label: 'Due soon', tone: 'warning' };
  return { label: 'On track', tone: 'ok' };
}

function useSla(recordId: string) {
  const { api } = usePortal();
  const sla = useMemo(() => slaApi(api), [api]);
  // Under the ticket's key: whatever refreshes the ticket refreshes its clocks.
  const fetcher = useCallback(() => sla.record(recordId), [sla, recordId]);
  return useQuery<SlaView | undefined>(
    `ticket:${recordId}:sla`,
    fetcher,
    'The service levels could not be loaded.',
  );
}

/** The workspace's SLA panel: each target with its due time, the business time used and pauses. */
export function SlaPanel({ recordId }: { recordId: string }) {
  const { load } = useSla(recordId);
  if (load.status !== 'ready' || !load.data) return null;
  return (
    <section className="panel" aria-labelledby="sla-heading">
      <h2 id="sla-heading">Service levels</h2>
      <ul className="sla-clocks">
        {load.data.clocks.map((clock) => {
          const status = clockStatus(clock);
          return (
            <li key={`${clock.kind}-${clock.target}`}>
              <span className="sla-target">{targetLabels[clock.target]}</span>{' '}
              <span className={`badge badge-sla-${status.tone}`}>{status.label}</span>
              <span className="muted sla-detail">
                {clock.dueAt && (clock.status === 'running' || clock.status === 'paused') && (
                  <>
                    due <DateTime iso={clock.dueAt} />,{' '}
                  </>
                )}
                {formatDuration(clock.elapsedMs)} of {formatDuration(clock.budgetMs)} business time used
                {clock.status === 'paused' ? ', paused' : ''} · {clock.name}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** "Tuesday, Dec 8, 10:00 AM": a promise names the day, in the requester's zone. */
const promised = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** For the requester: when we aim to answer and to resolve, in their words. */
export function SlaPromise({ recordId }: { recordId: string }) {
  const { load } = useSla(recordId);
  if (load.status !== 'ready' || !load.data) return null;
  const open = load.data.clocks.filter((c) => c.status === 'running' && c.dueAt && !c.breached);
  if (open.length === 0) return null;
  return (
    <ul className="sla-promise">
      {open.map((clock) => (
        <li key={clock.target}>
          {clock.target === 'response' ? 'We aim to answer by ' : 'We aim to resolve this by '}
          <time dateTime={clock.dueAt}>{promised.format(new Date(clock.dueAt as string))}</time>.
        </li>
      ))}
    </ul>
  );
}

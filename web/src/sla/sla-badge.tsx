import { useEffect, useMemo, useState } from 'react';
import './sla.css';
import { DateTime } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { type SlaView, slaApi, urgency } from './sla-api.ts';

/** The clocks of the records on a page, read in one request; a failure leaves the column empty. */
export function useSlaOf(recordIds: readonly string[]): ReadonlyMap<string, SlaView> {
  const { api } = usePortal();
  const sla = useMemo(() => slaApi(api), [api]);
  const [views, setViews] = useState<ReadonlyMap<string, SlaView>>(new Map());
  const key = recordIds.join(',');
  useEffect(() => {
    let live = true;
    const ids = key ? key.split(',') : [];
    sla
      .records(ids)
      .then((items) => live && setViews(new Map(items.map((v) => [v.recordId, v]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sla, key]);
  return views;
}

/** A queue cell: breached, due soon or the due time of the record's most urgent running target. */
export function SlaBadge({ view }: { view: SlaView | undefined }) {
  if (!view) return <span className="muted">—</span>;
  const level = urgency(view);
  if (level === 'none') return <span className="muted">—</span>;
  if (level === 'breached') return <span className="badge badge-sla-breached">Breached</span>;
  return (
    <span className={level === 'warning' ? 'badge badge-sla-warning' : undefined}>
      {view.dueAt ? (
        <>
          Due <DateTime iso={view.dueAt} />
        </>
      ) : (
        'Paused'
      )}
    </span>
  );
}

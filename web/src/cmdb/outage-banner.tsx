import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { formatNextUpdate, healthSentence, type OutageView, statusApi } from './status-api.ts';
import './status.css';

/**
 * The portal home's banner of current outages: "Email is down — we know, INC0001042 — next
 * update 14:00", with "Me too" to follow the incident instead of opening a duplicate.
 */
export function OutageBanner() {
  const { api } = usePortal();
  const status = useMemo(() => statusApi(api), [api]);
  const [outages, setOutages] = useState<readonly OutageView[]>([]);

  useEffect(() => {
    let live = true;
    status
      .outages()
      .then((page) => live && setOutages(page.items))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [status]);

  if (outages.length === 0) return null;
  return (
    <section aria-labelledby="outages-h" className="outages">
      <h2 id="outages-h" className="visually-hidden">
        Current outages
      </h2>
      <ul>
        {outages.map((outage) => (
          <OutageItem
            key={outage.service.id}
            outage={outage}
            onPressed={(presses) =>
              setOutages((all) =>
                all.map((o) => (o.service.id === outage.service.id ? { ...o, pressed: true, presses } : o)),
              )
            }
          />
        ))}
      </ul>
    </section>
  );
}

function OutageItem({ outage, onPressed }: { outage: OutageView; onPressed: (presses: number) => void }) {
  const { api } = usePortal();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const { incident, override } = outage;
  const press = async () => {
    if (!incident) return;
    setBusy(true);
    setError(undefined);
    try {
      onPressed((await statusApi(api).meToo(outage.service.id, incident.id)).presses);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className={`outage outage-${outage.status}`}>
      <p>
        <strong>
          {outage.service.name} {healthSentence[outage.status]}
        </strong>
        {' — we know'}
        {incident && <>, {incident.number}</>}
        {override?.nextUpdateAt && <> — next update {formatNextUpdate(override.nextUpdateAt)}</>}
      </p>
      {(override?.message ?? incident?.shortDescription) && (
        <p className="muted">{override?.message ?? incident?.shortDescription}</p>
      )}
      {incident &&
        (outage.pressed ? (
          <p role="status">
            You follow <Link to={paths.ticket(incident.id)}>{incident.number}</Link>; we will mail you its
            updates. {outage.presses === 1 ? '1 person is' : `${outage.presses} people are`} affected.
          </p>
        ) : (
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            aria-label={`Me too: ${outage.service.name} ${healthSentence[outage.status]} for me as well`}
            onClick={() => void press()}
          >
            Me too
          </button>
        ))}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

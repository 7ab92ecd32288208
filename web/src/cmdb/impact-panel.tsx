import { useId, useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { ErrorNotice } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import {
  classLabels,
  cmdbApi,
  type ImpactAnalysis,
  type ImpactDirection,
  relationLabels,
} from './cmdb-api.ts';

/** Impact analysis of one CI: the services, people and CIs affected, to a chosen depth. */
export function ImpactPanel({ ciId }: { ciId: string }) {
  const { api } = usePortal();
  const cmdb = useMemo(() => cmdbApi(api), [api]);
  const id = useId();
  const [direction, setDirection] = useState<ImpactDirection>('downstream');
  const [depth, setDepth] = useState(3);
  const [result, setResult] = useState<ImpactAnalysis>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function analyse() {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await cmdb.impact(ciId, { direction, depth }));
    } catch (problem) {
      setError(failureMessage(problem, 'The impact could not be analysed.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Impact</h2>
      <form
        className="cmdb-filters"
        onSubmit={(event) => {
          event.preventDefault();
          void analyse();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-dir`}>Direction</label>
          <select
            id={`${id}-dir`}
            value={direction}
            onChange={(e) => setDirection(e.target.value as ImpactDirection)}
          >
            <option value="downstream">What fails with it (downstream)</option>
            <option value="upstream">What it relies on (upstream)</option>
            <option value="both">Both</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-depth`}>Depth</label>
          <select id={`${id}-depth`} value={depth} onChange={(e) => setDepth(Number(e.target.value))}>
            {[1, 2, 3, 4, 5, 6].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Analysing…' : 'Analyse impact'}
          </button>
        </div>
      </form>
      {error && <ErrorNotice message={error} />}
      {result && (
        <div role="status" className="cmdb-impact">
          <h3>Business services</h3>
          {result.services.length === 0 ? (
            <p className="muted">No business service within {result.depth} steps.</p>
          ) : (
            <ul aria-label="Affected business services">
              {result.services.map((s) => (
                <li key={s.ci.id}>
                  <Link to={paths.ci(s.ci.id)}>{s.ci.name}</Link>{' '}
                  <span className={`badge cmdb-criticality-${s.criticality}`}>{s.criticality}</span>
                  {s.owner && <span className="muted"> · owner {s.owner}</span>}
                </li>
              ))}
            </ul>
          )}
          <h3>People</h3>
          {result.people.length === 0 ? (
            <p className="muted">Nobody named.</p>
          ) : (
            <ul aria-label="Affected people">
              {result.people.map((p) => (
                <li key={p.email}>
                  {p.email} <span className="muted">({p.why})</span>
                </li>
              ))}
            </ul>
          )}
          <h3>
            Configuration items ({result.nodes.length}
            {result.truncated ? ', cut short' : ''})
          </h3>
          <div className="cmdb-table-wrap">
            <table className="cmdb-table">
              <caption className="visually-hidden">Configuration items reached</caption>
              <thead>
                <tr>
                  <th scope="col">CI</th>
                  <th scope="col">Class</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Reached through</th>
                </tr>
              </thead>
              <tbody>
                {result.nodes.map((n) => (
                  <tr key={`${n.direction}-${n.ci.id}`}>
                    <td>
                      <Link to={paths.ci(n.ci.id)}>{n.ci.name}</Link>
                    </td>
                    <td>{classLabels[n.ci.class]}</td>
                    <td>
                      {n.depth} {n.direction}
                    </td>
                    <td>
                      {n.via.from.name} {relationLabels[n.via.type].out} {n.via.to.name}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

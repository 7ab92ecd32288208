import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RecordCi, RecordImpact } from '../../../functions/core/cmdb/record-cis.ts';
import { ApiError } from '../shared/api.ts';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { CiPicker } from './ci-picker.tsx';
import { classLabels } from './cmdb-api.ts';
import './cmdb.css';

type Kind = 'incident' | 'request' | 'problem' | 'change';

/**
 * The services and configuration items of a record as references into the CMDB: listed, picked
 * with the type-ahead, taken off; the record's old text labels that name no linked CI are shown
 * as unresolved labels. Shown to CMDB readers (agents, approvers, admins); `editable` for agents.
 */
export function RecordCisPanel({
  kind,
  id,
  labels,
  editable,
}: {
  kind: Kind;
  id: string;
  labels: readonly string[];
  editable: boolean;
}) {
  const { api } = usePortal();
  const base = `/records/${kind}/${encodeURIComponent(id)}/cis`;
  const [items, setItems] = useState<readonly RecordCi[] | 'loading' | 'hidden'>('loading');
  const [error, setError] = useState<string>();

  const [impact, setImpact] = useState<RecordImpact>();
  const load = useCallback(() => {
    api
      .request<{ items: RecordCi[] }>(base)
      .then((page) => {
        setItems(page.items);
        if (page.items.length === 0) setImpact(undefined);
        else
          api
            .request<RecordImpact>(`/records/${kind}/${encodeURIComponent(id)}/impact`)
            .then(setImpact)
            .catch(() => setImpact(undefined));
      })
      .catch((e: unknown) => setItems(e instanceof ApiError && e.status === 403 ? 'hidden' : []));
  }, [api, base, kind, id]);
  useEffect(load, [load]);

  const run = async (write: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await write();
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work; try again.');
    }
  };
  const linked = typeof items === 'string' ? [] : items;
  const unresolved = useMemo(() => {
    const names = new Set(linked.flatMap((i) => [i.ci.name.toLowerCase(), i.ci.number.toLowerCase()]));
    return [...new Set(labels)].filter((label) => !names.has(label.toLowerCase()));
  }, [labels, linked]);

  if (items === 'hidden') return null;
  return (
    <section aria-labelledby={`record-cis-${id}`} className="record-cis">
      <h2 id={`record-cis-${id}`}>Services and configuration items</h2>
      {items === 'loading' ? (
        <p className="muted">Loading…</p>
      ) : linked.length === 0 ? (
        <p className="muted">None from the CMDB yet.</p>
      ) : (
        <ul aria-label="Linked services and configuration items">
          {linked.map(({ ci }) => (
            <li key={ci.id}>
              <Link to={paths.ci(ci.id)}>{ci.name}</Link>{' '}
              <span className="muted">
                {classLabels[ci.class]} · {ci.number}
              </span>
              {editable && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="link-button"
                    aria-label={`Remove ${ci.name}`}
                    onClick={() =>
                      void run(() =>
                        api.request(`${base}/${encodeURIComponent(ci.id)}`, { method: 'DELETE' }),
                      )
                    }
                  >
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {impact && <BlastRadius impact={impact} />}
      {unresolved.length > 0 && (
        <p className="muted">Unresolved labels (text, not in the CMDB): {unresolved.join(', ')}</p>
      )}
      {editable && (
        <CiPicker
          label="Add a service or configuration item"
          onPick={(ci) => void run(() => api.request(base, { method: 'POST', body: { ciId: ci.id } }))}
        />
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** What the record's CIs reach: business services (with criticality), people and groups to tell. */
function BlastRadius({ impact }: { impact: RecordImpact }) {
  return (
    <div className="blast-radius">
      <h3>Blast radius</h3>
      {impact.services.length === 0 ? (
        <p className="muted">No business service is reached.</p>
      ) : (
        <ul aria-label="Business services affected by this record">
          {impact.services.map((s) => (
            <li key={s.ci.id}>
              <Link to={paths.ci(s.ci.id)}>{s.ci.name}</Link>{' '}
              <span className={`badge cmdb-criticality-${s.criticality}`}>{s.criticality}</span>
            </li>
          ))}
        </ul>
      )}
      {impact.people.length > 0 && (
        <p>People: {impact.people.map((p) => `${p.email} (${p.why})`).join(', ')}</p>
      )}
      {impact.groups.length > 0 && <p>Groups: {impact.groups.join(', ')}</p>}
      {impact.truncated && <p className="muted">The CMDB walk stopped early; there may be more.</p>}
    </div>
  );
}

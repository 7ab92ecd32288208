import { useEffect, useState } from 'react';
import type { CiRecords as Records } from '../../../functions/core/cmdb/record-cis.ts';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';

const pathOf = (kind: Records['items'][number]['kind'], id: string) =>
  kind === 'problem' ? paths.problem(id) : kind === 'change' ? paths.change(id) : paths.workspace(id);

/** The CI page's related tickets, problems and changes: the records linked to the CI. */
export function CiRecords({ ciId }: { ciId: string }) {
  const { api } = usePortal();
  const [records, setRecords] = useState<Records['items'] | 'loading' | 'failed'>('loading');
  useEffect(() => {
    let live = true;
    api
      .request<Records>(`/cis/${encodeURIComponent(ciId)}/records`)
      .then((found) => live && setRecords(found.items))
      .catch(() => live && setRecords('failed'));
    return () => {
      live = false;
    };
  }, [api, ciId]);
  return (
    <section aria-labelledby="cmdb-records-h">
      <h2 id="cmdb-records-h">Related tickets, problems and changes</h2>
      {records === 'loading' && <p className="muted">Loading…</p>}
      {records === 'failed' && <p className="muted">The related records could not be loaded.</p>}
      {typeof records !== 'string' &&
        (records.length === 0 ? (
          <p className="muted">No record names this CI.</p>
        ) : (
          <ul aria-label="Related records">
            {records.map((r) => (
              <li key={`${r.kind}:${r.id}`}>
                <Link to={pathOf(r.kind, r.id)}>{r.number}</Link> <span className="muted">{r.kind}</span>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

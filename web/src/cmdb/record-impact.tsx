import { useEffect, useMemo, useState } from 'react';
import './cmdb.css';
import { ApiError } from '../shared/api.ts';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { type ConfigurationItem, cmdbApi, type ImpactAnalysis } from './cmdb-api.ts';

type Service = ImpactAnalysis['services'][number];
type Found = { readonly services: readonly Service[]; readonly unresolved: readonly string[] };

const NUMBER = /^CFG\d{7,}$/i;

/**
 * What the CMDB knows of a record's services and configuration items (still labels on the
 * record): each label is looked up as a CI number or an exact name among CIs in service, and
 * the business services each found CI supports (downstream, 3 steps) are listed with their
 * criticality; labels the CMDB does not hold are named as such. Shown to CMDB readers only.
 */
export function RecordImpact({ labels }: { labels: readonly string[] }) {
  const { api } = usePortal();
  const cmdb = useMemo(() => cmdbApi(api), [api]);
  const key = labels.join('\n');
  const [found, setFound] = useState<Found | 'loading' | 'hidden'>('loading');

  useEffect(() => {
    let live = true;
    const resolve = async (label: string): Promise<ConfigurationItem | undefined> => {
      if (NUMBER.test(label)) return cmdb.byNumber(label).catch(() => undefined);
      const page = await cmdb.list({ q: label });
      return page.items.find((ci) => ci.name.toLowerCase() === label.toLowerCase());
    };
    (async () => {
      const unique = [...new Set(key.split('\n').filter(Boolean))];
      const cis = await Promise.all(unique.map(async (label) => ({ label, ci: await resolve(label) })));
      const impacts = await Promise.all(
        cis.flatMap(({ ci }) => (ci ? [cmdb.impact(ci.id, { direction: 'downstream', depth: 3 })] : [])),
      );
      const services = new Map<string, Service>();
      for (const impact of impacts)
        for (const s of impact.services) if (!services.has(s.ci.id)) services.set(s.ci.id, s);
      if (live)
        setFound({
          services: [...services.values()],
          unresolved: cis.filter(({ ci }) => !ci).map(({ label }) => label),
        });
    })().catch((error: unknown) => {
      if (live)
        setFound(
          error instanceof ApiError && error.status === 403 ? 'hidden' : { services: [], unresolved: [] },
        );
    });
    return () => {
      live = false;
    };
  }, [cmdb, key]);

  if (found === 'hidden' || labels.length === 0) return null;
  return (
    <section aria-labelledby="cmdb-record-impact-h">
      <h2 id="cmdb-record-impact-h">Business services affected</h2>
      {found === 'loading' ? (
        <p className="muted">Looking them up in the CMDB…</p>
      ) : (
        <>
          {found.services.length === 0 ? (
            <p className="muted">The CMDB names no business service for these.</p>
          ) : (
            <ul aria-label="Business services affected">
              {found.services.map((s) => (
                <li key={s.ci.id}>
                  <Link to={paths.ci(s.ci.id)}>{s.ci.name}</Link>{' '}
                  <span className={`badge cmdb-criticality-${s.criticality}`}>{s.criticality}</span>
                  {s.owner && <span className="muted"> · owner {s.owner}</span>}
                </li>
              ))}
            </ul>
          )}
          {found.unresolved.length > 0 && (
            <p className="muted">Not in the CMDB (kept as labels): {found.unresolved.join(', ')}</p>
          )}
        </>
      )}
    </section>
  );
}

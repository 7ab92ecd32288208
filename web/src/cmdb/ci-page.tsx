import { useCallback, useId, useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { isHardwareClass } from './asset-api.ts';
import { CiGraph } from './ci-graph.tsx';
import { CiRecords } from './ci-records.tsx';
import {
  type CiStatus,
  type CiView,
  classLabels,
  cmdbApi,
  type RelationType,
  relationLabels,
  statusLabels,
} from './cmdb-api.ts';
import { ImpactPanel } from './impact-panel.tsx';
import './cmdb.css';

/** One configuration item: its attributes, its relations (a picture and a table) and its impact. */
export function CiPage({ id }: { id: string }) {
  const { api } = usePortal();
  const cmdb = useMemo(() => cmdbApi(api), [api]);
  const fetcher = useCallback(() => cmdb.get(id), [cmdb, id]);
  const { load, reload } = useQuery(`cmdb:ci:${id}`, fetcher, 'The configuration item could not be loaded.');
  usePageTitle(load.status === 'ready' ? load.data.ci.name : 'Configuration item');

  if (load.status === 'loading') return <Loading label="Loading the configuration item…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found') return <NotFoundPage />;
  const { ci } = load.data;
  const facts: [string, string | undefined][] = [
    ['Class', classLabels[ci.class]],
    ['Status', statusLabels[ci.status]],
    ['Criticality', ci.criticality],
    ['Environment', ci.environment],
    ['Owner', ci.owner?.email],
    ['Support group', ci.supportGroup],
    ['Location', ci.location],
    ['External id', ci.externalId],
    ['Source', ci.source],
    ...Object.entries(ci.attributes).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
    ...Object.entries(ci.tags).map(([k, v]): [string, string] => [`tag ${k}`, v]),
  ];
  return (
    <>
      <p>
        <Link to={paths.cis}>All configuration items</Link>
        {isHardwareClass(ci.class) && (
          <>
            {' · '}
            <Link to={paths.asset(ci.id)}>Asset: state, check-out history, moves</Link>
          </>
        )}
      </p>
      <PageHeading>
        {ci.number} · {ci.name}
      </PageHeading>
      <dl className="cmdb-facts">
        {facts
          .filter((f): f is [string, string] => f[1] !== undefined)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      <StatusForm view={load.data} />
      <section aria-labelledby="cmdb-relations-h">
        <h2 id="cmdb-relations-h">Relations</h2>
        <CiGraph view={load.data} />
        <RelationTable view={load.data} />
        <RelateForm view={load.data} />
      </section>
      <ImpactPanel ciId={ci.id} />
      <CiRecords ciId={ci.id} />
    </>
  );
}

function RelationTable({ view }: { view: CiView }) {
  const rows = [
    ...view.outgoing.map((r) => ({
      key: `o${r.type}${r.to.id}`,
      words: relationLabels[r.type].out,
      other: r.to,
    })),
    ...view.incoming.map((r) => ({
      key: `i${r.type}${r.from.id}`,
      words: relationLabels[r.type].in,
      other: r.from,
    })),
  ];
  if (rows.length === 0) return <p className="empty">No relations yet.</p>;
  return (
    <div className="cmdb-table-wrap">
      <table className="cmdb-table">
        <caption>Relations of {view.ci.name}</caption>
        <thead>
          <tr>
            <th scope="col">This CI</th>
            <th scope="col">Configuration item</th>
            <th scope="col">Class</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <td>{row.words}</td>
              <td>
                <Link to={paths.ci(row.other.id)}>{row.other.name}</Link>{' '}
                <span className="muted">{row.other.number}</span>
              </td>
              <td>{classLabels[row.other.class]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Runs one write, then reloads the CI; says what went wrong in words. */
function useWrite(ciId: string) {
  const invalidate = useInvalidate();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const run = async (write: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await write();
      setMessage({ ok: true, text: done });
      invalidate(`cmdb:ci:${ciId}`, 'cmdb:list');
    } catch (problem) {
      setMessage({ ok: false, text: failureMessage(problem, 'That did not work.') });
    } finally {
      setBusy(false);
    }
  };
  return { message, busy, run };
}

function StatusForm({ view }: { view: CiView }) {
  const { api } = usePortal();
  const id = useId();
  const [status, setStatus] = useState<CiStatus>(view.ci.status);
  const write = useWrite(view.ci.id);
  return (
    <form
      className="cmdb-filters"
      onSubmit={(event) => {
        event.preventDefault();
        void write.run(
          () => cmdbApi(api).update(view.ci.id, { version: view.ci.version, status }),
          `${view.ci.number} is now ${statusLabels[status].toLowerCase()}.`,
        );
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as CiStatus)}>
          {(Object.keys(statusLabels) as CiStatus[]).map((s) => (
            <option key={s} value={s}>
              {statusLabels[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className="button button-secondary"
          disabled={write.busy || status === view.ci.status}
        >
          Change status
        </button>
      </div>
      {write.message && (
        <Notice tone={write.message.ok ? 'success' : 'error'}>
          <p>{write.message.text}</p>
        </Notice>
      )}
    </form>
  );
}

function RelateForm({ view }: { view: CiView }) {
  const { api } = usePortal();
  const id = useId();
  const [type, setType] = useState<RelationType>('depends_on');
  const [number, setNumber] = useState('');
  const write = useWrite(view.ci.id);
  return (
    <form
      className="cmdb-filters"
      onSubmit={(event) => {
        event.preventDefault();
        const cmdb = cmdbApi(api);
        void write.run(async () => {
          const other = await cmdb.byNumber(number.trim());
          await cmdb.relate(view.ci.id, { type, to: other.id });
        }, `Related to ${number.trim().toUpperCase()}.`);
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-type`}>This CI</label>
        <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as RelationType)}>
          {(Object.keys(relationLabels) as RelationType[]).map((t) => (
            <option key={t} value={t}>
              {relationLabels[t].out}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>CI number</label>
        <input
          id={`${id}-to`}
          value={number}
          required
          pattern="[Cc][Ff][Gg][0-9]{7,}"
          placeholder="CFG0001001"
          onChange={(e) => setNumber(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-secondary" disabled={write.busy}>
          Add relation
        </button>
      </div>
      {write.message && (
        <Notice tone={write.message.ok ? 'success' : 'error'}>
          <p>{write.message.text}</p>
        </Notice>
      )}
    </form>
  );
}

import { useCallback, useId, useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { type AssetView, assetApi, assetStateLabels } from './asset-api.ts';
import { classLabels } from './cmdb-api.ts';
import './cmdb.css';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * One asset: what it is, who has it, its check-out history; agents move it (check out, return,
 * repair, retire), the person it is assigned to reports a problem with it.
 */
export function AssetPage({ id }: { id: string }) {
  const { api, session } = usePortal();
  const assets = useMemo(() => assetApi(api), [api]);
  const fetcher = useCallback(() => assets.get(id), [assets, id]);
  const { load, reload } = useQuery(`cmdb:asset:${id}`, fetcher, 'The asset could not be loaded.');
  usePageTitle(load.status === 'ready' ? load.data.ci.name : 'Asset');

  if (load.status === 'loading') return <Loading label="Loading the asset…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found') return <NotFoundPage />;
  const { ci, asset } = load.data;
  const a = ci.attributes;
  const facts: [string, string | undefined][] = [
    ['Class', classLabels[ci.class]],
    ['State', assetStateLabels[asset.state]],
    ['Assigned to', ci.owner?.email],
    ['Manufacturer', text(a.manufacturer)],
    ['Model', text(a.model)],
    ['Serial number', text(a.serialNumber)],
    ['Phone number', text(a.phoneNumber)],
    ['Enrolment', text(a.enrolment)?.replace('_', ' ')],
    ['Purchased', text(a.purchaseDate)],
    ['Warranty ends', text(a.warrantyEnd)],
    ['Cost', text(a.cost)],
    ['Location', ci.location],
  ];
  const agent = isAgent(session);
  const mine = ci.owner?.email === session.email.toLowerCase();
  return (
    <>
      <p>
        {agent ? (
          <Link to={paths.ci(ci.id)}>Configuration item {ci.number}</Link>
        ) : (
          <Link to={paths.myDevices}>My devices</Link>
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
      {agent && <AssetMoves view={load.data} />}
      {mine && <ReportProblem view={load.data} />}
      <AssignmentHistory view={load.data} />
    </>
  );
}

function useMove(id: string) {
  const invalidate = useInvalidate();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const run = async (write: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await write();
      setMessage({ ok: true, text: done });
      invalidate(`cmdb:asset:${id}`, `cmdb:ci:${id}`, 'cmdb:list', 'cmdb:devices');
    } catch (problem) {
      setMessage({ ok: false, text: failureMessage(problem, 'That did not work.') });
    } finally {
      setBusy(false);
    }
  };
  return { message, busy, run };
}

function AssetMoves({ view }: { view: AssetView }) {
  const { api } = usePortal();
  const assets = assetApi(api);
  const id = useId();
  const [person, setPerson] = useState('');
  const [note, setNote] = useState('');
  const move = useMove(view.ci.id);
  const { ci, asset } = view;
  const body = { version: ci.version, ...(note.trim() ? { note: note.trim() } : {}) };
  const button = (action: 'return' | 'repair' | 'retire', label: string, done: string) => (
    <button
      type="button"
      className="button button-secondary"
      disabled={move.busy}
      onClick={() => void move.run(() => assets.move(ci.id, action, body), done)}
    >
      {label}
    </button>
  );
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Move this asset</h2>
      <form
        className="cmdb-filters"
        onSubmit={(event) => {
          event.preventDefault();
          void move.run(
            () => assets.checkOut(ci.id, { ...body, person: person.trim() }),
            `${ci.number} is checked out to ${person.trim()}.`,
          );
        }}
      >
        {asset.state === 'in_stock' && (
          <div className="field">
            <label htmlFor={`${id}-person`}>Check out to (email)</label>
            <input
              id={`${id}-person`}
              type="email"
              required
              value={person}
              onChange={(e) => setPerson(e.target.value)}
            />
          </div>
        )}
        {asset.state !== 'retired' && (
          <div className="field">
            <label htmlFor={`${id}-note`}>Note (optional)</label>
            <input
              id={`${id}-note`}
              value={note}
              maxLength={1000}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
        )}
        <div className="form-actions">
          {asset.state === 'in_stock' && (
            <button type="submit" className="button" disabled={move.busy}>
              Check out
            </button>
          )}
          {asset.state === 'assigned' &&
            button('return', 'Return to stock', `${ci.number} is back in stock.`)}
          {asset.state === 'in_repair' &&
            button('return', 'Back from repair', `${ci.number} is back in stock.`)}
          {(asset.state === 'in_stock' || asset.state === 'assigned') &&
            button('repair', 'Send to repair', `${ci.number} is in repair.`)}
          {(asset.state === 'in_stock' || asset.state === 'in_repair') &&
            button('retire', 'Retire', `${ci.number} is retired.`)}
        </div>
        {asset.state === 'retired' && (
          <p className="muted">A retired asset stays retired; its history is kept.</p>
        )}
        {move.message && (
          <Notice tone={move.message.ok ? 'success' : 'error'}>
            <p>{move.message.text}</p>
          </Notice>
        )}
      </form>
    </section>
  );
}

function ReportProblem({ view }: { view: AssetView }) {
  const { api } = usePortal();
  const id = useId();
  const [summary, setSummary] = useState('');
  const [details, setDetails] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<
    { ok: true; id: string; number: string } | { ok: false; text: string }
  >();
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Report a problem with this device</h2>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          assetApi(api)
            .report(view.ci.id, { shortDescription: summary.trim(), description: details })
            .then(({ incident }) => setResult({ ok: true, ...incident }))
            .catch((problem: unknown) =>
              setResult({ ok: false, text: failureMessage(problem, 'The problem could not be reported.') }),
            )
            .finally(() => setBusy(false));
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-summary`}>What is wrong?</label>
          <input
            id={`${id}-summary`}
            required
            maxLength={160}
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-details`}>Details (optional)</label>
          <textarea
            id={`${id}-details`}
            rows={4}
            value={details}
            onChange={(e) => setDetails(e.target.value)}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            Report the problem
          </button>
        </div>
        {result?.ok && (
          <Notice tone="success">
            <p>
              Reported as <Link to={paths.ticket(result.id)}>{result.number}</Link>; the service desk sees
              which device.
            </p>
          </Notice>
        )}
        {result && !result.ok && (
          <Notice tone="error">
            <p>{result.text}</p>
          </Notice>
        )}
      </form>
    </section>
  );
}

function AssignmentHistory({ view }: { view: AssetView }) {
  const id = useId();
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Check-out history</h2>
      {view.assignments.length === 0 ? (
        <p className="empty">Never checked out.</p>
      ) : (
        <div className="cmdb-table-wrap">
          <table className="cmdb-table">
            <caption>Check-outs and returns of {view.ci.name}</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Checked out</th>
                <th scope="col">Returned</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {view.assignments.map((a) => (
                <tr key={a.checkedOutAt}>
                  <td>{a.person}</td>
                  <td>
                    <DateTime iso={a.checkedOutAt} /> <span className="muted">by {a.checkedOutBy.email}</span>
                  </td>
                  <td>{a.returnedAt ? <DateTime iso={a.returnedAt} /> : 'has it now'}</td>
                  <td>
                    {[a.note, a.fulfils && `fulfils ${a.fulfils}`, a.returnNote].filter(Boolean).join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

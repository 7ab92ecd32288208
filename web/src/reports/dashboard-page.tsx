import { type FormEvent, type ReactElement, useCallback, useId, useMemo, useState } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { Chart } from './chart.tsx';
import {
  type Figures,
  queryOf,
  type Report,
  type ReportParams,
  reportApi,
  reportParams,
} from './report-api.ts';
import './reports.css';

const localDate = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
const daysAgo = (days: number) => {
  const date = new Date();
  date.setDate(date.getDate() - days);
  return localDate(date);
};

const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10} %`);
const hours = (minutes: number | null) =>
  minutes === null ? '–' : `${Math.round((minutes / 60) * 10) / 10} h`;
const inHours = (minutes: number | null) => (minutes === null ? null : Math.round((minutes / 60) * 10) / 10);

/** The parameters in the address, with the last 30 days by day as the default. */
function paramsOf(search: string): ReportParams {
  const query = new URLSearchParams(search);
  const params: ReportParams = {};
  for (const name of reportParams) {
    const value = query.get(name);
    if (value) params[name] = value;
  }
  return { from: daysAgo(29), to: daysAgo(0), granularity: 'day', ...params };
}

/**
 * The reporting dashboard for agents and group managers: the desk's figures for a range, as
 * tiles, two charts with a table of the same numbers, and a CSV export. Everything the page
 * shows is in its address, so a link shares it. Loaded only when visited (its own chunk).
 */
export function DashboardPage({ search }: { search: string }) {
  const { api, config, session } = usePortal();
  const reports = useMemo(
    () => reportApi(api, { apiBase: config.apiBase, idToken: session.idToken }),
    [api, config.apiBase, session.idToken],
  );
  const params = useMemo(() => paramsOf(search), [search]);
  const key = queryOf(params);
  usePageTitle('Reports');
  const fetcher = useCallback(() => reports.report(params), [reports, params]);
  const { load, reload } = useQuery(`reports:${key}`, fetcher, 'The report could not be loaded.');
  const [exportError, setExportError] = useState<string>();

  return (
    <>
      <PageHeading>Reports</PageHeading>
      <Filters key={key} params={params} />
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setExportError(undefined);
            reports.downloadCsv(params).catch((error: Error) => setExportError(error.message));
          }}
        >
          Export CSV
        </button>
      </div>
      {exportError && <ErrorNotice message={exportError} />}
      {load.status === 'loading' && <Loading label="Loading the report…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && <ReportView report={load.data} />}
    </>
  );
}

function Filters({ params }: { params: ReportParams }) {
  const id = useId();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: ReportParams = {};
    for (const name of reportParams) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next[name] = value;
    }
    navigate(paths.reports(next as Record<string, string>));
  };
  const field = (name: keyof ReportParams, label: string, input: ReactElement) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {input}
    </div>
  );
  return (
    <form className="filters" onSubmit={submit} aria-label="Report filters">
      <div className="field-row">
        {field(
          'from',
          'From',
          <input id={`${id}-from`} name="from" type="date" defaultValue={params.from} required />,
        )}
        {field('to', 'To', <input id={`${id}-to`} name="to" type="date" defaultValue={params.to} required />)}
        {field(
          'granularity',
          'Per',
          <select id={`${id}-granularity`} name="granularity" defaultValue={params.granularity}>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </select>,
        )}
        {field('group', 'Group', <input id={`${id}-group`} name="group" defaultValue={params.group ?? ''} />)}
        {field(
          'service',
          'Service',
          <input id={`${id}-service`} name="service" defaultValue={params.service ?? ''} />,
        )}
        {field(
          'priority',
          'Priority',
          <select id={`${id}-priority`} name="priority" defaultValue={params.priority ?? ''}>
            <option value="">Any</option>
            {[1, 2, 3, 4, 5].map((p) => (
              <option key={p} value={p}>
                P{p}
              </option>
            ))}
          </select>,
        )}
        {field(
          'channel',
          'Channel',
          <select id={`${id}-channel`} name="channel" defaultValue={params.channel ?? ''}>
            <option value="">Any</option>
            <option value="portal">Portal</option>
            <option value="email">Email</option>
            <option value="api">API</option>
            <option value="alarm">Alarm</option>
          </select>,
        )}
      </div>
      <button type="submit" className="button">
        Show
      </button>
    </form>
  );
}

function ReportView({ report }: { report: Report }) {
  const { tickets, changes, problems, serviceLevels, knowledge, satisfaction } = report.total;
  const labels = report.periods.map((p) => p.period);
  const pick = (get: (f: Figures) => number | null) => report.periods.map((p) => get(p.figures));
  return (
    <>
      {report.groups && <p className="muted">Figures of your groups: {report.groups.join(', ')}.</p>}
      <h2>
        {report.from} to {report.to}
      </h2>
      <ul className="report-tiles">
        <Tile label="Opened" value={String(tickets.opened)} />
        <Tile label="Resolved" value={String(tickets.resolved)} />
        <Tile label="Backlog at the end" value={String(tickets.backlog)} />
        <Tile label="Median time to acknowledge" value={hours(tickets.acknowledgeMedianMinutes)} />
        <Tile label="Median time to resolve" value={hours(tickets.resolveMedianMinutes)} />
        <Tile label="First-contact resolution" value={percent(tickets.firstContactRate)} />
        <Tile label="Reopen rate" value={percent(tickets.reopenRate)} />
        <Tile label="Change success rate" value={percent(changes.successRate)} />
        <Tile label="Emergency changes" value={percent(changes.emergencyShare)} />
        <Tile label="Known errors" value={String(problems.knownErrors)} />
        <Tile label="SLA met" value={percent(serviceLevels.slaMetRate)} />
        <Tile label="Answered by an article" value={percent(knowledge.deflectionRate)} />
        <Tile label="Satisfied (4 or 5 of 5)" value={percent(satisfaction.satisfiedShare)} />
      </ul>
      <Chart
        title="Tickets opened and resolved, and the backlog"
        description={`Per ${report.granularity} from ${report.from} to ${report.to}: ${tickets.opened} opened, ${tickets.resolved} resolved, backlog ${tickets.backlog} at the end. The table below lists every period.`}
        labels={labels}
        series={[
          { label: 'Opened', kind: 'bar', values: pick((f) => f.tickets.opened) },
          { label: 'Resolved', kind: 'bar', values: pick((f) => f.tickets.resolved) },
          { label: 'Backlog', kind: 'line', values: pick((f) => f.tickets.backlog) },
        ]}
      />
      <Chart
        title="Median time to acknowledge and to resolve (business hours)"
        description={`Per ${report.granularity}: median time to acknowledge ${hours(tickets.acknowledgeMedianMinutes)}, to resolve ${hours(tickets.resolveMedianMinutes)} over the range. The table below lists every period.`}
        labels={labels}
        unit="hours"
        series={[
          {
            label: 'To acknowledge',
            kind: 'line',
            values: pick((f) => inHours(f.tickets.acknowledgeMedianMinutes)),
          },
          { label: 'To resolve', kind: 'line', values: pick((f) => inHours(f.tickets.resolveMedianMinutes)) },
        ]}
      />
      <PeriodTable report={report} />
      <AgentSatisfaction report={report} />
      <h2>Top services by incidents</h2>
      {report.topServices.length === 0 ? (
        <p className="muted">No incidents named a service in this range.</p>
      ) : (
        <ol>
          {report.topServices.map((s) => (
            <li key={s.service}>
              {s.service}: {s.incidents}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function AgentSatisfaction({ report }: { report: Report }) {
  if (report.agentSatisfaction.length === 0) return null;
  return (
    <>
      <h2>Satisfaction per agent</h2>
      <table className="report-table">
        <caption>Ratings of the tickets each agent worked</caption>
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Ratings</th>
            <th scope="col">Mean score</th>
          </tr>
        </thead>
        <tbody>
          {report.agentSatisfaction.map((a) => (
            <tr key={a.agent}>
              <th scope="row">{a.agent}</th>
              <td>{a.responses}</td>
              <td>{a.meanScore} / 5</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <li>
      <span className="tile-value">{value}</span>
      {label}
    </li>
  );
}

const columns: readonly [string, (f: Figures) => string][] = [
  ['Opened', (f) => String(f.tickets.opened)],
  ['Resolved', (f) => String(f.tickets.resolved)],
  ['Backlog', (f) => String(f.tickets.backlog)],
  ['Median to acknowledge', (f) => hours(f.tickets.acknowledgeMedianMinutes)],
  ['Median to resolve', (f) => hours(f.tickets.resolveMedianMinutes)],
  ['First contact', (f) => percent(f.tickets.firstContactRate)],
  ['Reopened', (f) => String(f.tickets.reopened)],
  ['Changes', (f) => String(f.changes.created)],
  ['Change success', (f) => percent(f.changes.successRate)],
  ['Problems', (f) => String(f.problems.opened)],
  ['SLA met', (f) => percent(f.serviceLevels.slaMetRate)],
  ['Deflected', (f) => String(f.knowledge.deflected)],
  ['Satisfaction', (f) => (f.satisfaction.meanScore === null ? '–' : `${f.satisfaction.meanScore} / 5`)],
];

/** The charts' numbers as a table: what a screen reader or a careful reader uses. */
function PeriodTable({ report }: { report: Report }) {
  return (
    <section
      className="report-table-wrap"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than the screen scrolls; keyboard users must reach it (WCAG 2.1.1)
      tabIndex={0}
      aria-label={`Figures per ${report.granularity}, scrollable`}
    >
      <table className="report-table">
        <caption>Figures per {report.granularity}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {columns.map(([name]) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.periods.map((p) => (
            <tr key={p.period}>
              <th scope="row">{p.period}</th>
              {columns.map(([name, value]) => (
                <td key={name}>{value(p.figures)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { type CountingDeps, countEvent } from '#core/reporting/counting-service.ts';
import { buildReport, type ReportDeps } from '#core/reporting/report-service.ts';
import { ALWAYS } from '#core/sla/business-calendar.ts';
import { reportRoutes } from '#http/routes/reports.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';
import { callRoutes } from '../support/http-call.ts';
import { move, recordUpdated, ticketCreated } from '../support/report-events.ts';

/** Report counters maintained from record events, on DynamoDB Local. */
const admin: Actor = { id: 'u-ada', email: 'ada@example.com', groups: ['admins'] };
const al: Actor = { id: 'u-al', email: 'al.agent@example.com', groups: ['agents'] };
const mia: Actor = { id: 'u-mia', email: 'mia.manager@example.com', groups: [] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
let counting: CountingDeps;
let reading: ReportDeps;
let requests = 0;

const history: DomainEvent[] = [
  // T1: network, P2, mail; acknowledged after 30 min, resolved after 2 h on the first contact.
  ticketCreated('T1', '2026-11-02T09:00:00.000Z', {
    group: 'network',
    priority: 2,
    channel: 'email',
    service: 'vpn',
  }),
  move('T1', '2026-11-02T09:30:00.000Z', 'new', 'in_progress'),
  move('T1', '2026-11-02T11:00:00.000Z', 'in_progress', 'resolved'),
  // T2: network, P3; resolved after 4 h, reopened the next day (takes back its first-contact resolution).
  ticketCreated('T2', '2026-11-02T10:00:00.000Z', { group: 'network', service: 'vpn' }),
  move('T2', '2026-11-02T14:00:00.000Z', 'new', 'resolved'),
  move('T2', '2026-11-03T08:00:00.000Z', 'resolved', 'in_progress'),
  // T3: service desk; transferred to network (the backlog moves with it), still open.
  ticketCreated('T3', '2026-11-03T12:00:00.000Z', { group: 'service-desk', service: 'mail' }),
  recordUpdated('ticket.updated', 'T3', '2026-11-03T12:10:00.000Z', [
    { field: 'assignmentGroup', oldValue: 'service-desk', newValue: 'network' },
  ]),
];

beforeAll(async () => {
  const tables = await freshTables();
  const reports = new DynamoReportStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
    onRequest: () => void requests++,
  });
  counting = { reports, calendar: ALWAYS };
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const clock = { now: () => new Date('2026-11-05T12:00:00.000Z') };
  await createGroup({ groups, clock }, admin, { id: 'network', name: 'Network', managerEmail: mia.email });
  await createGroup({ groups, clock }, admin, { id: 'service-desk', name: 'Service Desk' });
  await addMember({ groups, clock }, admin, 'service-desk', { email: al.email });
  reading = { reports, timeZone: 'UTC', clock, groups };
  for (const event of history) expect(await countEvent(counting, event)).toBe('counted');
});

describe('report counters from record events', () => {
  it('counts opened, resolved, backlog, times, first contact and reopens per day', async () => {
    const report = await buildReport(reading, admin, { from: '2026-11-02', to: '2026-11-04' });
    const [nov2, nov3, nov4] = report.periods.map((p) => p.figures.tickets);
    expect(nov2).toMatchObject({
      opened: 2,
      resolved: 2,
      backlog: 0,
      acknowledged: 2,
      acknowledgeMeanMinutes: 135, // (30 + 240) / 2
      resolveMeanMinutes: 180, // (120 + 240) / 2
      firstContactResolutions: 1, // T2's was taken back by its reopen
      firstContactRate: 0.5,
    });
    expect(nov3).toMatchObject({ opened: 1, resolved: 0, reopened: 1, backlog: 2 });
    expect(nov4?.backlog).toBe(2);
    expect(report.total.tickets.reopenRate).toBe(0.5);
    expect(report.topServices).toEqual([
      { service: 'vpn', incidents: 2 },
      { service: 'mail', incidents: 1 },
    ]);
  });

  it('moves the backlog with a transferred ticket', async () => {
    const network = await buildReport(reading, admin, {
      from: '2026-11-03',
      to: '2026-11-03',
      group: 'network',
    });
    const desk = await buildReport(reading, admin, {
      from: '2026-11-03',
      to: '2026-11-03',
      group: 'service-desk',
    });
    expect(network.total.tickets.backlog).toBe(2); // T2 reopened, T3 transferred in
    expect(desk.total.tickets).toMatchObject({ opened: 1, backlog: 0 });
  });

  it('counts a replayed event once', async () => {
    const before = await buildReport(reading, admin, { from: '2026-11-02', to: '2026-11-03' });
    for (const event of history) expect(await countEvent(counting, event)).toBe('duplicate');
    const after = await buildReport(reading, admin, { from: '2026-11-02', to: '2026-11-03' });
    expect(after).toEqual(before);
  });

  it('reads a year of one cut in one request', async () => {
    requests = 0;
    await buildReport(reading, admin, { from: '2025-11-06', to: '2026-11-05', granularity: 'month' });
    expect(requests).toBe(1);
  });
});

describe('report routes', () => {
  const get = (path: string, as: Actor) => callRoutes(reportRoutes(reading), 'GET', path, as);

  it('gives admins the whole desk, a manager their group, an agent theirs; refuses everyone else', async () => {
    const range = 'from=2026-11-02&to=2026-11-03';
    const whole = await get(`/api/reports?${range}`, admin);
    const managed = await get(`/api/reports?${range}`, mia);
    const own = await get(`/api/reports?${range}`, al);
    const other = await get(`/api/reports?${range}&group=network`, al);
    const employee = await get(`/api/reports?${range}`, emma);

    expect(whole.status).toBe(200);
    expect(whole.body.total.tickets.opened).toBe(3);
    expect(whole.body.groups).toBeUndefined();
    expect(managed.body).toMatchObject({
      groups: ['network'],
      total: { tickets: { opened: 2, backlog: 2 } },
    });
    expect(own.body).toMatchObject({
      groups: ['service-desk'],
      total: { tickets: { opened: 1, backlog: 0 } },
    });
    expect(other.status).toBe(400);
    expect(other.body.error.fields).toEqual([{ path: 'group', message: 'is not a group you report on' }]);
    expect(employee.status).toBe(403);
  });

  it('refuses a reversed range, naming the field', async () => {
    const reversed = await get('/api/reports?from=2026-11-03&to=2026-11-02', admin);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.fields).toEqual([{ path: 'to', message: 'must not be before from' }]);
  });

  it('exports every figure of every period as CSV', async () => {
    const response = await get('/api/reports/csv?from=2026-11-02&to=2026-11-08&granularity=week', admin);
    const [header, row, end] = String(response.body).split('\r\n');
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('spoke-report-2026-11-02-2026-11-08-week.csv');
    const columns = header?.split(',') ?? [];
    const values = Object.fromEntries(columns.map((name, i) => [name, row?.split(',')[i]]));
    expect(values).toMatchObject({
      period: '2026-11-02',
      'tickets.opened': '3',
      'tickets.reopenRate': '0.5',
    });
    expect(columns).toContain('changes.cabLeadMedianMinutes');
    expect(end).toBe('');
  });
});

describe('the cost of counting', () => {
  // Last: it adds a ticket, which would change the figures above.
  it('counts an event with one read and one transaction', async () => {
    requests = 0;
    const event = ticketCreated('T9', '2026-11-04T09:00:00.000Z', {
      group: 'network',
      priority: 1,
      channel: 'api',
      service: 'vpn',
    });
    expect(await countEvent(counting, event)).toBe('counted');
    expect(requests).toBe(2); // GetItem of the facts, TransactWriteItems of marker + facts + 16 counter items
  });
});

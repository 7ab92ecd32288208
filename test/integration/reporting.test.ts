import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import type { Actor } from '#core/identity/actor.ts';
import { type CountingDeps, countEvent } from '#core/reporting/counting-service.ts';
import { buildReport, type ReportDeps } from '#core/reporting/report-service.ts';
import { ALWAYS } from '#core/sla/business-calendar.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';
import { move, recordUpdated, ticketCreated } from '../support/report-events.ts';

/** Report counters maintained from record events, on DynamoDB Local. */
const admin: Actor = { id: 'u-ada', email: 'ada@example.com', groups: ['admins'] };
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
  reading = {
    reports,
    timeZone: 'UTC',
    clock: { now: () => new Date('2026-11-05T12:00:00.000Z') },
    groups: { groupsOf: async () => [], listGroups: async () => ({ items: [] }) },
  };
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

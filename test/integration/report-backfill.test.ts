import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { defaultProblemSettings } from '#core/problem/problem.ts';
import { createProblem, updateProblem } from '#core/problem/problem-service.ts';
import { countEvent } from '#core/reporting/counting-service.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { buildReport, type ReportDeps } from '#core/reporting/report-service.ts';
import {
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import { backfillReports } from '#ops/report-backfill.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * `npm run report:backfill` against live counting: records made by the real ticket and problem
 * engines on DynamoDB Local are counted once by replaying the events they published (as the
 * consumer does) and once by the backfill from the stored records; the reports must agree.
 */
const admin: Actor = { id: 'u-ada', email: 'ada@example.com', groups: ['admins', 'agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const calendar = deskCalendar('Europe/Berlin', 'mon,tue,wed,thu,fri 08:00-18:00');
const published: DomainEvent[] = [];
let now = Date.parse('2026-11-02T07:00:00.000Z');
const later = (minutes: number) => {
  now += minutes * 60_000;
};
let records: Awaited<ReturnType<typeof freshTables>>;
let live: Awaited<ReturnType<typeof freshTables>>;

const reportDeps = (tables: Awaited<ReturnType<typeof freshTables>>): ReportDeps => ({
  reports: new DynamoReportStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  }),
  timeZone: 'Europe/Berlin',
  clock: { now: () => new Date('2026-11-20T12:00:00.000Z') },
  groups: { groupsOf: async () => [], listGroups: async () => ({ items: [] }) },
});

beforeAll(async () => {
  [records, live] = await Promise.all([freshTables(), freshTables()]);
  let n = 0;
  const clock = {
    now: () => {
      later(1 / 60_000);
      return new Date(now);
    },
  };
  const ids = { next: () => `id${String(++n).padStart(6, '0')}` };
  const events = { publish: async (batch: readonly DomainEvent[]) => void published.push(...batch) };
  const groups = new DynamoGroupStore({
    client: records.documents,
    domainTable: records.domainTable,
    cacheTtlMs: 0,
  });
  await createGroup({ groups, clock }, admin, { id: 'service-desk', name: 'Service Desk' });
  await createGroup({ groups, clock }, admin, { id: 'network', name: 'Network' });
  const tickets: TicketDeps = {
    tickets: new DynamoTicketStore({
      client: records.documents,
      domainTable: records.domainTable,
      idempotencyTable: records.idempotencyTable,
    }),
    clock,
    ids,
    events,
    groups,
    routing: groups,
    settings: defaultTicketSettings,
  };
  const open = async (input: Parameters<typeof openTicket>[2]) =>
    (await openTicket(tickets, admin, { requester: { email: emma.email }, ...input }, { channel: 'api' }))
      .ticket;
  const update = async (id: string, input: Omit<Parameters<typeof updateTicket>[3], 'version'>) => {
    const current = await tickets.tickets.get(id);
    return updateTicket(tickets, admin, id, { version: current?.ticket.version ?? 0, ...input });
  };
  const resolve = { state: 'resolved', resolutionCode: 'solved', resolutionNotes: 'fixed' } as const;

  const vpn = await open({
    shortDescription: 'VPN down',
    service: 'vpn',
    assignmentGroup: 'network',
    impact: 1,
  });
  later(45);
  await update(vpn.id, { state: 'in_progress' });
  later(120);
  await update(vpn.id, resolve);
  const mail = await open({ shortDescription: 'Mail slow', assignmentGroup: 'service-desk' });
  later(30);
  await update(mail.id, { assignmentGroup: 'network', service: 'mail', urgency: 1 });
  later(24 * 60);
  await update(mail.id, { state: 'on_hold', holdReason: 'awaiting_caller' });
  later(60);
  await update(mail.id, resolve);
  const laptop = await open({
    kind: 'request',
    shortDescription: 'New laptop',
    assignmentGroup: 'service-desk',
  });
  later(3 * 24 * 60);
  await update(laptop.id, resolve);
  later(10);
  await update(laptop.id, { state: 'in_progress' }); // reopened
  const problems = {
    ...tickets,
    problems: new DynamoProblemStore({
      client: records.documents,
      domainTable: records.domainTable,
      idempotencyTable: records.idempotencyTable,
    }),
    changes: new DynamoChangeStore(records.documents, records.domainTable, records.idempotencyTable),
    problemSettings: defaultProblemSettings,
  };
  const problem = await createProblem(problems, admin, {
    shortDescription: 'VPN flaps',
    assignmentGroup: 'network',
  });
  later(60);
  await updateProblem(problems, admin, problem.id, { version: problem.version, workaround: 'Reconnect' });
  later(5);
  await updateProblem(problems, admin, problem.id, {
    version: problem.version + 1,
    workaroundPublished: true,
  });

  const counting = { reports: reportDeps(live).reports, calendar };
  for (const event of published) await countEvent(counting, event);
}, 60_000);

describe('report backfill', () => {
  it('rebuilds from the records the same counters live counting made', async () => {
    const result = await backfillReports({
      documents: records.documents,
      domainTable: records.domainTable,
      idempotencyTable: records.idempotencyTable,
      calendar,
    });
    expect(result.records).toEqual({ incident: 2, request: 1, change: 0, problem: 1 });
    for (const filter of [
      {},
      { group: 'network' },
      { group: 'service-desk' },
      { service: 'mail' },
      { priority: 1 },
    ]) {
      const query = { from: '2026-11-01', to: '2026-11-20', granularity: 'week', ...filter };
      const fromLive = await buildReport(reportDeps(live), admin, query);
      const rebuilt = await buildReport(reportDeps(records), admin, query);
      expect(rebuilt).toEqual(fromLive);
    }
    const total = (await buildReport(reportDeps(records), admin, { from: '2026-11-01', to: '2026-11-20' }))
      .total;
    expect(total.tickets).toMatchObject({
      opened: 3,
      resolved: 3,
      reopened: 1,
      firstContactResolutions: 1,
      backlog: 1,
    });
    expect(total.problems.knownErrors).toBe(1);
  });
});

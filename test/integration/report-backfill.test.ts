import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoKnowledgeStore } from '#adapters/dynamodb/knowledge-store.dynamo.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import { DynamoSlaStore } from '#adapters/dynamodb/sla-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { knowledgeBody } from '#channels/web/rich-text.ts';
import { createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import {
  createArticle,
  giveFeedback,
  type KnowledgeDeps,
  recordView,
  updateArticle,
} from '#core/knowledge/knowledge-service.ts';
import { defaultProblemSettings } from '#core/problem/problem.ts';
import { createProblem, updateProblem } from '#core/problem/problem-service.ts';
import { countEvent } from '#core/reporting/counting-service.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { buildReport, type ReportDeps } from '#core/reporting/report-service.ts';
import { BusinessCalendar } from '#core/sla/business-calendar.ts';
import { ticketSource } from '#core/sla/record-sources.ts';
import { createDefinition } from '#core/sla/sla-admin.ts';
import { fireTimer, type SlaDeps, trackRecord } from '#core/sla/sla-service.ts';
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
 * The SLA engine follows the tickets (its timers fire when the test's clock passes them), so
 * SLA met % is rebuilt from the SLA history entries as well.
 */
const admin: Actor = { id: 'u-ada', email: 'ada@example.com', groups: ['admins', 'agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const rae: Actor = { id: 'u-rae', email: 'rae@example.com', groups: ['agents'] };
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
  const timers = new Map<string, { at: string; version: number }>();
  const sla: SlaDeps = {
    sla: new DynamoSlaStore({
      client: records.documents,
      domainTable: records.domainTable,
      idempotencyTable: records.idempotencyTable,
    }),
    clock,
    ids,
    defaultCalendar: BusinessCalendar.parse({ timeZone: 'Europe/Berlin', hours: { mon: ['08:00-18:00'] } }),
    sources: { ticket: ticketSource(tickets.tickets) },
    timers: {
      set: async (recordId, at, version) => void timers.set(recordId, { at, version }),
      clear: async (recordId) => void timers.delete(recordId),
    },
    events,
    mailer: { send: async () => ({ providerMessageId: 'm' }) },
    managerOf: async () => undefined,
    groupsOf: async () => [],
    portalUrl: 'http://127.0.0.1:3000',
    supportAddress: 'support@example.com',
  };
  // Around the clock (more specific than the built-in definitions, so these apply): incidents answer within 30 minutes and are resolved within 4 hours; the
  // network group's OLA resolves within 8; requests within 5 days.
  await createDefinition(sla, admin, {
    id: 'api-incidents',
    name: 'Incidents',
    conditions: { recordTypes: ['incident'], channels: ['api'], priorities: [1, 2, 3, 4, 5] },
    calendarId: '24x7',
    targets: {
      response: { 1: 30, 2: 30, 3: 30, 4: 30, 5: 30 },
      resolution: { 1: 240, 2: 240, 3: 240, 4: 240, 5: 240 },
    },
  });
  await createDefinition(sla, admin, {
    id: 'network-ola',
    name: 'Network OLA',
    kind: 'ola',
    conditions: { recordTypes: ['incident'], assignmentGroups: ['network'] },
    calendarId: '24x7',
    targets: { resolution: { 1: 480, 2: 480, 3: 480, 4: 480, 5: 480 } },
  });
  await createDefinition(sla, admin, {
    id: 'api-requests',
    name: 'Requests',
    conditions: { recordTypes: ['request'], channels: ['api'], priorities: [1, 2, 3, 4, 5] },
    calendarId: '24x7',
    targets: { resolution: { 1: 7200, 2: 7200, 3: 7200, 4: 7200, 5: 7200 } },
  });
  /** The scheduler's part: fires every timer the clock has passed. */
  const fireDue = async () => {
    for (const [recordId, timer] of [...timers]) {
      if (Date.parse(timer.at) > now) continue;
      timers.delete(recordId);
      await fireTimer(sla, recordId, timer.version);
    }
  };
  const step = async (minutes: number) => {
    later(minutes);
    await fireDue();
  };
  const open = async (input: Parameters<typeof openTicket>[2]) => {
    const { ticket } = await openTicket(
      tickets,
      admin,
      { requester: { email: emma.email }, ...input },
      { channel: 'api' },
    );
    await trackRecord(sla, 'ticket', ticket.id);
    return ticket;
  };
  const update = async (id: string, input: Omit<Parameters<typeof updateTicket>[3], 'version'>) => {
    const current = await tickets.tickets.get(id);
    const updated = await updateTicket(tickets, admin, id, {
      version: current?.ticket.version ?? 0,
      ...input,
    });
    await trackRecord(sla, 'ticket', id);
    return updated;
  };
  const resolve = { state: 'resolved', resolutionCode: 'solved', resolutionNotes: 'fixed' } as const;

  const vpn = await open({
    shortDescription: 'VPN down',
    service: 'vpn',
    assignmentGroup: 'network',
    impact: 1,
  });
  await step(45); // the response timer fires at 30: breached
  await update(vpn.id, { state: 'in_progress' });
  await step(120);
  await update(vpn.id, resolve); // resolution (4 h) and the OLA (8 h) met
  const mail = await open({ shortDescription: 'Mail slow', assignmentGroup: 'service-desk' });
  later(10);
  await update(mail.id, { state: 'in_progress' }); // response met
  later(20);
  await update(mail.id, { assignmentGroup: 'network', service: 'mail', urgency: 1 });
  later(24 * 60); // no timer fires: the resolution clock is stopped late, as breached
  await update(mail.id, { state: 'on_hold', holdReason: 'awaiting_caller' });
  later(60);
  await update(mail.id, resolve);
  const laptop = await open({
    kind: 'request',
    shortDescription: 'New laptop',
    assignmentGroup: 'service-desk',
  });
  later(3 * 24 * 60);
  await update(laptop.id, resolve); // met within 5 days
  later(10);
  await update(laptop.id, { state: 'in_progress' }); // reopened: the met target is taken back
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

  const knowledge: KnowledgeDeps = {
    knowledge: new DynamoKnowledgeStore({
      client: records.documents,
      domainTable: records.domainTable,
      idempotencyTable: records.idempotencyTable,
    }),
    events,
    clock,
    ids,
    sanitize: knowledgeBody,
    ticketOf: async () => {
      throw new Error('not used');
    },
  };
  const draft = await createArticle(knowledge, admin, { title: 'Reset the VPN', body: '<p>Reconnect.</p>' });
  await updateArticle(knowledge, admin, draft.id, { version: 1, state: 'review' });
  await updateArticle(knowledge, rae, draft.id, { version: 2, state: 'published' });
  later(60);
  await recordView(knowledge, emma, draft.id, { source: 'suggestion' });
  await giveFeedback(knowledge, emma, draft.id, { helpful: true });
  later(60);
  await giveFeedback(knowledge, rae, draft.id, { helpful: false, comment: 'outdated' });

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
    expect(result.records).toEqual({ incident: 2, request: 1, change: 0, problem: 1, knowledge: 1 });
    // Suggestion opens are kept by the knowledge store as a total without days: live only.
    const withoutOpens = (report: Awaited<ReturnType<typeof buildReport>>) =>
      JSON.parse(JSON.stringify(report).replaceAll('"suggestionsOpened":1', '"suggestionsOpened":0'));
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
      expect(rebuilt).toEqual(withoutOpens(fromLive));
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
    expect(published.filter((e) => e.type.startsWith('sla.')).map((e) => e.type)).toContain('sla.breached');
    expect(total.serviceLevels).toMatchObject({
      slaMet: 2, // mail's response, vpn's resolution (the laptop's was taken back by the reopen)
      slaBreached: 2, // vpn's response (timer), mail's resolution (stopped late)
      responseMetRate: 0.5,
      resolutionMetRate: 0.5,
      olaMet: 1,
    });
    const liveTotal = (await buildReport(reportDeps(live), admin, { from: '2026-11-01', to: '2026-11-20' }))
      .total;
    expect(liveTotal.knowledge.suggestionsOpened).toBe(1);
    expect(total.knowledge).toEqual({
      suggestionsOpened: 0,
      deflected: 1,
      notHelpful: 1,
      deflectionRate: 0.25, // 1 answered by an article / (1 + 3 tickets opened)
    });
  });
});

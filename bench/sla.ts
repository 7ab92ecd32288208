import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoSlaStore } from '#adapters/dynamodb/sla-store.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { SchedulerSlaTimers } from '#adapters/eventbridge/sla-timers.scheduler.ts';
import { ulids } from '#adapters/system/system.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { addBusinessTime, BusinessCalendar } from '#core/sla/business-calendar.ts';
import { ticketSource } from '#core/sla/record-sources.ts';
import { createDefinition, defaultDefinitions } from '#core/sla/sla-admin.ts';
import { attach, type RecordSnapshot } from '#core/sla/sla-record.ts';
import { dueAcrossGroups, fireTimer, type SlaDeps, trackRecord } from '#core/sla/sla-service.ts';
import { ticketActions } from '#core/ticket/ticket-escalation.ts';
import {
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import { ensureTables } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { claimPort } from '#local/preflight.ts';
import { startLocalScheduler } from '#local/scheduler.ts';
import { type Figure, loadNote, type SuiteResult } from './report.ts';
import { startRequestTracker } from './request-tracker.ts';
import type { SuiteOptions } from './run.ts';
import { random } from './ticket-data.ts';

/**
 * Service levels (issue 15) on real parts — DynamoDB Local, the local EventBridge Scheduler
 * through the SDK's own client — with the requests each step sends counted at the HTTP layer:
 * the due-date computation per record (µs), the schedule and DynamoDB requests per record event,
 * the due queue over 10,000 open records with timers (1 Query), and a breach firing to its
 * escalation mail (p50 from the schedule's time to the mail).
 */
const SIZES = {
  smoke: { computations: 2_000, open: 300, events: 3, breaches: 3 },
  quick: { computations: 20_000, open: 2_000, events: 10, breaches: 6 },
  full: { computations: 100_000, open: 10_000, events: 30, breaches: 20 },
} as const;
const GROUPS_OF_QUEUE = ['service-desk', 'network', 'workplace', 'sap'] as const;

const weekdays = ['08:00-18:00'];
const berlin = BusinessCalendar.parse({
  timeZone: 'Europe/Berlin',
  hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
  holidays: ['2026-12-24', '2026-12-25', '2026-12-31'],
});
const admin: Actor = { id: 'u-admin', email: 'admin@example.com', groups: ['admins', 'agents'] };
const dana: Actor = { id: 'u-dana', email: 'dana@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:SlaHandler';

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Pure business-time arithmetic: attaching the built-in definitions to records opened over a year. */
function computation(count: number): Figure[] {
  const { next } = random(15);
  const start = Date.UTC(2026, 0, 1);
  const snapshots: RecordSnapshot[] = Array.from({ length: count }, (_, n) => {
    const at = new Date(start + Math.floor(next() * 365 * 86_400_000)).toISOString();
    return {
      recordId: `r${n}`,
      recordType: 'incident',
      number: `INC${String(n).padStart(7, '0')}`,
      version: 1,
      state: 'new',
      phase: 'open',
      priority: 1 + Math.floor(next() * 5),
      createdAt: at,
      updatedAt: at,
    };
  });
  const calendars = (id: string) =>
    id === '24x7' ? { timeZone: 'UTC', hours: '24x7' as const, holidays: [] } : berlin;
  const now = new Date(start);
  const attachUs: number[] = [];
  for (const snapshot of snapshots) {
    const t = performance.now();
    attach(defaultDefinitions, calendars, snapshot, now);
    attachUs.push((performance.now() - t) * 1000);
  }
  const addUs: number[] = [];
  for (const snapshot of snapshots.slice(0, Math.min(count, 20_000))) {
    const t = performance.now();
    addBusinessTime(berlin, new Date(snapshot.createdAt), 16 * 3_600_000);
    addUs.push((performance.now() - t) * 1000);
  }
  return [
    {
      name: 'due dates of a new record (both targets, business hours), p50',
      value: round(percentile(attachUs, 50)),
      unit: 'µs',
      target: 200,
      note: `${count} records opened over 2026, Berlin hours with holidays`,
    },
    { name: 'due dates of a new record, p95', value: round(percentile(attachUs, 95)), unit: 'µs' },
    {
      name: 'addBusinessTime (16 business hours), p50',
      value: round(percentile(addUs, 50)),
      unit: 'µs',
      target: 100,
    },
  ];
}

export async function runSla(options: SuiteOptions): Promise<SuiteResult> {
  const size = SIZES[options.size];
  const notes: string[] = [loadNote('at start')];
  const figures: Figure[] = computation(size.computations);
  const dir = await mkdtemp(join(tmpdir(), 'spoke-bench-sla-'));
  const dynamoPort = await claimPort(0, 'DynamoDB Local for the SLA bench');
  const dynamo = await startDynamoDbLocal({ port: dynamoPort });
  const tracker = startRequestTracker({ [dynamoPort]: 'dynamodb' });
  let scheduler: Awaited<ReturnType<typeof startLocalScheduler>> | undefined;
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(client, 'bench');
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const tables = {
      client: documents,
      domainTable: tableName('bench', domainTable),
      idempotencyTable: tableName('bench', idempotencyTable),
    };
    const groups = new DynamoGroupStore({ ...tables, cacheTtlMs: 60_000 });
    const clock = { now: () => new Date() };
    for (const id of GROUPS_OF_QUEUE)
      await createGroup({ groups, clock }, admin, {
        id,
        name: id,
        managerEmail: `${id}.manager@example.com`,
      });
    await addMember({ groups, clock }, admin, 'service-desk', { email: dana.email });
    const ticketStore = new DynamoTicketStore(tables);
    let ticketNow = Date.now();
    const tickets: TicketDeps = {
      tickets: ticketStore,
      clock: { now: () => new Date(ticketNow) },
      ids: ulids,
      events: { publish: async () => undefined },
      groups,
      routing: { route: async () => ({ group: 'service-desk' }) },
      settings: defaultTicketSettings,
    };
    const mailedAt = new Map<string, number>();
    let sla: SlaDeps | undefined;
    scheduler = await startLocalScheduler({
      file: join(dir, 'schedules.json'),
      groupNames: ['spoke-bench-sla'],
      invoke: async (_arn, input) => {
        const { recordId, version } = JSON.parse(input ?? '{}') as { recordId: string; version: number };
        if (sla) await fireTimer(sla, recordId, version);
      },
    });
    const schedulerPort = Number(new URL(scheduler.endpoint).port);
    tracker.close();
    const counter = startRequestTracker({ [dynamoPort]: 'dynamodb', [schedulerPort]: 'scheduler' });
    sla = {
      sla: new DynamoSlaStore(tables),
      clock,
      ids: ulids,
      defaultCalendar: berlin,
      sources: { ticket: ticketSource(ticketStore) },
      timers: new SchedulerSlaTimers(
        new SchedulerClient({
          endpoint: scheduler.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
        {
          groupName: 'spoke-bench-sla',
          targetArn: () => TARGET,
          roleArn: 'arn:aws:iam::000000000000:role/s',
        },
      ),
      events: { publish: async () => undefined },
      mailer: {
        async send(mail) {
          if (mail.subject.includes('breached'))
            mailedAt.set(/\[(\w+)\]/.exec(mail.subject)?.[1] ?? '', Date.now());
          return { providerMessageId: 'bench' };
        },
      },
      actions: { incident: ticketActions(tickets) },
      managerOf: async (group) => (await groups.getGroup(group))?.managerEmail,
      groupsOf: (email) => groups.groupsOf(email),
      portalUrl: 'http://127.0.0.1:3000',
      supportAddress: 'support@example.com',
    };
    const deps = sla;
    await createDefinition(deps, admin, {
      id: 'bench-fast',
      name: 'Bench (one minute around the clock)',
      conditions: { recordTypes: ['incident'], services: ['bench'] },
      calendarId: '24x7',
      targets: { response: { '5': 1, '4': 1 }, resolution: { '5': 60, '4': 60 } },
      warnAtPercent: 50,
    });

    // Record events: what one SLA step sends to DynamoDB and the Scheduler, per kind of event.
    const perEvent = new Map<string, { scheduler: number[]; dynamodb: number[]; ms: number[] }>();
    const measure = async (kind: string, work: () => Promise<unknown>) => {
      const window = counter.begin();
      const t = performance.now();
      await work();
      const ms = performance.now() - t;
      const counts = window.end();
      const entry = perEvent.get(kind) ?? { scheduler: [], dynamodb: [], ms: [] };
      entry.scheduler.push(counts.byService.scheduler ?? 0);
      entry.dynamodb.push(counts.byService.dynamodb ?? 0);
      entry.ms.push(ms);
      perEvent.set(kind, entry);
    };
    for (let n = 0; n < size.events; n++) {
      const { ticket } = await openTicket(
        tickets,
        emma,
        { shortDescription: `Event ${n}` },
        { channel: 'portal' },
      );
      await measure('created (clocks attached, timer created)', () => trackRecord(deps, 'ticket', ticket.id));
      const held = await updateTicket(tickets, dana, ticket.id, {
        version: ticket.version,
        assignee: { email: dana.email },
        state: 'on_hold',
        holdReason: 'awaiting_caller',
      });
      await measure('on hold (paused, timer deleted)', () => trackRecord(deps, 'ticket', ticket.id));
      const resumed = await updateTicket(tickets, dana, ticket.id, {
        version: held.version,
        state: 'in_progress',
      });
      await measure('resumed (timer created again)', () => trackRecord(deps, 'ticket', ticket.id));
      const raised = await updateTicket(tickets, dana, ticket.id, { version: resumed.version, urgency: 1 });
      await measure('priority changed (timer moved)', () => trackRecord(deps, 'ticket', ticket.id));
      await measure('the same event again (nothing to do)', () => trackRecord(deps, 'ticket', ticket.id));
      await updateTicket(tickets, dana, ticket.id, {
        version: raised.version,
        state: 'resolved',
        resolutionCode: 'solved',
        resolutionNotes: 'done',
      });
      await measure('resolved (met, timer deleted)', () => trackRecord(deps, 'ticket', ticket.id));
    }
    for (const [kind, entry] of perEvent) {
      figures.push({
        name: `${kind}: Scheduler requests per event`,
        value: round(Math.max(...entry.scheduler)),
        unit: 'n',
        target: 2,
        note: `DynamoDB requests ${round(entry.dynamodb.reduce((a, b) => a + b, 0) / entry.dynamodb.length, 1)} on average, p50 ${round(percentile(entry.ms, 50), 1)} ms`,
      });
    }

    // 10,000 open records with running clocks in four groups: the queue by due time is one Query.
    const store = new DynamoSlaStore(tables);
    const calendars = () => berlin;
    const { next } = random(7);
    const loadStart = performance.now();
    const states = Array.from({ length: size.open }, (_, n) => {
      const at = new Date(Date.now() - Math.floor(next() * 5 * 86_400_000)).toISOString();
      const group = GROUPS_OF_QUEUE[n % GROUPS_OF_QUEUE.length] as string;
      return attach(
        defaultDefinitions,
        calendars,
        {
          recordId: `open${n}`,
          recordType: 'bench',
          number: `INC${String(900_000 + n).padStart(7, '0')}`,
          version: 1,
          state: 'in_progress',
          phase: 'open',
          priority: 1 + (n % 5),
          assignmentGroup: group,
          createdAt: at,
          updatedAt: at,
        },
        new Date(),
      ).record;
    });
    for (let i = 0; i < states.length; i += 25)
      await Promise.all(states.slice(i, i + 25).map((state) => store.saveRecord(state, 0, [])));
    notes.push(
      `${size.open} open SLA states loaded in ${round((performance.now() - loadStart) / 1000, 1)} s`,
    );
    const queueMs: number[] = [];
    let queries = 0;
    for (let run = 0; run < 20; run++) {
      const window = counter.begin();
      const t = performance.now();
      const page = await store.dueQueue('network', { limit: 25 });
      queueMs.push(performance.now() - t);
      const counts = window.end();
      queries = Math.max(queries, counts.total);
      const due = page.items.map((r) => r.dueAt ?? '');
      if (due.join() !== [...due].sort().join()) throw new Error('The due queue is not in due order');
    }
    figures.push({
      name: `due queue of a group at ${size.open} open records: DynamoDB requests`,
      value: queries,
      unit: 'n',
      target: 1,
      note: `a page of 25 by due time, p50 ${round(percentile(queueMs, 50), 1)} ms`,
    });
    const across = counter.begin();
    await dueAcrossGroups(deps, admin, [], { groups: [...GROUPS_OF_QUEUE], limit: 50 }, false);
    const acrossCounts = across.end();
    figures.push({
      name: `"due next" across ${GROUPS_OF_QUEUE.length} groups: DynamoDB Queries`,
      value: acrossCounts.requests['dynamodb Query'] ?? 0,
      unit: 'n',
      target: GROUPS_OF_QUEUE.length + 1,
      note: 'one per group on the due index, plus one for the stored calendars',
    });

    // A breach fired by the local Scheduler, through the SLA function's path, to its escalation mail.
    const scheduledAt = new Map<string, number>();
    for (let n = 0; n < size.breaches; n++) {
      ticketNow = Date.now() - 58_500;
      const { ticket } = await openTicket(
        tickets,
        emma,
        { shortDescription: `Breach ${n}`, service: 'bench' },
        { channel: 'portal' },
      );
      ticketNow = Date.now();
      const state = await trackRecord(deps, 'ticket', ticket.id);
      if (state?.next?.kind !== 'breach') throw new Error(`Expected a breach timer on ${ticket.number}`);
      // The schedule's `at()` is whole seconds, rounded up: the firing is due then.
      scheduledAt.set(ticket.number, Math.ceil(Date.parse(state.next.at) / 1000) * 1000);
    }
    const deadline = Date.now() + 30_000;
    while (mailedAt.size < scheduledAt.size && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const lags = [...scheduledAt].flatMap(([number, at]) => {
      const mailed = mailedAt.get(number);
      return mailed === undefined ? [] : [mailed - at];
    });
    if (lags.length < scheduledAt.size)
      throw new Error(`${scheduledAt.size - lags.length} breaches sent no mail`);
    figures.push({
      name: 'breach firing to escalation mail (local Scheduler), p50',
      value: round(percentile(lags, 50), 1),
      unit: 'ms',
      target: 1000,
      note: `${lags.length} breaches; from the schedule's time to the mail handed to the Mailer`,
    });
    counter.close();
    notes.push(loadNote('at end'));
    return { suite: 'sla', figures, notes };
  } finally {
    await scheduler?.close();
    await dynamo.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoSlaStore } from '#adapters/dynamodb/sla-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { SchedulerSlaTimers, scheduleNameOf } from '#adapters/eventbridge/sla-timers.scheduler.ts';
import { ulids } from '#adapters/system/system.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { BusinessCalendar } from '#core/sla/business-calendar.ts';
import { ticketSource } from '#core/sla/record-sources.ts';
import { createDefinition, saveCalendar, updateDefinition } from '#core/sla/sla-admin.ts';
import {
  dueAcrossGroups,
  fireTimer,
  rearm,
  recordSla,
  type SlaDeps,
  trackRecord,
} from '#core/sla/sla-service.ts';
import { ticketActions } from '#core/ticket/ticket-escalation.ts';
import {
  addArticle,
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  ticketHistory,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import { type LocalScheduler, startLocalScheduler } from '#local/scheduler.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * The SLA engine end to end on real parts: tickets and SLA state in DynamoDB Local, timers in
 * the local EventBridge Scheduler through the SDK's own client, the firing handed back to the
 * engine as the Lambda target would receive it. The ticket engine's clock is set in the past,
 * so business minutes pass in seconds.
 */
const admin: Actor = { id: 'u-admin', email: 'admin@example.com', groups: ['admins', 'agents'] };
const dana: Actor = { id: 'u-dana', email: 'dana@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:SlaHandler';

let dir: string;
let scheduler: LocalScheduler;
let tickets: TicketDeps;
let sla: SlaDeps;
let ticketNow = Date.now();
const events: DomainEvent[] = [];
const mails: OutboundMail[] = [];
const firings: { recordId: string; version: number; result: { fired: number; stale: boolean } }[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  dir = await mkdtemp(join(tmpdir(), 'spoke-sla-'));
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, admin, {
    id: 'service-desk',
    name: 'Service Desk',
    managerEmail: 'mona.manager@example.com',
  });
  await addMember({ groups, clock }, admin, 'service-desk', { email: dana.email });
  await createGroup({ groups, clock }, admin, { id: 'network', name: 'Network' });
  const ticketStore = new DynamoTicketStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  });
  const publish = async (published: readonly DomainEvent[]) => void events.push(...published);
  tickets = {
    tickets: ticketStore,
    clock: { now: () => new Date(ticketNow) },
    ids: ulids,
    events: { publish },
    groups,
    routing: { route: async () => ({ group: 'service-desk' }) },
    settings: defaultTicketSettings,
  };
  scheduler = await startLocalScheduler({
    file: join(dir, 'schedules.json'),
    groupNames: ['spoke-test-sla'],
    invoke: async (arn, input) => {
      expect(arn).toBe(TARGET);
      const { recordId, version } = JSON.parse(input ?? '{}') as { recordId: string; version: number };
      firings.push({ recordId, version, result: await fireTimer(sla, recordId, version) });
    },
  });
  const client = new SchedulerClient({
    endpoint: scheduler.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  sla = {
    sla: new DynamoSlaStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }),
    clock,
    ids: ulids,
    defaultCalendar: BusinessCalendar.parse({ timeZone: 'Europe/Berlin', hours: { mon: ['08:00-18:00'] } }),
    sources: { ticket: ticketSource(ticketStore) },
    timers: new SchedulerSlaTimers(client, {
      groupName: 'spoke-test-sla',
      targetArn: () => TARGET,
      roleArn: 'arn:aws:iam::000000000000:role/scheduler',
    }),
    events: { publish },
    mailer: {
      async send(mail) {
        mails.push(mail);
        return { providerMessageId: `m${mails.length}` };
      },
    },
    actions: { incident: ticketActions(tickets) },
    existingGroups: (ids) => groups.existingGroups(ids),
    managerOf: async (group) => (await groups.getGroup(group))?.managerEmail,
    groupsOf: (email) => groups.groupsOf(email),
    portalUrl: 'http://127.0.0.1:3000',
    supportAddress: 'support@example.com',
  };
  // Around the clock, one minute to answer, warn at half time: minutes pass in seconds here.
  await createDefinition(sla, admin, {
    id: 'fast',
    name: 'Fast incidents',
    conditions: { recordTypes: ['incident'], priorities: [5] },
    calendarId: '24x7',
    targets: { response: { '5': 1 }, resolution: { '5': 2 } },
    warnAtPercent: 50,
  });
});

afterAll(async () => {
  await scheduler?.close();
  await rm(dir, { recursive: true, force: true });
});

const open = async (secondsAgo: number) => {
  ticketNow = Date.now() - secondsAgo * 1000;
  const { ticket } = await openTicket(
    tickets,
    emma,
    { shortDescription: 'Printer on fire' },
    { channel: 'portal' },
  );
  ticketNow = Date.now();
  return ticket;
};
const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
};
const slaEvents = (recordId: string) =>
  events
    .filter((e) => e.type.startsWith('sla.') && e.detail.recordId === recordId)
    .map((e) => `${e.type}:${e.detail.target}`);

describe('service levels on record events and scheduler timers', () => {
  it('attaches the matching definition, warns at once when already due, and breaches from the scheduled timer with an escalation mail', async () => {
    const ticket = await open(58);
    const tracked = await trackRecord(sla, 'ticket', ticket.id);
    expect(tracked?.clocks.map((c) => `${c.clock.definitionId}:${c.clock.target}`)).toEqual([
      'fast:response',
      'fast:resolution',
    ]);
    // 58 s of a 60 s response target: the warning (at 30 s) fired inline; the breach waits on a schedule.
    expect(slaEvents(ticket.id)).toEqual([
      'sla.started:response',
      'sla.started:resolution',
      'sla.warning:response',
    ]);
    const schedule = scheduler.list().find((s) => s.Name === scheduleNameOf(ticket.id));
    expect(schedule?.GroupName).toBe('spoke-test-sla');
    expect(await until(() => firings.some((f) => f.recordId === ticket.id && f.result.fired > 0), 6000)).toBe(
      true,
    );
    expect(slaEvents(ticket.id)).toContain('sla.breached:response');
    const breachMail = mails.find((m) => m.subject.includes(ticket.number) && m.subject.includes('breached'));
    expect(breachMail?.to).toEqual(['mona.manager@example.com']);
    expect(breachMail?.references).toEqual([`<sla.${ticket.id}@spoke>`]);
    // The link opens the agent's workspace, not the requester's page.
    expect(breachMail?.text).toContain(`http://127.0.0.1:3000/work/tickets/${ticket.id}`);
    const history = await ticketHistory(tickets, admin, ticket.id);
    expect(history.items.map((h) => `${h.field}=${String(h.newValue)}`)).toEqual(
      expect.arrayContaining([
        'sla.response=started',
        'sla.response=warning',
        'sla.response=breached',
        'sla.response.escalation=mailed mona.manager@example.com',
      ]),
    );
    // The resolution clock's warning (at 60 s) is the next milestone: one schedule, moved.
    expect(scheduler.list().filter((s) => s.Name === scheduleNameOf(ticket.id))).toHaveLength(1);
  });

  it('stops the response clock on the first public reply, pauses on hold for the caller, resumes on their reply; a stale timer does nothing', async () => {
    const ticket = await open(5);
    await trackRecord(sla, 'ticket', ticket.id);
    const reply = await addArticle(tickets, dana, ticket.id, { body: 'Looking at it' });
    await trackRecord(sla, 'ticket', ticket.id);
    const held = await updateTicket(tickets, dana, ticket.id, {
      version: reply.ticket.version,
      state: 'on_hold',
      holdReason: 'awaiting_caller',
    });
    const paused = await trackRecord(sla, 'ticket', ticket.id);
    expect(paused?.clocks.map((c) => `${c.clock.target}:${c.clock.status}`)).toEqual([
      'response:met',
      'resolution:paused',
    ]);
    // Paused: no milestone, no schedule.
    expect(paused?.next).toBeUndefined();
    expect(scheduler.list().some((s) => s.Name === scheduleNameOf(ticket.id))).toBe(false);
    expect(held.state).toBe('on_hold');
    await addArticle(tickets, emma, ticket.id, { body: 'Here is the photo' });
    const resumed = await trackRecord(sla, 'ticket', ticket.id);
    expect(resumed?.clocks[1]?.clock.status).toBe('running');
    expect(slaEvents(ticket.id)).toEqual([
      'sla.started:response',
      'sla.started:resolution',
      'sla.met:response',
      'sla.paused:resolution',
      'sla.resumed:resolution',
    ]);
    // A firing for an older version of the SLA state is stale: nothing happens.
    const stale = await fireTimer(sla, ticket.id, (resumed?.version ?? 2) - 1);
    expect(stale).toEqual({ fired: 0, stale: true });
    // The same event twice changes nothing (events arrive at least once).
    const again = await trackRecord(sla, 'ticket', ticket.id);
    expect(again?.version).toBe(resumed?.version);
  });

  it('retargets from the start on a priority change, resumes the resolution clock on reopen, and keeps running records on their definition version', async () => {
    const ticket = await open(1);
    const first = await trackRecord(sla, 'ticket', ticket.id);
    expect(first?.clocks[0]?.clock.definitionVersion).toBe(1);
    // An edit makes version 2 of the definition: running records keep version 1.
    await updateDefinition(sla, admin, 'fast', {
      version: 1,
      name: 'Fast incidents',
      conditions: { recordTypes: ['incident'], priorities: [5] },
      calendarId: '24x7',
      targets: { response: { '5': 5 }, resolution: { '5': 10 } },
    });
    const resolved = await updateTicket(tickets, dana, ticket.id, {
      version: 1,
      state: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Put it out',
    });
    const done = await trackRecord(sla, 'ticket', ticket.id);
    expect(
      done?.clocks.map((c) => `${c.clock.target}:${c.clock.status}:v${c.clock.definitionVersion}`),
    ).toEqual(['response:met:v1', 'resolution:met:v1']);
    expect(done?.dueAt).toBeUndefined();
    await updateTicket(tickets, dana, ticket.id, { version: resolved.version, state: 'in_progress' });
    const reopened = await trackRecord(sla, 'ticket', ticket.id);
    expect(reopened?.clocks[1]?.clock.status).toBe('running');
    expect(slaEvents(ticket.id)).toContain('sla.reopened:resolution');
    // A new record gets version 2 (5 minutes to answer).
    const later = await open(0);
    const tracked = await trackRecord(sla, 'ticket', later.id);
    expect(tracked?.clocks[0]?.clock).toMatchObject({ definitionVersion: 2, budgetMs: 5 * 60_000 });
    // Priority 3 has no target in this definition: the clocks are cancelled, the timer deleted.
    const view = await recordSla(sla, later.id, async () => undefined);
    expect(view.clocks.map((c) => c.status)).toEqual(['running', 'running']);
    await updateTicket(tickets, dana, later.id, { version: 1, impact: 2, urgency: 2 });
    const retargeted = await trackRecord(sla, 'ticket', later.id);
    expect(retargeted?.clocks.map((c) => c.clock.status)).toEqual(['cancelled', 'cancelled']);
    expect(scheduler.list().some((s) => s.Name === scheduleNameOf(later.id))).toBe(false);
  });

  it('refuses bad definitions and calendars naming the field, and lets only admins change them', async () => {
    const paths = async (work: Promise<unknown>) => {
      const error = (await work.catch((e: unknown) => e)) as {
        issues?: { path: PropertyKey[] }[];
        fields?: { path: string }[];
      };
      return error.issues?.map((i) => i.path.join('.')) ?? error.fields?.map((f) => f.path) ?? [];
    };
    expect(
      await paths(
        saveCalendar(sla, admin, 'berlin', {
          version: 0,
          name: 'Berlin',
          calendar: { timeZone: 'Europe/Berlin', hours: { mon: ['08:00-12:00', '11:00-18:00'] } },
        }),
      ),
    ).toEqual(['calendar.hours.mon']);
    expect(
      await paths(
        saveCalendar(sla, admin, 'mars', {
          version: 0,
          name: 'Mars',
          calendar: { timeZone: 'Mars/Olympus', hours: '24x7' },
        }),
      ),
    ).toEqual(['calendar.timeZone']);
    expect(
      await paths(
        saveCalendar(sla, admin, 'empty', {
          version: 0,
          name: 'Empty',
          calendar: { timeZone: 'UTC', hours: { mon: [] } },
        }),
      ),
    ).toEqual(['calendar.hours']);
    expect(
      await paths(
        saveCalendar(sla, admin, 'holidays', {
          version: 0,
          name: 'Holidays',
          calendar: {
            timeZone: 'UTC',
            hours: '24x7',
            holidays: ['2031-01-01'],
            years: { from: 2026, to: 2027 },
          },
        }),
      ),
    ).toEqual(['calendar.holidays.0']);
    expect(
      await paths(
        createDefinition(sla, admin, {
          id: 'x',
          name: 'X',
          calendarId: 'nowhere',
          targets: { response: { '1': 5 } },
        }),
      ),
    ).toEqual(['calendarId']);
    expect(
      await paths(
        createDefinition(sla, admin, {
          id: 'z',
          name: 'Z',
          targets: { response: { '1': 5 } },
          escalations: [
            { on: 'warning', notify: ['assignee'] },
            { on: 'breach', reassignTo: 'nobody' },
          ],
        }),
      ),
    ).toEqual(['escalations[1].reassignTo']);
    await expect(
      createDefinition(sla, dana, { id: 'y', name: 'Y', targets: { response: { '1': 5 } } }),
    ).rejects.toThrow('Only admins');
    const saved = await saveCalendar(sla, admin, 'berlin', {
      version: 0,
      name: 'Berlin',
      calendar: {
        timeZone: 'Europe/Berlin',
        hours: { mon: ['08:00-12:00', '13:00-18:00'] },
        holidays: ['2026-12-24'],
      },
    });
    expect(saved.version).toBe(1);
    // A service or group has one calendar: a second calendar claiming it is refused at the field.
    await saveCalendar(sla, admin, 'sap', {
      version: 0,
      name: 'SAP',
      calendar: { timeZone: 'Europe/Berlin', hours: { mon: ['06:00-22:00'] } },
      services: ['SAP'],
    });
    expect(
      await paths(
        saveCalendar(sla, admin, 'sap-two', {
          version: 0,
          name: 'SAP again',
          calendar: { timeZone: 'UTC', hours: '24x7' },
          services: ['Mail', 'SAP'],
        }),
      ),
    ).toEqual(['services[1]']);
  });

  it('answers the queue by due time with one Query on the index', async () => {
    const page = await sla.sla.dueQueue('service-desk', { limit: 10 });
    const due = page.items.map((r) => r.dueAt ?? '');
    expect(due.length).toBeGreaterThan(0);
    expect([...due].sort()).toEqual(due);
  });

  it('escalates a breach by raising the priority and reassigning, once, even when the timer fires twice or the function dies halfway', async () => {
    await createDefinition(sla, admin, {
      id: 'escalating',
      name: 'Escalating printers',
      conditions: { recordTypes: ['incident'], priorities: [5], services: ['printing'] },
      calendarId: '24x7',
      targets: { response: { '5': 1, '2': 1 }, resolution: { '5': 10, '2': 10 } },
      escalations: [{ on: 'breach', target: 'response', raisePriorityTo: 2, reassignTo: 'network' }],
    });
    // The SLA side's own clock, so the breach comes due when the test says, whatever the load.
    let slaNow: number | undefined;
    const noTimers = {
      ...sla,
      clock: { now: () => new Date(slaNow ?? Date.now()) },
      timers: { set: async () => undefined, clear: async () => undefined },
    };
    const openPrinting = async (secondsAgo: number) => {
      ticketNow = Date.now() - secondsAgo * 1000;
      const { ticket } = await openTicket(
        tickets,
        emma,
        { shortDescription: 'Jammed', service: 'printing' },
        {
          channel: 'portal',
        },
      );
      ticketNow = Date.now();
      return ticket;
    };
    const changes = async (id: string) =>
      (await ticketHistory(tickets, admin, id)).items.map(
        (h) =>
          `${h.field}:${String(h.oldValue ?? '')}→${String(h.newValue)}${h.reason ? ` (${h.reason})` : ''}`,
      );

    // A minute later the warning and the breach are due; two firings of the same timer race for them.
    const ticket = await openPrinting(0);
    slaNow = Date.now() + 1000;
    const attached = await trackRecord(noTimers, 'ticket', ticket.id);
    expect(attached?.clocks[0]?.clock.definitionId).toBe('escalating');
    slaNow = Date.now() + 61_000;
    const version = attached?.version ?? 0;
    const results = await Promise.all([
      fireTimer(noTimers, ticket.id, version),
      fireTimer(noTimers, ticket.id, version),
    ]);
    expect(results.map((r) => r.fired).sort()).toEqual([0, 2]);
    const after = (await tickets.tickets.get(ticket.id))?.ticket;
    expect(after).toMatchObject({ priority: 2, impact: 2, urgency: 1, assignmentGroup: 'network' });
    const history = await changes(ticket.id);
    expect(history.filter((h) => h.startsWith('sla.response.escalation:'))).toEqual([
      'sla.response.escalation:→raise priority to 2 (Escalating printers breached)',
      'sla.response.escalation:→reassign to network (Escalating printers breached)',
    ]);
    expect(history.filter((h) => h.includes('(SLA breach')).sort()).toEqual([
      'assignmentGroup:service-desk→network (SLA breach: Escalating printers)',
      'impact:3→2 (SLA breach: Escalating printers)',
      'priority:5→2 (SLA breach: Escalating printers)',
      'urgency:3→1 (SLA breach: Escalating printers)',
    ]);
    expect((await sla.sla.record(ticket.id))?.pending).toBeUndefined();
    // The ticket's own event retargets the clocks to priority 2 (time used stays used).
    const retargeted = await trackRecord(noTimers, 'ticket', ticket.id);
    expect(retargeted?.clocks.map((c) => c.clock.priority)).toEqual([2, 2]);

    // The function dies after writing the breach, before changing the ticket: the state owes it.
    slaNow = undefined;
    const dying = {
      ...noTimers,
      actions: {
        incident: {
          raisePriority: async () => {
            throw new Error('Lambda timed out');
          },
          reassign: async () => undefined,
        },
      },
    };
    const second = await openPrinting(61);
    await expect(trackRecord(dying, 'ticket', second.id)).rejects.toThrow('Lambda timed out');
    const owed = await sla.sla.record(second.id);
    expect(owed?.pending?.map((a) => a.kind)).toEqual(['priority', 'reassign']);
    expect(owed?.armedVersion).not.toBe(owed?.version);
    // The repair (a read found the timer unconfirmed, or the next event) finishes it, once.
    await rearm(noTimers, second.id);
    await rearm(noTimers, second.id);
    expect((await tickets.tickets.get(second.id))?.ticket).toMatchObject({
      priority: 2,
      assignmentGroup: 'network',
    });
    expect((await changes(second.id)).filter((h) => h.startsWith('priority:'))).toHaveLength(1);
    expect((await sla.sla.record(second.id))?.pending).toBeUndefined();
  });
  it('lists what breaches next across groups: one Query per group, merged by due time', async () => {
    const queried: string[] = [];
    const store = sla.sla;
    const counting = new Proxy(store, {
      get(target, property) {
        if (property === 'dueQueue')
          return (group: string, page: { limit: number }) => {
            queried.push(group);
            return target.dueQueue(group, page);
          };
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const deps = { ...sla, sla: counting };
    const result = await dueAcrossGroups(
      deps,
      admin,
      [],
      { groups: ['service-desk', 'network'], limit: 50 },
      false,
    );
    expect(queried.sort()).toEqual(['network', 'service-desk']);
    expect(new Set(result.items.map((i) => i.assignmentGroup))).toEqual(new Set(['service-desk', 'network']));
    const due = result.items.map((i) => i.dueAt ?? '');
    expect([...due].sort()).toEqual(due);
    // An agent reads their own groups by default, and no other.
    queried.length = 0;
    const own = await dueAcrossGroups(deps, dana, ['service-desk'], { limit: 2 }, false);
    expect(queried).toEqual(['service-desk']);
    expect(own.items).toHaveLength(2);
    await expect(
      dueAcrossGroups(deps, dana, ['service-desk'], { groups: ['network'], limit: 5 }, false),
    ).rejects.toThrow('Not a member of network');
  });
});

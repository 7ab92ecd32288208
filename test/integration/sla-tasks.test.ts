import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestStore } from '#adapters/dynamodb/catalog-store.dynamo.ts';
import { DynamoSlaStore } from '#adapters/dynamodb/sla-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { BusinessCalendar } from '#core/sla/business-calendar.ts';
import { taskSource } from '#core/sla/record-sources.ts';
import { seedDefinitions } from '#core/sla/sla-admin.ts';
import { type SlaDeps, trackRecord } from '#core/sla/sla-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * OLAs on catalog fulfilment tasks: the task's events start the fulfilling group's clocks
 * (the built-in `task-ola`), each clock change lands in the task's own history, taking the task
 * is the response and closing it the resolution.
 */
let requests: DynamoRequestStore;
let sla: SlaDeps;
const events: DomainEvent[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  const options = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  requests = new DynamoRequestStore(options);
  sla = {
    sla: new DynamoSlaStore(options),
    clock: { now: () => new Date() },
    ids: ulids,
    defaultCalendar: BusinessCalendar.parse({ timeZone: 'UTC', hours: '24x7' }),
    sources: { task: taskSource(requests) },
    timers: { set: async () => undefined, clear: async () => undefined },
    events: { publish: async (published) => void events.push(...published) },
    mailer: { send: async () => ({ providerMessageId: 'm' }) },
    managerOf: async () => undefined,
    groupsOf: async () => [],
    portalUrl: 'http://127.0.0.1:3000',
    supportAddress: 'support@example.com',
  };
  await seedDefinitions(sla);
});

describe('OLAs on fulfilment tasks', () => {
  it('starts the group’s clocks on a new task, in the task’s history; taking it answers, closing it resolves', async () => {
    const createdAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const task = await requests.createTask(
      {
        id: 'req1.1.1',
        requestId: 'req1',
        requestNumber: 'REQ0001001',
        requestedFor: 'emma@example.com',
        step: '1.1',
        title: 'Hand over the laptop',
        group: 'workplace',
        instructions: '',
        itemName: 'Laptop',
        state: 'open',
        createdAt,
        updatedAt: createdAt,
        version: 1,
      },
      [],
    );
    const attached = await trackRecord(sla, 'task', task.id);
    expect(
      attached?.clocks.map((c) => `${c.kind}:${c.clock.definitionId}:${c.clock.target}:${c.clock.status}`),
    ).toEqual(['ola:task-ola:response:running', 'ola:task-ola:resolution:running']);
    expect(attached?.assignmentGroup).toBe('workplace');

    const takenAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const taken = {
      ...task,
      state: 'in_progress' as const,
      assignee: { id: 'u-wes', email: 'wes@example.com' },
      updatedAt: takenAt,
      version: 2,
    };
    await requests.updateTask(taken, 1, []);
    await trackRecord(sla, 'task', task.id);
    const closedAt = new Date().toISOString();
    await requests.updateTask(
      { ...taken, state: 'closed', closeNote: 'Handed over', closedAt, updatedAt: closedAt, version: 3 },
      2,
      [],
    );
    const closed = await trackRecord(sla, 'task', task.id);
    expect(closed?.clocks.map((c) => `${c.clock.target}:${c.clock.status}`)).toEqual([
      'response:met',
      'resolution:met',
    ]);
    const history = await requests.taskHistory(task.id, { limit: 50 });
    expect(history.items.map((h) => `${h.field}=${String(h.newValue)}`).sort()).toEqual([
      'sla.resolution=met',
      'sla.resolution=started',
      'sla.response=met',
      'sla.response=started',
    ]);
    expect(events.filter((e) => e.detail.recordId === task.id).map((e) => e.type)).toEqual([
      'sla.started',
      'sla.started',
      'sla.met',
      'sla.met',
    ]);
  });
});

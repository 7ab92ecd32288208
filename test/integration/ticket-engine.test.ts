import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { addMember, createGroup, saveRoutingConfig } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import {
  addArticle,
  closeResolvedTickets,
  defaultTicketSettings,
  findTicketByNumber,
  listTickets,
  openTicket,
  type TicketDeps,
  ticketHistory,
  updateTicket,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

const emma: Actor = { id: 'u-emma', email: 'Emma@Example.com', name: 'Emma', groups: [] };
const bob: Actor = { id: 'u-bob', email: 'bob@example.com', groups: [] };
const dana: Actor = { id: 'u-dana', email: 'dana@example.com', groups: ['agents'] };
const nick: Actor = { id: 'u-nick', email: 'nick@example.com', groups: ['agents'] };
const admin: Actor = { id: 'u-admin', email: 'admin@example.com', groups: ['admins', 'agents'] };

let deps: TicketDeps;
let tables: Awaited<ReturnType<typeof freshTables>>;
const published: DomainEvent[] = [];
let now = Date.UTC(2026, 10, 28, 9, 0, 0);
const tick = (ms = 1000) => {
  now += ms;
};

function store() {
  return new DynamoTicketStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  });
}

beforeAll(async () => {
  tables = await freshTables();
  let n = 0;
  const clock = {
    now: () => {
      tick(1);
      return new Date(now);
    },
  };
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  deps = {
    tickets: store(),
    clock,
    ids: { next: () => `id${String(++n).padStart(6, '0')}` },
    events: { publish: async (events) => void published.push(...events) },
    groups,
    routing: groups,
    settings: defaultTicketSettings,
  };
  const groupDeps = { groups, clock };
  await createGroup(groupDeps, admin, { id: 'service-desk', name: 'Service Desk' });
  await createGroup(groupDeps, admin, { id: 'network', name: 'Network' });
  await addMember(groupDeps, admin, 'service-desk', { email: dana.email });
  await addMember(groupDeps, admin, 'network', { email: nick.email });
  await saveRoutingConfig(groupDeps, admin, {
    version: 0,
    defaultGroup: 'service-desk',
    rules: [
      {
        id: 'vpn',
        name: 'VPN',
        conditions: { keywords: ['vpn'] },
        actions: { group: 'network', urgency: 1 },
      },
    ],
  });
});

const open = (actor: Actor, shortDescription: string, extra: Record<string, unknown> = {}) =>
  openTicket(deps, actor, { shortDescription, ...extra }, { channel: 'portal' }).then((r) => r.ticket);

describe('opening tickets', () => {
  it('numbers per kind from the counter in the same transaction as the ticket, first article and audit', async () => {
    const first = await open(emma, 'Laptop will not boot');
    const request = await open(emma, 'Access to the finance share', { kind: 'request' });
    const second = await open(bob, 'Mail is down', { impact: 1, urgency: 1 });

    expect(first.number).toBe('INC0001001');
    expect(request.number).toBe('REQ0001001');
    expect(second.number).toBe('INC0001002');
    expect(second.priority).toBe(1);
    const audit = await tables.documents.send(
      new QueryCommand({
        TableName: tables.domainTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': `TICKET#${first.id}`, ':audit': '~AUDIT#' },
      }),
    );
    expect(audit.Items?.map((i) => i.field)).toEqual(['state', 'assignmentGroup']);
    expect(published.filter((e) => e.type === 'ticket.created')).toHaveLength(3);
  });

  it('routes by the first matching rule, which may set urgency, and falls back to the default group', async () => {
    const vpn = await open(emma, 'VPN drops every hour', { impact: 2 });
    const other = await open(emma, 'Keyboard sticks');

    expect(vpn).toMatchObject({ assignmentGroup: 'network', urgency: 1, priority: 2 });
    expect(other.assignmentGroup).toBe('service-desk');
    const history = await ticketHistory(deps, admin, vpn.id);
    expect(history.items.find((h) => h.field === 'assignmentGroup')?.reason).toBe('routing rule vpn');
  });

  it('hands out unique consecutive numbers to concurrent creates from separate store instances', async () => {
    const stores = Array.from({ length: 4 }, () => ({ ...deps, tickets: store() }));
    const base = Number((await open(bob, 'baseline')).number.slice(3));
    const created = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        openTicket(
          stores[i % 4] as TicketDeps,
          bob,
          { shortDescription: `concurrent ${i}` },
          { channel: 'api' },
        ),
      ),
    );
    const numbers = created.map((c) => Number(c.ticket.number.slice(3))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 16 }, (_, i) => base + 1 + i));
  });

  it('stores nothing twice for a repeated idempotency key and returns the first ticket', async () => {
    const once = await openTicket(
      deps,
      emma,
      { shortDescription: 'Printer jam' },
      { channel: 'email', idempotencyKey: 'mail:abc' },
    );
    const again = await openTicket(
      deps,
      emma,
      { shortDescription: 'Printer jam' },
      { channel: 'email', idempotencyKey: 'mail:abc' },
    );

    expect([once.created, again.created]).toEqual([true, false]);
    expect(again.ticket.id).toBe(once.ticket.id);
  });

  it('refuses requester and group from a caller who is not an agent', async () => {
    await expect(open(emma, 'For Bob', { requester: { email: bob.email } })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
    const forBob = await open(dana, 'Phoned in: monitor flickers', {
      requester: { email: 'BOB@example.com' },
    });
    expect(forBob.requester.email).toBe('bob@example.com');
  });
});

describe('who sees what', () => {
  it('shows a ticket to its requester, watchers and its group’s agents, and 404 to everyone else', async () => {
    const ticket = await open(emma, 'VPN certificate expired', { watchers: [bob.email] });

    expect((await viewTicket(deps, emma, ticket.id)).ticket.id).toBe(ticket.id);
    expect((await viewTicket(deps, bob, ticket.id)).ticket.id).toBe(ticket.id);
    expect((await viewTicket(deps, nick, ticket.id)).ticket.id).toBe(ticket.id);
    await expect(viewTicket(deps, dana, ticket.id)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      viewTicket(deps, { ...bob, id: 'x', email: 'mallory@example.com' }, ticket.id),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      updateTicket(deps, { ...bob, email: 'mallory@example.com' }, ticket.id, {
        version: 1,
        shortDescription: 'pwned',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    const all = { ...deps, settings: { ...deps.settings, agentVisibility: 'all' as const } };
    expect((await viewTicket(all, dana, ticket.id)).ticket.id).toBe(ticket.id);
  });

  it('never shows internal work notes to the requester', async () => {
    const ticket = await open(emma, 'Keyboard missing keys');
    await addArticle(deps, dana, ticket.id, { type: 'note', body: 'Replacement in stock room B' });
    await addArticle(deps, dana, ticket.id, { type: 'reply', body: 'We will bring a new one' });
    await expect(addArticle(deps, emma, ticket.id, { type: 'note', body: 'sneaky' })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });

    const requesterView = await viewTicket(deps, emma, ticket.id);
    const agentView = await viewTicket(deps, dana, ticket.id);
    expect(requesterView.articles.map((a) => a.type)).toEqual(['reply', 'reply']);
    expect(agentView.articles.map((a) => a.type)).toEqual(['reply', 'note', 'reply']);
  });
});

describe('changing tickets', () => {
  it('writes one audit entry per changed field and bumps the version', async () => {
    const ticket = await open(emma, 'Monitor flickers');
    const changed = await updateTicket(deps, dana, ticket.id, {
      version: 1,
      impact: 1,
      urgency: 2,
      category: 'Hardware',
      state: 'in_progress',
      assignee: { email: dana.email, name: 'Dana' },
    });

    expect(changed).toMatchObject({
      version: 2,
      priority: 2,
      state: 'in_progress',
      assignee: { email: dana.email },
    });
    const history = await ticketHistory(deps, dana, ticket.id);
    expect(history.items.slice(2).map((h) => [h.field, h.oldValue, h.newValue])).toEqual([
      ['category', undefined, 'Hardware'],
      ['state', 'new', 'in_progress'],
      ['impact', 3, 1],
      ['urgency', 3, 2],
      ['priority', 5, 2],
      ['assignee', undefined, dana.email],
    ]);
    await expect(ticketHistory(deps, emma, ticket.id)).rejects.toMatchObject({ name: 'ForbiddenError' });
  });

  it('answers a stale version with a conflict that carries the current ticket', async () => {
    const ticket = await open(emma, 'Docking station dead');
    await updateTicket(deps, dana, ticket.id, { version: 1, urgency: 1 });

    await expect(updateTicket(deps, dana, ticket.id, { version: 1, urgency: 2 })).rejects.toMatchObject({
      name: 'ConflictError',
      current: { version: 2, urgency: 1 },
    });
  });

  it('lets exactly one of two concurrent edits of the same version win', async () => {
    const ticket = await open(emma, 'Race');
    const results = await Promise.allSettled([
      updateTicket({ ...deps, tickets: store() }, dana, ticket.id, { version: 1, urgency: 1 }),
      updateTicket({ ...deps, tickets: store() }, dana, ticket.id, { version: 1, urgency: 2 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { name: 'ConflictError' } });
  });

  it('allows only lifecycle transitions, with the fields each requires', async () => {
    const ticket = await open(emma, 'Lifecycle');
    await expect(updateTicket(deps, dana, ticket.id, { version: 1, state: 'closed' })).rejects.toMatchObject({
      fields: [{ path: 'state', message: 'cannot go from new to closed' }],
    });
    await expect(updateTicket(deps, dana, ticket.id, { version: 1, state: 'on_hold' })).rejects.toMatchObject(
      {
        fields: [{ path: 'holdReason' }],
      },
    );
    await expect(
      updateTicket(deps, dana, ticket.id, { version: 1, state: 'resolved' }),
    ).rejects.toMatchObject({
      fields: [{ path: 'resolutionCode' }, { path: 'resolutionNotes' }],
    });
    const held = await updateTicket(deps, dana, ticket.id, {
      version: 1,
      state: 'on_hold',
      holdReason: 'awaiting_caller',
    });
    expect(held.holdReason).toBe('awaiting_caller');
    const resumed = await addArticle(deps, emma, ticket.id, { body: 'Here is the screenshot' });
    expect(resumed.ticket).toMatchObject({ state: 'in_progress' });
    expect(resumed.ticket.holdReason).toBeUndefined();
  });

  it('lets a caller cancel their ticket and nothing else', async () => {
    const ticket = await open(emma, 'Never mind');
    await expect(updateTicket(deps, emma, ticket.id, { version: 1, urgency: 1 })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
    const cancelled = await updateTicket(deps, emma, ticket.id, { version: 1, state: 'cancelled' });
    expect(cancelled.closedAt).toBeDefined();
    await expect(updateTicket(deps, dana, ticket.id, { version: 2, urgency: 1 })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('refuses an assignee who is not in the assignment group', async () => {
    const ticket = await open(emma, 'Assign me');
    await expect(
      updateTicket(deps, dana, ticket.id, { version: 1, assignee: { email: nick.email } }),
    ).rejects.toMatchObject({
      fields: [{ path: 'assignee', message: 'is not a member of service-desk' }],
    });
  });

  it('reopens on a caller’s reply within the window, refuses it after, and closes resolved tickets after N days', async () => {
    const ticket = await open(emma, 'Reopen me');
    const resolve = (version: number) =>
      updateTicket(deps, dana, ticket.id, {
        version,
        state: 'resolved',
        resolutionCode: 'solved',
        resolutionNotes: 'Rebooted',
      });
    const resolved = await resolve(1);
    tick(2 * 24 * 3600 * 1000);
    const reopened = await addArticle(deps, emma, ticket.id, { body: 'Still broken' });
    expect(reopened.ticket.state).toBe('in_progress');
    expect(reopened.ticket.resolution).toBeUndefined();

    await resolve(reopened.ticket.version);
    tick(8 * 24 * 3600 * 1000);
    await expect(addArticle(deps, emma, ticket.id, { body: 'Again' })).rejects.toMatchObject({
      fields: [{ path: 'ticket' }],
    });
    expect(await closeResolvedTickets(deps)).toBeGreaterThanOrEqual(1);
    expect((await viewTicket(deps, emma, ticket.id)).ticket.state).toBe('closed');
    expect(resolved.resolution?.code).toBe('solved');
  });

  it('keeps a major incident’s list of children in step with the children', async () => {
    const major = await open(dana, 'Wi-Fi down in building A');
    const child = await open(dana, 'No Wi-Fi on floor 2', {
      parentId: major.id,
      requester: { email: emma.email },
    });
    const other = await open(bob, 'Wi-Fi gone');
    await updateTicket(deps, dana, other.id, { version: 1, parentId: major.id });

    expect((await viewTicket(deps, dana, major.id)).children.map((c) => c.number).sort()).toEqual(
      [child.number, other.number].sort(),
    );
    await updateTicket(deps, dana, child.id, { version: 1, parentId: null });
    expect((await viewTicket(deps, dana, major.id)).children.map((c) => c.id)).toEqual([other.id]);
    await expect(open(emma, 'grandchild', { parentId: other.id })).rejects.toMatchObject({
      fields: [{ path: 'parentId' }],
    });
  });
});

describe('lists', () => {
  it('pages my tickets newest first with a cursor that only works for the list it came from', async () => {
    for (let i = 0; i < 27; i++) await open(bob, `bulk ${i}`);
    const page1 = await listTickets(deps, bob, {});
    const page2 = await listTickets(deps, bob, { cursor: page1.cursor });

    expect(page1.items).toHaveLength(25);
    expect(page1.items[0]?.shortDescription).toBe('bulk 26');
    expect(new Set([...page1.items, ...page2.items].map((t) => t.id)).size).toBe(
      page1.items.length + page2.items.length,
    );
    await expect(listTickets(deps, emma, { cursor: page1.cursor })).rejects.toMatchObject({
      fields: [{ path: 'cursor' }],
    });
  });

  it('serves my work, a group queue by state and a group’s unassigned tickets, to the group’s agents only', async () => {
    const ticket = await open(emma, 'Queue me');
    const queue = await listTickets(deps, dana, { view: 'queue', group: 'service-desk', state: 'new' });
    const unassigned = await listTickets(deps, dana, { view: 'unassigned', group: 'service-desk' });
    expect(queue.items[0]?.id).toBe(ticket.id);
    expect(unassigned.items.map((t) => t.id)).toContain(ticket.id);

    await updateTicket(deps, dana, ticket.id, {
      version: 1,
      assignee: { email: dana.email },
      state: 'in_progress',
    });
    expect((await listTickets(deps, dana, { view: 'assigned' })).items[0]?.id).toBe(ticket.id);
    expect(
      (await listTickets(deps, dana, { view: 'unassigned', group: 'service-desk' })).items.map((t) => t.id),
    ).not.toContain(ticket.id);
    expect(
      (await listTickets(deps, dana, { view: 'queue', group: 'service-desk', state: 'in_progress' })).items[0]
        ?.id,
    ).toBe(ticket.id);
    await expect(listTickets(deps, dana, { view: 'queue', group: 'network' })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
    await expect(listTickets(deps, emma, { view: 'assigned' })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
  });

  it('orders a queue oldest first on request and filters it by priority within the same Query', async () => {
    const carol: Actor = { id: 'u-carol', email: 'carol@example.com', groups: [] };
    const low = await open(carol, 'Sort me low', { impact: 3, urgency: 3 });
    const high = await open(carol, 'Sort me high', { impact: 1, urgency: 1 });
    const mid = await open(carol, 'Sort me mid', { impact: 2, urgency: 2 });

    const newest = await listTickets(deps, carol, {});
    const oldest = await listTickets(deps, carol, { order: 'oldest' });
    const critical = await listTickets(deps, dana, {
      view: 'queue',
      group: 'service-desk',
      state: 'new',
      priority: '1' as unknown as number,
      limit: 100,
    });

    expect(newest.items.map((t) => t.id)).toEqual([mid.id, high.id, low.id]);
    expect(oldest.items.map((t) => t.id)).toEqual([low.id, high.id, mid.id]);
    expect(critical.items.map((t) => t.id)).toContain(high.id);
    expect(critical.items.every((t) => t.priority === 1)).toBe(true);
    expect(critical.items.map((t) => t.id)).not.toContain(low.id);
  });

  it('finds a ticket by its number, for those who may see it', async () => {
    const ticket = await open(emma, 'Find me by number');
    expect((await findTicketByNumber(deps, emma, ticket.number.toLowerCase())).id).toBe(ticket.id);
    await expect(findTicketByNumber(deps, bob, ticket.number)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    const counter = await tables.documents.send(
      new GetCommand({ TableName: tables.domainTable, Key: { pk: 'COUNTER#incident', sk: '#COUNTER' } }),
    );
    expect(Number(ticket.number.slice(3))).toBe(counter.Item?.seq);
  });
});

describe('review findings', () => {
  it('lets only the requester cancel, not a watcher', async () => {
    const ticket = await open(emma, 'Watched', { watchers: [bob.email] });
    await expect(
      updateTicket(deps, bob, ticket.id, { version: 1, state: 'cancelled' }),
    ).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
  });

  it('refuses a group that does not exist, and an assignee outside the new group', async () => {
    const ticket = await open(emma, 'Regroup me');
    await expect(
      updateTicket(deps, dana, ticket.id, { version: 1, assignmentGroup: 'no-such-group' }),
    ).rejects.toMatchObject({
      fields: [{ path: 'assignmentGroup' }],
    });
    const mine = await updateTicket(deps, dana, ticket.id, { version: 1, assignee: { email: dana.email } });
    await expect(
      updateTicket(deps, dana, ticket.id, {
        version: mine.version,
        assignmentGroup: 'network',
        assignee: { email: dana.email },
      }),
    ).rejects.toMatchObject({ fields: [{ path: 'assignee', message: 'is not a member of network' }] });
    const moved = await updateTicket(deps, dana, ticket.id, {
      version: mine.version,
      assignmentGroup: 'network',
    });
    expect(moved.assignee).toBeUndefined();
  });

  it('shows a parent’s children only to those who work it', async () => {
    const parent = await open(emma, 'My outage');
    await open(dana, 'Confidential child', { parentId: parent.id, requester: { email: 'hr@example.com' } });
    expect((await viewTicket(deps, emma, parent.id)).children).toEqual([]);
    expect((await viewTicket(deps, dana, parent.id)).children).toHaveLength(1);
  });
});

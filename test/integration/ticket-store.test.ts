import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import type { Actor } from '#core/identity/actor.ts';
import { listMyTickets, openTicket, type TicketDeps, viewTicket } from '#core/ticket/ticket-service.ts';
import { freshTables } from '../support/dynamodb.ts';

const emma: Actor = { id: 'u-emma', email: 'Emma@Example.com', name: 'Emma', groups: [] };
const bob: Actor = { id: 'u-bob', email: 'bob@example.com', groups: [] };
const agent: Actor = { id: 'u-agent', email: 'agent@example.com', groups: ['agents'] };

let deps: TicketDeps;
let tables: Awaited<ReturnType<typeof freshTables>>;
const published: string[] = [];

beforeAll(async () => {
  tables = await freshTables();
  let n = 0;
  deps = {
    tickets: new DynamoTicketStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }),
    clock: { now: () => new Date(Date.UTC(2026, 10, 28, 9, 0, n)) },
    ids: { next: () => `id${String(++n).padStart(6, '0')}` },
    events: { publish: async (events) => void published.push(...events.map((e) => e.type)) },
  };
});

describe('tickets in DynamoDB Local', () => {
  it('numbers tickets per kind from the counter, in the same transaction as ticket, article and audit', async () => {
    const first = await openTicket(
      deps,
      emma,
      { shortDescription: 'Laptop will not boot' },
      { channel: 'portal' },
    );
    const second = await openTicket(
      deps,
      emma,
      { shortDescription: 'VPN access', kind: 'request' },
      { channel: 'portal' },
    );
    const third = await openTicket(
      deps,
      bob,
      { shortDescription: 'Mail is down', impact: 1, urgency: 1 },
      { channel: 'portal' },
    );

    expect(first.ticket.number).toBe('INC0001001');
    expect(second.ticket.number).toBe('REQ0001001');
    expect(third.ticket.number).toBe('INC0001002');
    expect(third.ticket.priority).toBe(1);
    const numberItem = await tables.documents.send(
      new GetCommand({ TableName: tables.domainTable, Key: { pk: 'NUMBER#INC0001002', sk: '#NUMBER' } }),
    );
    expect(numberItem.Item?.ticketId).toBe(third.ticket.id);
    const audit = await tables.documents.send(
      new QueryCommand({
        TableName: tables.domainTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': `TICKET#${first.ticket.id}`, ':audit': 'AUDIT#' },
      }),
    );
    expect(audit.Items).toHaveLength(1);
    expect(audit.Items?.[0]).toMatchObject({ field: 'state', newValue: 'new', actor: { id: 'u-emma' } });
    expect(published.filter((t) => t === 'ticket.created')).toHaveLength(3);
  });

  it('hands out unique consecutive numbers to concurrent creates from separate store instances', async () => {
    const stores = Array.from({ length: 4 }, () => ({
      ...deps,
      tickets: new DynamoTicketStore({
        client: tables.documents,
        domainTable: tables.domainTable,
        idempotencyTable: tables.idempotencyTable,
      }),
    }));
    const before = await openTicket(deps, bob, { shortDescription: 'baseline' }, { channel: 'api' });
    const created = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        openTicket(stores[i % 4]!, bob, { shortDescription: `concurrent ${i}` }, { channel: 'api' }),
      ),
    );
    const sequences = created.map((c) => Number(c.ticket.number.slice(3))).sort((a, b) => a - b);
    const base = Number(before.ticket.number.slice(3));
    expect(sequences).toEqual(Array.from({ length: 16 }, (_, i) => base + 1 + i));
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

    expect(once.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.ticket.id).toBe(once.ticket.id);
    const mine = await listMyTickets(deps, emma);
    expect(mine.items.filter((t) => t.shortDescription === 'Printer jam')).toHaveLength(1);
  });

  it('lists a requester their own tickets, newest first, by case-insensitive address, in cursor pages', async () => {
    const mine = await listMyTickets(deps, { ...emma, email: 'emma@example.com' });

    expect(mine.items.map((t) => t.shortDescription)).toEqual([
      'Printer jam',
      'VPN access',
      'Laptop will not boot',
    ]);
    expect(mine.items.every((t) => t.requester.email === 'emma@example.com')).toBe(true);
  });

  it('pages with an opaque cursor that only works for the list it came from', async () => {
    for (let i = 0; i < 27; i++)
      await openTicket(deps, bob, { shortDescription: `bulk ${i}` }, { channel: 'api' });
    const page1 = await listMyTickets(deps, bob);
    const page2 = await listMyTickets(deps, bob, page1.cursor);

    expect(page1.items).toHaveLength(25);
    expect(page1.cursor).toBeTypeOf('string');
    expect(new Set([...page1.items, ...page2.items].map((t) => t.id)).size).toBe(
      page1.items.length + page2.items.length,
    );
    await expect(listMyTickets(deps, emma, page1.cursor)).rejects.toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'cursor' }],
    });
  });

  it('shows a ticket with its conversation to its requester and agents, and 404 to anyone else', async () => {
    const { ticket } = await openTicket(
      deps,
      emma,
      { shortDescription: 'Screen flickers', description: 'Since Monday' },
      { channel: 'portal' },
    );

    const seen = await viewTicket(deps, emma, ticket.id);
    expect(seen.articles.map((a) => a.body)).toEqual(['Since Monday']);
    expect((await viewTicket(deps, agent, ticket.id)).ticket.number).toBe(ticket.number);
    await expect(viewTicket(deps, bob, ticket.id)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(viewTicket(deps, bob, 'no-such-id')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

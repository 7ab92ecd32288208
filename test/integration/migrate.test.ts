import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ticketEntity } from '#adapters/dynamodb/entities.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { Ticket } from '#core/ticket/ticket.ts';
import { migrateEntity } from '#ops/migrate.ts';
import { freshTables } from '../support/dynamodb.ts';

let tables: Awaited<ReturnType<typeof freshTables>>;
beforeAll(async () => {
  tables = await freshTables();
});

const ticket = (id: string, number: string) =>
  Ticket.parse({
    id,
    number,
    kind: 'incident',
    shortDescription: `Legacy ${id}`,
    description: '',
    state: 'new',
    impact: 3,
    urgency: 3,
    priority: 5,
    requester: { id: 'e', email: 'emma@example.com' },
    channel: 'portal',
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    version: 1,
  });

/** An item as the stores wrote it before entities carried a schema version. */
function legacyItem(record: Ticket) {
  const { _v, ...item } = ticketEntity.item(record, {});
  expect(_v).toBe(1);
  return { ...item, gsi4sk: '#' };
}

describe('npm run migrate', () => {
  it('rewrites the items of an entity below its version (keys computed again), once', async () => {
    const { documents, domainTable, idempotencyTable, prefix } = tables;
    const old = [ticket('legacy-1', 'INC0009001'), ticket('legacy-2', 'INC0009002')];
    for (const record of old)
      await documents.send(new PutCommand({ TableName: domainTable, Item: legacyItem(record) }));
    await documents.send(
      new PutCommand({
        TableName: idempotencyTable,
        Item: {
          pk: 'IDEMPOTENCY#mail-1',
          entity: 'idempotency',
          ticketId: 'legacy-1',
          expiresAt: 2_000_000_000,
        },
      }),
    );
    const store = new DynamoTicketStore({ client: documents, domainTable, idempotencyTable });
    await store.create(
      {
        ticket: { ...ticket('current-1', 'INC0000000'), shortDescription: 'Current' },
        firstArticle: {
          id: 'a1',
          ticketId: 'current-1',
          type: 'reply',
          author: { id: 'e', email: 'emma@example.com' },
          body: 'x',
          channel: 'portal',
          createdAt: '2026-11-01T10:00:00.000Z',
        },
        audit: [],
      },
      'incident',
    );

    const dry = await migrateEntity({ documents, prefix, entity: 'ticket', dryRun: true });
    const first = await migrateEntity({ documents, prefix, entity: 'ticket' });
    const second = await migrateEntity({ documents, prefix, entity: 'ticket' });
    const keys = await migrateEntity({ documents, prefix, entity: 'idempotency' });

    expect(dry).toEqual({ found: 2, rewritten: 0, skipped: 0 });
    expect(first).toEqual({ found: 2, rewritten: 2, skipped: 0 });
    expect(second).toEqual({ found: 0, rewritten: 0, skipped: 0 });
    expect(keys).toMatchObject({ found: 1, rewritten: 1 });
    const rewritten = await documents.send(
      new GetCommand({ TableName: domainTable, Key: ticketEntity.key({ id: 'legacy-1' }) }),
    );
    expect(rewritten.Item).toMatchObject({ _v: 1, gsi4sk: 'ticket', shortDescription: 'Legacy legacy-1' });
    const idem = await documents.send(
      new GetCommand({ TableName: idempotencyTable, Key: { pk: 'IDEMPOTENCY#mail-1' } }),
    );
    expect(idem.Item).toMatchObject({ _v: 1, recordId: 'legacy-1' });
    expect(idem.Item).not.toHaveProperty('ticketId');
    expect((await store.get('legacy-2'))?.ticket.number).toBe('INC0009002');
  });
});

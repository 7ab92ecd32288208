import { describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { createGroup } from '#core/group/group-service.ts';
import {
  addArticle,
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import { exportTickets } from '#ops/export-tickets.ts';
import { freshTables } from '../support/dynamodb.ts';

const emma = { id: 'emma', email: 'emma@example.com', groups: [] };
const admin = { id: 'admin', email: 'admin@example.com', groups: ['admins', 'agents'] };

describe('npm run export', () => {
  it('writes every ticket, article and audit entry as one validated JSON line each, and nothing else', async () => {
    const tables = await freshTables();
    const groups = new DynamoGroupStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      cacheTtlMs: 0,
    });
    const deps: TicketDeps = {
      tickets: new DynamoTicketStore({
        client: tables.documents,
        domainTable: tables.domainTable,
        idempotencyTable: tables.idempotencyTable,
      }),
      clock: { now: () => new Date() },
      ids: ulids,
      events: { publish: async () => undefined },
      groups,
      routing: groups,
      settings: defaultTicketSettings,
    };
    await createGroup({ groups, clock: deps.clock }, admin, { id: 'service-desk', name: 'Service Desk' });
    for (let i = 0; i < 5; i++) {
      const { ticket } = await openTicket(
        deps,
        emma,
        { shortDescription: `Export me ${i}` },
        { channel: 'portal' },
      );
      await addArticle(deps, admin, ticket.id, { type: 'note', body: 'internal' });
      await updateTicket(deps, admin, ticket.id, { version: 2, urgency: 1 });
    }
    const lines: string[] = [];

    const counts = await exportTickets({
      documents: tables.documents,
      table: tables.domainTable,
      write: (line) => void lines.push(line),
    });

    const records = lines.map(
      (line) => JSON.parse(line) as { type: string; shortDescription?: string; field?: string },
    );
    expect(counts).toEqual({ ticket: 5, article: 10, audit: 15 });
    expect(records).toHaveLength(30);
    expect(
      records
        .filter((r) => r.type === 'ticket')
        .map((r) => r.shortDescription)
        .sort(),
    ).toEqual(Array.from({ length: 5 }, (_, i) => `Export me ${i}`));
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(lines.join('')).not.toMatch(/"pk"|"gsi1pk"|Service Desk/);
  });
});

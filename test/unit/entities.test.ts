import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { changeEntity } from '#adapters/dynamodb/change-entities.ts';
import { idempotencyEntity, NO_GROUP, ticketAuditEntity, ticketEntity } from '#adapters/dynamodb/entities.ts';
import { collisions, defineEntity, keyTemplates, mayOverlap } from '#adapters/dynamodb/entity.ts';
import { entityList } from '#adapters/dynamodb/entity-list.ts';
import { tableDefinitions } from '#adapters/dynamodb/table-definition.ts';
import { Ticket } from '#core/ticket/ticket.ts';

const ticket = Ticket.parse({
  id: 't1',
  number: 'INC0001001',
  kind: 'incident',
  shortDescription: 'Printer',
  description: '',
  state: 'new',
  impact: 3,
  urgency: 3,
  priority: 5,
  requester: { id: 'e', email: 'emma@example.com' },
  channel: 'portal',
  createdAt: '2026-12-03T10:00:00.000Z',
  updatedAt: '2026-12-03T10:00:00.000Z',
  version: 1,
});

describe('the entity list', () => {
  it('has no two entities that can meet in any index partition', () => {
    expect(collisions(entityList)).toEqual([]);
  });

  it('catches a collision when one is declared (a partition prefix that starts another)', () => {
    const clash = defineEntity({
      name: 'clash',
      version: 1,
      table: 'domain',
      schema: z.object({ id: z.string() }),
      indexes: { primary: { pk: 'TICKET#{id}', sk: 'ARTICLE#{id}' }, gsi3: { pk: 'QUEUE#{x}', sk: '{id}' } },
      facets: (r) => ({ id: r.id, x: r.id }),
    });
    const found = collisions([...entityList, clash]);
    expect(found.some((c) => c.includes('primary') && c.includes('clash') && c.includes('article'))).toBe(
      true,
    );
    expect(found.some((c) => c.includes('gsi3') && c.includes('partitions overlap'))).toBe(true);
    expect(mayOverlap('CHANGES#{s}', 'CHANGES_BY#{e}')).toBe(false);
    expect(mayOverlap('GROUPS', 'GROUP#{id}')).toBe(false);
    expect(mayOverlap('NUMBER#{n}', 'NUMBER#{m}')).toBe(true);
  });

  it('names every entity once, uses only indexes the table definition has, and gives every entity a version', () => {
    const names = entityList.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const template of keyTemplates(entityList)) {
      const table = tableDefinitions.find((t) => t.id === template.table);
      expect(table, template.entity).toBeDefined();
      if (template.index !== 'primary')
        expect(table?.globalIndexes.map((i) => i.indexName)).toContain(template.index);
      expect(template.sk === undefined, `${template.entity} sort key`).toBe(table?.sortKey === undefined);
    }
    for (const entity of entityList) expect(entity.version).toBeGreaterThanOrEqual(1);
  });
});

describe('an entity', () => {
  it('writes its keys, name and schema version, and strips them again on read', () => {
    const item = ticketEntity.item(ticket, { autoCloseAt: undefined });
    expect(item).toMatchObject({
      pk: 'TICKET#t1',
      sk: '#TICKET',
      gsi1pk: 'REQUESTER#emma@example.com',
      gsi2pk: `UNASSIGNED#${NO_GROUP}`,
      gsi3pk: `QUEUE#${NO_GROUP}#new`,
      gsi4pk: 'NUMBER#INC0001001',
      gsi4sk: 'ticket',
      entity: 'ticket',
      _v: 1,
    });
    expect(item).not.toHaveProperty('gsi5pk');
    expect(ticketEntity.parse(item)).toEqual(ticket);
  });

  it('fills only the index alternatives and sparse indexes an item has facets for', () => {
    const resolved = {
      ...ticket,
      state: 'resolved' as const,
      assignee: { id: 'd', email: 'dana@example.com' },
    };
    const item = ticketEntity.item(resolved, { autoCloseAt: '2026-12-08T10:00:00.000Z' });
    expect(item).toMatchObject({ gsi2pk: 'ASSIGNEE#dana@example.com', gsi5pk: 'AUTOCLOSE' });
    expect(item.gsi5sk).toBe('2026-12-08T10:00:00.000Z#t1');
    expect(ticketEntity.definition.contextOf?.(item)).toEqual({ autoCloseAt: '2026-12-08T10:00:00.000Z' });
  });

  it('refuses on read what its schema refuses, keys stripped or not', () => {
    const item = changeEntity.key({ id: 'c1' });
    expect(() => changeEntity.parse({ ...item, entity: 'change', id: 'c1' })).toThrow();
    expect(() => ticketEntity.parse({ ...ticketEntity.item(ticket, {}), surprise: 1 })).not.toThrow();
  });

  it('upgrades an item of an older version on read', () => {
    const legacy = { pk: 'IDEMPOTENCY#k1', ticketId: 't1', expiresAt: 123 };
    expect(idempotencyEntity.storedVersion(legacy)).toBe(0);
    expect(idempotencyEntity.parse(legacy)).toEqual({ recordId: 't1', expiresAt: 123 });
  });

  it('names partitions and sort prefixes for queries and cursors', () => {
    expect(ticketEntity.partition('gsi2', { assignee: 'a@example.com' })).toEqual({
      index: 'gsi2',
      name: 'gsi2pk',
      value: 'ASSIGNEE#a@example.com',
    });
    expect(ticketEntity.partition('gsi2', { unassignedGroup: 'network' }).value).toBe('UNASSIGNED#network');
    expect(ticketAuditEntity.sortPrefix()).toBe('~AUDIT#');
    expect(ticketAuditEntity.key({ ticketId: 't1', at: '2026', n: '0001' })).toEqual({
      pk: 'TICKET#t1',
      sk: '~AUDIT#2026#0001',
    });
  });
});

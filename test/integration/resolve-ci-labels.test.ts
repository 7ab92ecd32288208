import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoRecordCiStore } from '#adapters/dynamodb/record-ci-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { type CmdbDeps, createCi } from '#core/cmdb/cmdb-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { defaultTicketSettings, openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';
import { resolveCiLabels } from '#ops/resolve-ci-labels.ts';
import { freshTables } from '../support/dynamodb.ts';

/** `npm run migrate -- --resolve-ci-labels` against DynamoDB Local: text labels become references. */
const ada: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
let tables: Awaited<ReturnType<typeof freshTables>>;
let tickets: TicketDeps;
let cmdb: CmdbDeps;

beforeAll(async () => {
  tables = await freshTables();
  const base = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  const groups = new DynamoGroupStore(base);
  const clock = { now: () => new Date() };
  const events = { publish: async () => undefined };
  cmdb = {
    cis: new DynamoCmdbStore(base),
    groups,
    events,
    clock,
    ids: ulids,
    managerGroup: 'configuration-managers',
  };
  tickets = {
    tickets: new DynamoTicketStore(base),
    clock,
    ids: ulids,
    events,
    groups,
    routing: { route: async () => ({}) },
    settings: defaultTicketSettings,
  };
});

describe('resolving CI labels', () => {
  it('links labels naming exactly one CI, keeps the others as labels, and links nothing twice', async () => {
    const email = await createCi(cmdb, ada, { name: 'Email', class: 'business_service' });
    await createCi(cmdb, ada, { name: 'Printer', class: 'network_device' });
    await createCi(cmdb, ada, { name: 'Printer', class: 'network_device' });
    const open = async (service: string) =>
      (
        await openTicket(
          tickets,
          ada,
          { shortDescription: `About ${service}`, service },
          { channel: 'portal' },
        )
      ).ticket;
    const onEmail = await open('Email');
    await open('Fax');
    await open('Printer');
    await open('email');

    const dry = await resolveCiLabels({ documents: tables.documents, prefix: tables.prefix, dryRun: true });
    const first = await resolveCiLabels({ documents: tables.documents, prefix: tables.prefix });
    const second = await resolveCiLabels({ documents: tables.documents, prefix: tables.prefix });

    expect(dry).toEqual({ records: 4, linked: 1, alreadyLinked: 0, unresolved: 2, ambiguous: 1 });
    expect(first).toEqual(dry);
    expect(second).toEqual({ records: 4, linked: 0, alreadyLinked: 1, unresolved: 2, ambiguous: 1 });
    const links = await new DynamoRecordCiStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }).cisOf({ kind: 'incident', id: onEmail.id });
    expect(links.map((l) => l.target)).toEqual([
      { kind: 'configuration_item', id: email.id, number: email.number },
    ]);
    const fromCi = await new DynamoRecordCiStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }).recordsOf(email.id, 'incident');
    expect(fromCi.map((l) => l.source.number)).toEqual([onEmail.number]);
  });
});

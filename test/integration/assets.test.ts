import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { RecordTable } from '#adapters/dynamodb/record-table.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { assetServices } from '#config/assets.ts';
import {
  assignFromStock,
  checkOutAsset,
  type DeviceReportDeps,
  listStock,
  reportDeviceProblem,
  retireAsset,
  returnAsset,
  sendAssetToRepair,
  viewAsset,
} from '#core/cmdb/asset-service.ts';
import { type CmdbDeps, ciHistory, createCi, listMyDevices, updateCi } from '#core/cmdb/cmdb-service.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import { type Actor, systemActor } from '#core/identity/actor.ts';
import { defaultTicketSettings } from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/** Assets people carry, on the CMDB, against DynamoDB Local. */
const ada: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const carl: Actor = { id: 'u-carl', email: 'carl.cmdb@example.com', groups: ['agents'] };
const otto: Actor = { id: 'u-otto', email: 'otto.other@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const finn: Actor = { id: 'u-finn', email: 'finn@example.com', groups: [] };
let deps: CmdbDeps;
let reports: DeviceReportDeps;
let records: RecordTable;
const requests: string[] = [];
const published: DomainEvent[] = [];

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error & { fields?: { path: string; message: string }[] },
  );
const laptop = (name: string, model: string, serialNumber: string, owner?: string) =>
  createCi(deps, carl, {
    name,
    class: 'laptop',
    ...(owner ? { owner } : {}),
    externalId: `serial:${serialNumber}`,
    attributes: { manufacturer: 'Lenovo', model, serialNumber, purchaseDate: '2026-01-10', cost: 1450 },
  });

beforeAll(async () => {
  const tables = await freshTables();
  const table = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  const groups = new DynamoGroupStore({ ...table, cacheTtlMs: 0 });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, ada, { id: 'configuration-managers', name: 'Configuration managers' });
  await addMember({ groups, clock }, ada, 'configuration-managers', { email: carl.email });
  const events = { publish: async (events: readonly DomainEvent[]) => void published.push(...events) };
  deps = {
    cis: new DynamoCmdbStore({ ...table, onRequest: (operation) => void requests.push(operation) }),
    groups,
    events,
    clock,
    ids: ulids,
    managerGroup: 'configuration-managers',
  };
  records = new RecordTable(table);
  reports = assetServices(
    deps,
    {
      tickets: new DynamoTicketStore(table),
      clock,
      ids: ulids,
      events,
      groups,
      routing: groups,
      settings: defaultTicketSettings,
    },
    {
      limiter: { tryTake: async () => true },
      clock,
      perMinute: 100,
      perHour: 1000,
    },
  );
});

describe('assets people carry', () => {
  it('checks an asset out and back in, each move audited with its assignment in one transaction', async () => {
    const ci = await laptop('LT-0001', 'ThinkPad X1 Carbon', 'PF-1001');
    expect(ci.asset).toEqual({ state: 'in_stock' });
    requests.length = 0;
    const out = await checkOutAsset(deps, carl, ci.id, {
      version: ci.version,
      person: 'Emma@Example.com',
      note: 'new starter',
    });
    expect(requests.filter((r) => r === 'TransactWriteItems')).toHaveLength(1);
    expect(out).toMatchObject({
      owner: { email: emma.email },
      asset: { state: 'assigned' },
      status: 'in_service',
    });
    expect((await listMyDevices(deps, emma)).items.map((d) => d.id)).toContain(ci.id);

    const back = await returnAsset(deps, carl, ci.id, { version: out.version, note: 'leaver' });
    expect(back.owner).toBeUndefined();
    expect(back.asset).toEqual({ state: 'in_stock' });
    expect((await listMyDevices(deps, emma)).items.map((d) => d.id)).not.toContain(ci.id);

    const view = await viewAsset(deps, carl, ci.id);
    expect(view.assignments).toHaveLength(1);
    expect(view.assignments[0]).toMatchObject({
      person: emma.email,
      note: 'new starter',
      returnNote: 'leaver',
      checkedOutBy: { email: carl.email },
      returnedBy: { email: carl.email },
    });
    const history = (await ciHistory(deps, carl, ci.id)).items.filter((e) => e.field === 'assetState');
    expect(history.map((e) => [e.oldValue, e.newValue, e.reason])).toEqual([
      ['in_stock', 'assigned', 'new starter'],
      ['assigned', 'in_stock', 'leaver'],
    ]);
  });

  it('guards the moves: no retiring an assigned asset, nothing after retirement, no owner edits, stale versions 409', async () => {
    const ci = await laptop('LT-0002', 'ThinkPad T14', 'PF-1002', emma.email);
    expect(ci.asset?.state).toBe('assigned');
    expect((await viewAsset(deps, carl, ci.id)).assignments).toHaveLength(1);
    const retireAssigned = await failure(retireAsset(deps, carl, ci.id, { version: ci.version }));
    expect(retireAssigned?.name).toBe('ValidationError');
    expect(retireAssigned?.fields?.[0]).toMatchObject({ path: 'state' });
    expect(retireAssigned?.fields?.[0]?.message).toContain('return it first');
    const edit = await failure(updateCi(deps, carl, ci.id, { version: ci.version, owner: finn.email }));
    expect(edit?.fields?.map((f) => f.path)).toEqual(['owner']);
    const otherAgent = await failure(returnAsset(deps, otto, ci.id, { version: ci.version }));
    expect(otherAgent?.name).toBe('ForbiddenError');
    const employee = await failure(returnAsset(deps, emma, ci.id, { version: ci.version }));
    expect(employee?.name).toBe('ForbiddenError');

    const repair = await sendAssetToRepair(deps, carl, ci.id, { version: ci.version });
    expect(repair).toMatchObject({ status: 'maintenance', asset: { state: 'in_repair' } });
    expect(repair.owner).toBeUndefined();
    expect((await viewAsset(deps, carl, ci.id)).assignments[0]).toMatchObject({
      returnNote: 'sent to repair',
    });
    const stale = await failure(retireAsset(deps, carl, ci.id, { version: ci.version }));
    expect(stale?.name).toBe('ConflictError');
    const retired = await retireAsset(deps, carl, ci.id, { version: repair.version, note: 'beyond repair' });
    expect(retired).toMatchObject({ status: 'retired', asset: { state: 'retired' } });
    const again = await failure(
      checkOutAsset(deps, carl, ci.id, { version: retired.version, person: finn.email }),
    );
    expect(again?.fields?.[0]?.message).toBe(`${ci.number} cannot go from retired to assigned`);
    const notAsset = await createCi(deps, carl, { name: 'Payroll', class: 'business_service' });
    const wrongClass = await failure(
      checkOutAsset(deps, carl, notAsset.id, { version: 1, person: finn.email }),
    );
    expect(wrongClass?.fields?.[0]?.path).toBe('class');
  });

  it('lets only one of two concurrent check-outs of the same asset win', async () => {
    const ci = await laptop('LT-0003', 'ThinkPad T14', 'PF-1003');
    const results = await Promise.allSettled([
      checkOutAsset(deps, carl, ci.id, { version: ci.version, person: emma.email }),
      checkOutAsset(deps, ada, ci.id, { version: ci.version, person: finn.email }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r.reason as Error).name)).toEqual([
      'ConflictError',
    ]);
    expect((await viewAsset(deps, carl, ci.id)).assignments).toHaveLength(1);
  });

  it('fulfils from stock by model: each hand-out a different asset, none when the stock is empty', async () => {
    const a = await laptop('LT-0100', 'MacBook Air 13', 'MB-1');
    const b = await laptop('LT-0101', 'macbook  air 13', 'MB-2');
    expect((await listStock(deps, carl, { model: 'MacBook Air 13' })).items.map((c) => c.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    const [first, second] = await Promise.all([
      assignFromStock(deps, systemActor, {
        model: 'MacBook Air 13',
        person: finn.email,
        fulfils: 'REQ0001001',
      }),
      assignFromStock(deps, systemActor, {
        model: 'MacBook Air 13',
        person: emma.email,
        fulfils: 'REQ0001002',
      }),
    ]);
    expect([first?.id, second?.id].sort()).toEqual([a.id, b.id].sort());
    expect(
      await assignFromStock(deps, systemActor, { model: 'MacBook Air 13', person: finn.email }),
    ).toBeUndefined();
    expect((await listStock(deps, carl, { model: 'MacBook Air 13' })).items).toEqual([]);
    const employee = await failure(
      assignFromStock(deps, emma, { model: 'MacBook Air 13', person: emma.email }),
    );
    expect(employee?.name).toBe('ForbiddenError');
    const given = (await viewAsset(deps, carl, first?.id ?? '')).assignments[0];
    expect(given?.fulfils).toMatch(/^REQ000100[12]$/);
  });

  it('reports a problem with my device as an incident linked to its CI; not with anyone else’s', async () => {
    const ci = await laptop('LT-0200', 'ThinkPad X1 Carbon', 'PF-2000', finn.email);
    const reported = await reportDeviceProblem(reports, finn, ci.id, {
      shortDescription: 'Battery drains in an hour',
    });
    expect(reported.incident.number).toMatch(/^INC\d{7}$/);
    const links = await records.links({ kind: 'configuration_item', id: ci.id }, 'incident');
    expect(links.map((l) => [l.type, l.source.number, l.target.number])).toEqual([
      ['relates_to', reported.incident.number, ci.number],
    ]);
    const fromIncident = await records.links(
      { kind: 'incident', id: reported.incident.id },
      'configuration_item',
    );
    expect(fromIncident).toHaveLength(1);
    expect(published.some((e) => e.type === 'record.linked')).toBe(true);
    const notMine = await failure(reportDeviceProblem(reports, emma, ci.id, { shortDescription: 'x' }));
    expect(notMine?.name).toBe('NotFoundError');
    const notAsset = await failure(viewAsset(deps, emma, ci.id));
    expect(notAsset?.name).toBe('NotFoundError');
    expect((await viewAsset(deps, finn, ci.id)).assignments.map((a) => a.person)).toEqual([finn.email]);
  });
});

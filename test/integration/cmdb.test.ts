import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { retireAsset, returnAsset } from '#core/cmdb/asset-service.ts';
import {
  type CmdbDeps,
  ciHistory,
  createCi,
  findCiByExternalId,
  findCiByNumber,
  listCis,
  listMyDevices,
  relateCis,
  unrelateCis,
  updateCi,
  viewCi,
} from '#core/cmdb/cmdb-service.ts';
import { analyseImpact } from '#core/cmdb/impact-service.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/** The CMDB on the record engine, against DynamoDB Local. */
const ada: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const carl: Actor = { id: 'u-carl', email: 'carl.cmdb@example.com', groups: ['agents'] };
const nina: Actor = { id: 'u-nina', email: 'nina.network@example.com', groups: ['agents'] };
const otto: Actor = { id: 'u-otto', email: 'otto.other@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
let deps: CmdbDeps;
let requests: string[];
const published: DomainEvent[] = [];

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error & { fields?: unknown; current?: unknown },
  );

beforeAll(async () => {
  const tables = await freshTables();
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, ada, { id: 'configuration-managers', name: 'Configuration managers' });
  await createGroup({ groups, clock }, ada, { id: 'network', name: 'Network' });
  await addMember({ groups, clock }, ada, 'configuration-managers', { email: carl.email });
  await addMember({ groups, clock }, ada, 'network', { email: nina.email });
  requests = [];
  deps = {
    cis: new DynamoCmdbStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
      onRequest: (operation) => void requests.push(operation),
    }),
    groups,
    events: { publish: async (events) => void published.push(...events) },
    clock,
    ids: ulids,
    managerGroup: 'configuration-managers',
  };
});

describe('configuration items', () => {
  it('numbers a CI CFG, validates its class attributes by field, finds it by number and external id, and audits edits', async () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:payroll-api';
    const ci = await createCi(deps, carl, {
      name: 'payroll-api',
      class: 'aws_lambda_function',
      externalId: arn,
      attributes: { accountId: '123456789012', region: 'eu-west-1', runtime: 'nodejs24.x' },
      supportGroup: 'network',
      environment: 'production',
    });
    const unknownAttribute = await failure(
      createCi(deps, carl, { name: 'x', class: 'laptop', attributes: { colour: 'red' } }),
    );
    const unknownClass = await failure(createCi(deps, carl, { name: 'x', class: 'toaster' as 'laptop' }));
    const duplicateArn = await failure(
      createCi(deps, carl, {
        name: 'copy',
        class: 'aws_lambda_function',
        externalId: arn,
        attributes: { accountId: '123456789012', region: 'eu-west-1' },
      }),
    );
    const edited = await updateCi(deps, nina, ci.id, {
      version: 1,
      status: 'maintenance',
      location: 'eu-west-1a',
    });
    const stale = await failure(updateCi(deps, nina, ci.id, { version: 1, name: 'late' }));
    const badMove = await failure(updateCi(deps, nina, ci.id, { version: 2, status: 'planned' }));
    const history = await ciHistory(deps, ada, ci.id);

    expect(ci).toMatchObject({
      number: expect.stringMatching(/^CFG\d{7}$/),
      status: 'in_service',
      version: 1,
    });
    expect(unknownAttribute).toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'attributes.colour', message: 'is not an attribute of class laptop' }],
    });
    expect(unknownClass).toMatchObject({ name: 'ZodError' });
    expect(duplicateArn).toMatchObject({ name: 'ConflictError', current: { ciId: ci.id } });
    expect(await findCiByNumber(deps, otto, ci.number)).toMatchObject({ id: ci.id });
    expect(await findCiByExternalId(deps, otto, arn)).toMatchObject({ id: ci.id });
    expect(edited).toMatchObject({ status: 'maintenance', location: 'eu-west-1a', version: 2 });
    expect(stale).toMatchObject({ name: 'ConflictError' });
    expect(badMove).toMatchObject({ name: 'ValidationError', fields: [{ path: 'status' }] });
    expect(history.items.map((e) => e.field)).toEqual(['status', 'status', 'location']);
  });

  it('lets agents read, configuration managers create, support groups edit their CIs, and nobody else', async () => {
    const ci = await createCi(deps, ada, {
      name: 'Core switch 1',
      class: 'network_device',
      supportGroup: 'network',
    });

    const byOtto = await failure(updateCi(deps, otto, ci.id, { version: 1, location: 'DC1' }));
    const createdByNina = await failure(createCi(deps, nina, { name: 'Switch 2', class: 'network_device' }));
    const readByEmma = await failure(viewCi(deps, emma, ci.id));
    const listedByEmma = await failure(listCis(deps, emma, {}));
    const byNina = await updateCi(deps, nina, ci.id, { version: 1, location: 'DC1' });

    expect(byOtto).toMatchObject({ name: 'ForbiddenError' });
    expect(createdByNina).toMatchObject({ name: 'ForbiddenError' });
    expect(readByEmma).toMatchObject({ name: 'ForbiddenError' });
    expect(listedByEmma).toMatchObject({ name: 'ForbiddenError' });
    expect((await viewCi(deps, otto, ci.id)).ci.location).toBe('DC1');
    expect(byNina.version).toBe(2);
  });

  it('lists by class and status, by owner, and by name prefix among CIs in service', async () => {
    await createCi(deps, carl, { name: 'Zeta laptop', class: 'laptop', owner: 'Lea@example.com' });
    await createCi(deps, carl, { name: 'zebra laptop', class: 'laptop', status: 'planned' });

    const inService = await listCis(deps, otto, { class: 'laptop', status: 'in_service' });
    const allLaptops = await listCis(deps, otto, { class: 'laptop' });
    const leas = await listCis(deps, otto, { owner: 'lea@example.com' });
    const named = await listCis(deps, otto, { q: 'ZET' });
    const both = await failure(listCis(deps, otto, { class: 'laptop', q: 'z' }));

    expect(inService.items.map((c) => c.name)).toEqual(['Zeta laptop']);
    expect(allLaptops.items.map((c) => c.name)).toEqual(['Zeta laptop', 'zebra laptop']);
    expect(leas.items.map((c) => c.name)).toEqual(['Zeta laptop']);
    expect(named.items.map((c) => c.name)).toEqual(['Zeta laptop']);
    expect(both).toMatchObject({ name: 'ValidationError', fields: [{ path: 'q' }] });
  });

  it('retires a CI, keeping it and announcing ci.retired', async () => {
    const ci = await createCi(deps, carl, {
      name: 'old-bucket',
      class: 'aws_s3_bucket',
      attributes: { accountId: '123456789012', region: 'eu-west-1' },
    });

    const retired = await updateCi(deps, carl, ci.id, { version: 1, status: 'retired' });

    expect(retired).toMatchObject({ status: 'retired', retiredAt: expect.any(String) });
    expect((await viewCi(deps, otto, ci.id)).ci.status).toBe('retired');
    expect(published.filter((e) => e.type === 'ci.retired').map((e) => e.detail.ciId)).toContain(ci.id);
  });
});

describe('relations and impact', () => {
  it('reads relations both ways with one Query each, refuses a missing CI and a duplicate, and removes them', async () => {
    const app = await createCi(deps, carl, { name: 'Payroll app', class: 'application' });
    const db = await createCi(deps, carl, {
      name: 'Payroll DB',
      class: 'aws_rds_instance',
      attributes: { accountId: '123456789012', region: 'eu-west-1' },
    });
    await relateCis(deps, carl, app.id, { type: 'depends_on', to: db.id });
    const missing = await failure(relateCis(deps, carl, app.id, { type: 'depends_on', to: 'nope' }));
    const twice = await failure(relateCis(deps, carl, app.id, { type: 'depends_on', to: db.id }));
    const self = await failure(relateCis(deps, carl, app.id, { type: 'depends_on', to: app.id }));
    const notEditor = await failure(relateCis(deps, otto, app.id, { type: 'connects_to', to: db.id }));

    requests.length = 0;
    const appView = await viewCi(deps, otto, app.id);
    const viewCost = [...requests];
    const dbView = await viewCi(deps, otto, db.id);
    await unrelateCis(deps, carl, app.id, 'depends_on', db.id);
    const again = await failure(unrelateCis(deps, carl, app.id, 'depends_on', db.id));
    const after = await viewCi(deps, otto, db.id);
    const history = await ciHistory(deps, otto, db.id);

    expect(missing).toMatchObject({ name: 'ValidationError', fields: [{ path: 'to' }] });
    expect(twice).toMatchObject({ name: 'ConflictError' });
    expect(self).toMatchObject({ name: 'ValidationError', fields: [{ path: 'to' }] });
    expect(notEditor).toMatchObject({ name: 'ForbiddenError' });
    expect(viewCost).toEqual(['Query', 'Query']);
    expect(appView.outgoing.map((r) => [r.type, r.to.name])).toEqual([['depends_on', 'Payroll DB']]);
    expect(appView.incoming).toEqual([]);
    expect(dbView.incoming.map((r) => [r.type, r.from.name])).toEqual([['depends_on', 'Payroll app']]);
    expect(after.incoming).toEqual([]);
    expect(again).toMatchObject({ name: 'NotFoundError' });
    expect(
      history.items.filter((e) => e.field === 'relations').map((e) => e.newValue ?? `-${e.oldValue}`),
    ).toEqual([`${app.number} depends_on ${db.number}`, `-${app.number} depends_on ${db.number}`]);
  });

  it('names the business services and people a failing database affects, through a cycle, to the depth asked', async () => {
    const db = await createCi(deps, carl, { name: 'HR DB', class: 'server', supportGroup: 'network' });
    const api = await createCi(deps, carl, { name: 'HR API', class: 'application' });
    const portal = await createCi(deps, carl, { name: 'HR portal', class: 'application' });
    const service = await createCi(deps, carl, {
      name: 'HR self-service',
      class: 'business_service',
      criticality: 'critical',
      owner: 'hannah.hr@example.com',
    });
    const laptop = await createCi(deps, carl, {
      name: 'Laptop of Lou',
      class: 'laptop',
      owner: 'lou@example.com',
    });
    await relateCis(deps, carl, api.id, { type: 'depends_on', to: db.id });
    await relateCis(deps, carl, portal.id, { type: 'depends_on', to: api.id });
    await relateCis(deps, carl, api.id, { type: 'depends_on', to: portal.id }); // a cycle
    await relateCis(deps, carl, portal.id, { type: 'used_by', to: service.id });
    await relateCis(deps, carl, service.id, { type: 'used_by', to: laptop.id });

    const deep = await analyseImpact(deps, otto, db.id, { depth: 4 });
    const shallow = await analyseImpact(deps, otto, db.id, { depth: 2 });
    const up = await analyseImpact(deps, otto, service.id, { direction: 'upstream', depth: 6 });
    const byEmma = await failure(analyseImpact(deps, emma, db.id, {}));
    const tooDeep = await failure(analyseImpact(deps, otto, db.id, { depth: 9 }));

    expect(deep.nodes.map((n) => [n.ci.name, n.depth])).toEqual([
      ['HR API', 1],
      ['HR portal', 2],
      ['HR self-service', 3],
      ['Laptop of Lou', 4],
    ]);
    expect(deep.services).toEqual([
      expect.objectContaining({
        ci: expect.objectContaining({ name: 'HR self-service' }),
        criticality: 'critical',
        depth: 3,
      }),
    ]);
    expect(deep.people).toEqual([
      { email: 'hannah.hr@example.com', why: 'owns HR self-service' },
      { email: 'lou@example.com', why: 'uses Laptop of Lou' },
    ]);
    expect(deep.groups).toEqual(['network']);
    expect(shallow.nodes.map((n) => n.ci.name)).toEqual(['HR API', 'HR portal']);
    expect(shallow.services).toEqual([]);
    expect(up.nodes.map((n) => n.ci.name).sort()).toEqual(['HR API', 'HR DB', 'HR portal']);
    expect(byEmma).toMatchObject({ name: 'ForbiddenError' });
    expect(tooDeep).toMatchObject({ name: 'ZodError' });
  });
});

describe('my devices', () => {
  it('lists the devices a person owns, not retired ones, not other classes, and nobody else’s', async () => {
    const mine = await createCi(deps, carl, {
      name: 'Phone of Emma',
      class: 'mobile_phone',
      owner: emma.email,
    });
    const old = await createCi(deps, carl, {
      name: 'Old tablet of Emma',
      class: 'tablet',
      owner: emma.email,
    });
    // An asset retires through its moves: back from Emma, then retired.
    const returned = await returnAsset(deps, carl, old.id, { version: 1 });
    await retireAsset(deps, carl, old.id, { version: returned.version });
    await createCi(deps, carl, { name: 'Emma’s service', class: 'business_service', owner: emma.email });
    await createCi(deps, carl, { name: 'Laptop of Otto', class: 'laptop', owner: otto.email });

    const devices = await listMyDevices(deps, emma);

    expect(devices.items.map((ci) => ci.id)).toEqual([mine.id]);
  });
});

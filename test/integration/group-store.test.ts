import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import {
  addMember,
  createGroup,
  type GroupDeps,
  getGroup,
  getRoutingConfig,
  listGroups,
  listMembers,
  removeMember,
  saveRoutingConfig,
  updateGroup,
} from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { groupRoutes } from '#http/routes/groups.ts';
import { freshTables } from '../support/dynamodb.ts';
import { callRoutes } from '../support/http-call.ts';

const admin: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const agent: Actor = { id: 'u-alex', email: 'alex.agent@example.com', groups: ['agents'] };
const employee: Actor = { id: 'u-emma', email: 'emma.employee@example.com', groups: [] };

let tables: Awaited<ReturnType<typeof freshTables>>;
let deps: GroupDeps;
let store: DynamoGroupStore;
let now = Date.UTC(2026, 10, 28, 9, 0, 0);
const clock = { now: () => new Date(now) };
const newStore = () =>
  new DynamoGroupStore({ client: tables.documents, domainTable: tables.domainTable, clock });

beforeAll(async () => {
  tables = await freshTables();
  store = newStore();
  deps = { groups: store, clock };
  for (const [id, name] of [
    ['service-desk', 'Service Desk'],
    ['network', 'network'],
    ['messaging', 'Messaging'],
  ] as const)
    await createGroup(deps, admin, { id, name });
});

const item = async (pk: string, sk: string) =>
  (await tables.documents.send(new GetCommand({ TableName: tables.domainTable, Key: { pk, sk } }))).Item;

describe('groups in DynamoDB Local', () => {
  it('creates a group with version 1, lower-cased addresses and no empty fields', async () => {
    const group = await createGroup(deps, admin, {
      id: 'field-services',
      name: 'Field Services',
      description: '',
      email: 'Field@Example.com',
    });

    expect(group).toEqual({
      id: 'field-services',
      name: 'Field Services',
      email: 'field@example.com',
      createdAt: '2026-11-28T09:00:00.000Z',
      updatedAt: '2026-11-28T09:00:00.000Z',
      version: 1,
    });
    expect(await getGroup(deps, agent, 'field-services')).toEqual(group);
  });

  it('refuses a second group with a taken id, with the stored group', async () => {
    await expect(createGroup(deps, admin, { id: 'network', name: 'Other' })).rejects.toMatchObject({
      name: 'ConflictError',
      current: { id: 'network', name: 'network' },
    });
  });

  it('lists groups alphabetically by name whatever the case, in cursor pages', async () => {
    const first = await store.listGroups({ limit: 2 });
    const second = await store.listGroups({ limit: 10, cursor: first.cursor as string });
    const all = await listGroups(deps, agent);

    expect(first.items.map((g) => g.id)).toEqual(['field-services', 'messaging']);
    expect(second.items.map((g) => g.id)).toEqual(['network', 'service-desk']);
    expect(all.items.map((g) => g.name)).toEqual(['Field Services', 'Messaging', 'network', 'Service Desk']);
    expect(all.cursor).toBeUndefined();
  });

  it('refuses a cursor of another list', async () => {
    const page = await store.listGroups({ limit: 1 });
    await expect(
      store.listMembers('network', { limit: 1, cursor: page.cursor as string }),
    ).rejects.toMatchObject({ name: 'ValidationError', fields: [{ path: 'cursor' }] });
  });

  it('changes the fields given, removes those set to null, moves the version and the list order', async () => {
    const before = await getGroup(deps, admin, 'messaging');
    now += 60_000;

    const after = await updateGroup(deps, admin, 'messaging', {
      version: before.version,
      name: 'Collaboration',
      managerEmail: 'Boss@Example.com',
      description: 'Mail, chat and calendars',
    });
    const cleared = await updateGroup(deps, admin, 'messaging', {
      version: after.version,
      description: null,
    });

    expect(after).toMatchObject({ name: 'Collaboration', managerEmail: 'boss@example.com', version: 2 });
    expect(after.updatedAt).not.toBe(before.updatedAt);
    expect(cleared.description).toBeUndefined();
    expect(cleared.version).toBe(3);
    expect(await getGroup(deps, agent, 'messaging')).toEqual(cleared);
    expect((await listGroups(deps, agent)).items.map((g) => g.id)).toEqual([
      'messaging',
      'field-services',
      'network',
      'service-desk',
    ]);
  });

  it('refuses a change made against a stale version with the group as it is now', async () => {
    const current = await getGroup(deps, admin, 'network');
    await updateGroup(deps, admin, 'network', { version: current.version, name: 'Network' });

    await expect(
      updateGroup(deps, admin, 'network', { version: current.version, name: 'Networking' }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      current: { name: 'Network', version: current.version + 1 },
    });
  });

  it('refuses a write that lost the race in the store itself', async () => {
    const current = await store.getGroup('service-desk');
    if (!current) throw new Error('seeded group missing');
    await store.updateGroup({ ...current, name: 'Desk A', version: current.version + 1 }, current.version);

    await expect(
      store.updateGroup({ ...current, name: 'Desk B', version: current.version + 1 }, current.version),
    ).rejects.toMatchObject({ name: 'ConflictError', current: { name: 'Desk A' } });
    await expect(
      store.updateGroup({ ...current, id: 'no-such-group' }, current.version),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('answers 404 for unknown groups and ids that cannot be groups, and refuses unknown fields', async () => {
    await expect(getGroup(deps, agent, 'nope')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(getGroup(deps, agent, 'GROUP#x')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(updateGroup(deps, admin, 'nope', { version: 1, name: 'x' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      createGroup(deps, admin, { id: 'Bad Id', name: 'x', colour: 'red' } as never),
    ).rejects.toMatchObject({ name: 'ZodError' });
  });
});

describe('membership', () => {
  it('writes both directions in one go: members of a group and groups of an agent are one Query each', async () => {
    const { member, added } = await addMember(deps, admin, 'network', {
      email: 'Alex.Agent@Example.com',
      name: 'Alex',
    });
    await addMember(deps, admin, 'service-desk', { email: 'alex.agent@example.com' });
    await addMember(deps, admin, 'network', { email: 'bo@example.com' });

    expect(added).toBe(true);
    expect(member).toEqual({
      groupId: 'network',
      email: 'alex.agent@example.com',
      name: 'Alex',
      addedAt: expect.any(String),
    });
    expect(await item('GROUP#network', 'MEMBER#alex.agent@example.com')).toMatchObject({ entity: 'member' });
    expect(await item('AGENT#alex.agent@example.com', 'GROUP#network')).toMatchObject({
      entity: 'agent-group',
    });
    const members = await listMembers(deps, agent, 'network');
    expect(members.items.map((m) => m.email)).toEqual(['alex.agent@example.com', 'bo@example.com']);
    const agentItems = await tables.documents.send(
      new QueryCommand({
        TableName: tables.domainTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'AGENT#alex.agent@example.com' },
      }),
    );
    expect(agentItems.Items?.map((i) => i.sk)).toEqual(['GROUP#network', 'GROUP#service-desk']);
    expect(await newStore().groupsOf('ALEX.agent@example.com')).toEqual(['network', 'service-desk']);
  });

  it('keeps the first membership when someone is added again', async () => {
    const first = await addMember(deps, admin, 'messaging', { email: 'cy@example.com', name: 'Cy' });
    now += 1000;

    const again = await addMember(deps, admin, 'messaging', { email: 'CY@example.com' });

    expect(again).toEqual({ member: first.member, added: false });
  });

  it('refuses members and managers outside the organisation’s domains, naming the field', async () => {
    await expect(addMember(deps, admin, 'network', { email: 'typo@exmaple.com' })).rejects.toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'email', message: 'must be an address on example.com' }],
    });
    expect(await item('GROUP#network', 'MEMBER#typo@exmaple.com')).toBeUndefined();
    const network = await getGroup(deps, admin, 'network');
    await expect(
      updateGroup(deps, admin, 'network', { version: network.version, managerEmail: 'boss@elsewhere.org' }),
    ).rejects.toMatchObject({ name: 'ValidationError', fields: [{ path: 'managerEmail' }] });

    const configured = { ...deps, knownDomains: ['example.com', 'partner.org'] };
    const { added } = await addMember(configured, admin, 'network', { email: 'kim@eu.partner.org' });
    expect(added).toBe(true);
    await expect(
      addMember(configured, admin, 'network', { email: 'kim@partner.org.evil.io' }),
    ).rejects.toMatchObject({
      fields: [{ path: 'email', message: 'must be an address on example.com, partner.org' }],
    });
  });

  it('refuses members of a group that does not exist, and writes nothing', async () => {
    await expect(addMember(deps, admin, 'ghosts', { email: 'casper@example.com' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(await item('AGENT#casper@example.com', 'GROUP#ghosts')).toBeUndefined();
    await expect(listMembers(deps, agent, 'ghosts')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('removes both directions, and says 404 for someone who was not a member', async () => {
    await addMember(deps, admin, 'field-services', { email: 'dee@example.com' });

    await removeMember(deps, admin, 'field-services', 'Dee@Example.com');

    expect(await item('GROUP#field-services', 'MEMBER#dee@example.com')).toBeUndefined();
    expect(await item('AGENT#dee@example.com', 'GROUP#field-services')).toBeUndefined();
    await expect(removeMember(deps, admin, 'field-services', 'dee@example.com')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(removeMember(deps, admin, 'field-services', 'not an address')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('pages members with a cursor', async () => {
    for (const n of [1, 2, 3]) await addMember(deps, admin, 'field-services', { email: `p${n}@example.com` });

    const first = await store.listMembers('field-services', { limit: 2 });
    const second = await store.listMembers('field-services', { limit: 2, cursor: first.cursor as string });

    expect([...first.items, ...second.items].map((m) => m.email)).toEqual([
      'p1@example.com',
      'p2@example.com',
      'p3@example.com',
    ]);
  });
});

describe('groupsOf: cached for 30 s per address', () => {
  it('answers from memory within 30 s, then reads again; its own changes show at once', async () => {
    const lambdaA = newStore();
    const lambdaB = newStore();
    await addMember({ groups: lambdaB, clock }, admin, 'network', { email: 'eve@example.com' });
    expect(await lambdaA.groupsOf('eve@example.com')).toEqual(['network']);

    await addMember({ groups: lambdaB, clock }, admin, 'messaging', { email: 'eve@example.com' });
    now += 29_000;
    const stale = await lambdaA.groupsOf('eve@example.com');
    now += 1_000;
    const fresh = await lambdaA.groupsOf('eve@example.com');
    await removeMember({ groups: lambdaA, clock }, admin, 'network', 'eve@example.com');
    const own = await lambdaA.groupsOf('eve@example.com');

    expect(stale).toEqual(['network']);
    expect(fresh).toEqual(['messaging', 'network']);
    expect(own).toEqual(['messaging']);
  });

  it('answers an empty list for someone in no group', async () => {
    expect(await store.groupsOf('nobody@example.com')).toEqual([]);
  });
});

describe('routing configuration', () => {
  const vpnRule = {
    id: 'vpn',
    name: 'VPN to network',
    conditions: { keywords: ['vpn'] },
    actions: { group: 'network', urgency: 2 as const },
  };

  it('starts empty at version 0 and saves rules and default group at version 1', async () => {
    expect(await getRoutingConfig(deps, agent)).toEqual({ rules: [], version: 0 });

    const saved = await saveRoutingConfig(deps, admin, {
      version: 0,
      rules: [vpnRule],
      defaultGroup: 'service-desk',
    });

    expect(saved).toMatchObject({
      version: 1,
      defaultGroup: 'service-desk',
      updatedBy: 'ada.admin@example.com',
    });
    expect(await getRoutingConfig(deps, agent)).toEqual(saved);
    expect(await item('CONFIG#routing', '#CONFIG')).toMatchObject({ entity: 'routing-config', version: 1 });
  });

  it('refuses a save against a stale version with the configuration as it is now', async () => {
    await expect(saveRoutingConfig(deps, admin, { version: 0, rules: [] })).rejects.toMatchObject({
      name: 'ConflictError',
      current: { version: 1, rules: [{ id: 'vpn' }] },
    });
    await expect(saveRoutingConfig(deps, admin, { version: 7, rules: [] })).rejects.toMatchObject({
      name: 'ConflictError',
      current: { version: 1 },
    });
  });

  it('refuses rules and a default group naming groups that do not exist, field by field', async () => {
    const refusal = saveRoutingConfig(deps, admin, {
      version: 1,
      rules: [vpnRule, { ...vpnRule, id: 'typo', actions: { group: 'netwrok' } }],
      defaultGroup: 'help-desk',
    });

    await expect(refusal).rejects.toMatchObject({
      name: 'ValidationError',
      fields: [
        { path: 'rules[1].actions.group', message: 'names no group: netwrok' },
        { path: 'defaultGroup', message: 'names no group: help-desk' },
      ],
    });
    expect((await getRoutingConfig(deps, admin)).version).toBe(1);
  });

  it('checks more groups than one BatchGet holds', async () => {
    const ids = [...Array.from({ length: 150 }, (_, i) => `missing-${i}`), 'network', 'messaging'];

    expect([...(await store.existingGroups(ids))].sort()).toEqual(['messaging', 'network']);
  });

  it('routes new tickets by the stored rules, reading them at most every 30 s', async () => {
    const lambdaA = newStore();
    const vpnTicket = {
      shortDescription: 'VPN is down',
      description: '',
      requesterEmail: 'emma.employee@example.com',
      channel: 'email' as const,
    };
    expect(await lambdaA.route(vpnTicket)).toEqual({ group: 'network', urgency: 2, ruleId: 'vpn' });

    await saveRoutingConfig(deps, admin, { version: 1, rules: [], defaultGroup: 'messaging' });
    const cached = await lambdaA.route(vpnTicket);
    const own = await store.route(vpnTicket);
    now += 30_000;
    const fresh = await lambdaA.route(vpnTicket);

    expect(cached).toEqual({ group: 'network', urgency: 2, ruleId: 'vpn' });
    expect(own).toEqual({ group: 'messaging' });
    expect(fresh).toEqual({ group: 'messaging' });
  });
});

describe('who may do what', () => {
  it('lets only admins change groups, members and routing', async () => {
    for (const actor of [agent, employee]) {
      await expect(createGroup(deps, actor, { id: 'x-team', name: 'X' })).rejects.toMatchObject({
        name: 'ForbiddenError',
      });
      await expect(updateGroup(deps, actor, 'network', { version: 1, name: 'x' })).rejects.toMatchObject({
        name: 'ForbiddenError',
      });
      await expect(addMember(deps, actor, 'network', { email: actor.email })).rejects.toMatchObject({
        name: 'ForbiddenError',
      });
      await expect(removeMember(deps, actor, 'network', 'alex.agent@example.com')).rejects.toMatchObject({
        name: 'ForbiddenError',
      });
      await expect(saveRoutingConfig(deps, actor, { version: 2, rules: [] })).rejects.toMatchObject({
        name: 'ForbiddenError',
      });
    }
    expect(await store.getGroup('x-team')).toBeUndefined();
    expect(await store.groupsOf('alex.agent@example.com')).toContain('network');
  });

  it('lets agents read groups, members and routing, and employees none of it', async () => {
    await expect(listGroups(deps, agent)).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(listMembers(deps, agent, 'network')).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(getRoutingConfig(deps, agent)).resolves.toMatchObject({ version: 2 });
    for (const read of [
      () => listGroups(deps, employee),
      () => getGroup(deps, employee, 'network'),
      () => listMembers(deps, employee, 'network'),
      () => getRoutingConfig(deps, employee),
    ])
      await expect(read()).rejects.toMatchObject({ name: 'ForbiddenError' });
  });
});

describe('over HTTP', () => {
  const call = (method: string, path: string, as: Actor, body?: unknown) =>
    callRoutes(groupRoutes(deps), method, path, as, body);

  it('creates (201 with location), reads, changes and conflicts (409 with the current group)', async () => {
    const created = await call('POST', '/api/groups', admin, { id: 'security', name: 'Security' });
    const read = await call('GET', '/api/groups/security', agent);
    const changed = await call('PATCH', '/api/groups/security', admin, { version: 1, name: 'SecOps' });
    const stale = await call('PATCH', '/api/groups/security', admin, { version: 1, name: 'Again' });

    expect(created).toMatchObject({ status: 201, headers: { location: '/api/groups/security' } });
    expect(read).toMatchObject({ status: 200, body: { id: 'security', version: 1 } });
    expect(changed).toMatchObject({ status: 200, body: { name: 'SecOps', version: 2 } });
    expect(stale).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', current: { version: 2 } } },
    });
  });

  it('adds (201, then 200), lists and removes (204) members; the address in the path is decoded', async () => {
    const added = await call('POST', '/api/groups/security/members', admin, { email: 'fay@example.com' });
    const again = await call('POST', '/api/groups/security/members', admin, { email: 'fay@example.com' });
    const listed = await call('GET', '/api/groups/security/members', agent);
    const removed = await call('DELETE', '/api/groups/security/members/fay%40example.com', admin);
    const gone = await call('DELETE', '/api/groups/security/members/fay%40example.com', admin);

    expect(added.status).toBe(201);
    expect(added.headers.location).toBe('/api/groups/security/members/fay%40example.com');
    expect(again.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ email: 'fay@example.com' })]);
    expect(removed.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('answers 403 to employees and non-admin writes, 400 with field paths to bad input', async () => {
    expect((await call('GET', '/api/groups', employee)).status).toBe(403);
    expect((await call('POST', '/api/groups', agent, { id: 'x', name: 'x' })).status).toBe(403);
    expect((await call('PUT', '/api/routing', agent, { version: 2, rules: [] })).status).toBe(403);
    const bad = await call('POST', '/api/groups', admin, { id: 'No Slug', name: '', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      '(request)',
      'id',
      'name',
    ]);
    expect((await call('GET', '/api/groups?page=2', agent)).status).toBe(400);
  });

  it('reads and replaces routing with its version; unknown groups are a 400', async () => {
    const current = await call('GET', '/api/routing', agent);
    const unknown = await call('PUT', '/api/routing', admin, {
      version: current.body.version,
      rules: [
        { id: 'r1', name: 'Phishing', conditions: { keywords: ['phishing'] }, actions: { group: 'sec' } },
      ],
    });
    const saved = await call('PUT', '/api/routing', admin, {
      version: current.body.version,
      rules: [
        {
          id: 'r1',
          name: 'Phishing',
          conditions: { keywords: ['phishing'] },
          actions: { group: 'security' },
        },
      ],
      defaultGroup: 'service-desk',
    });
    const stale = await call('PUT', '/api/routing', admin, { version: current.body.version, rules: [] });

    expect(unknown).toMatchObject({
      status: 400,
      body: { error: { fields: [{ path: 'rules[0].actions.group' }] } },
    });
    expect(saved).toMatchObject({ status: 200, body: { version: current.body.version + 1 } });
    expect(stale.status).toBe(409);
  });

  it('documents every route', () => {
    const routes = groupRoutes(deps);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/groups',
      'POST /api/groups',
      'GET /api/groups/{id}',
      'PATCH /api/groups/{id}',
      'GET /api/groups/{id}/members',
      'POST /api/groups/{id}/members',
      'DELETE /api/groups/{id}/members/{email}',
      'GET /api/routing',
      'PUT /api/routing',
    ]);
    expect(routes.every((r) => r.docs?.summary && Object.keys(r.docs.responses).length > 0)).toBe(true);
  });
});

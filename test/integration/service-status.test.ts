import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoRecordCiStore } from '#adapters/dynamodb/record-ci-store.dynamo.ts';
import { DynamoServiceStatusStore } from '#adapters/dynamodb/service-status-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { type CmdbDeps, createCi, relateCis, updateCi } from '#core/cmdb/cmdb-service.ts';
import {
  ciRecords,
  type LinkableKind,
  linkCi,
  type RecordCiDeps,
  recordCis,
  recordImpact,
  unlinkCi,
} from '#core/cmdb/record-cis.ts';
import {
  clearOverride,
  currentOutages,
  followIncident,
  overrideStatus,
  pressMeToo,
  type ServiceStatusDeps,
  statusPage,
} from '#core/cmdb/service-status-service.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import {
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * The service status page against DynamoDB Local: status items kept from incident events (no
 * Scan), agents' overrides, "me too" (a watcher, counted once per person), and CI links.
 */
const ada: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const carl: Actor = { id: 'u-carl', email: 'carl.cmdb@example.com', groups: ['agents'] };
const otto: Actor = { id: 'u-otto', email: 'otto.other@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const finn: Actor = { id: 'u-finn', email: 'finn@example.com', groups: [] };

let deps: ServiceStatusDeps;
let links: RecordCiDeps;
let tickets: TicketDeps;
const published: DomainEvent[] = [];
const ids: Record<string, string> = {};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error & { fields?: { path: string }[] },
  );
const statusChanges = () => published.filter((e) => e.type === 'service.status_changed').map((e) => e.detail);

beforeAll(async () => {
  const tables = await freshTables();
  const base = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  const groups = new DynamoGroupStore({ ...base, cacheTtlMs: 0 });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, ada, { id: 'configuration-managers', name: 'Configuration managers' });
  await addMember({ groups, clock }, ada, 'configuration-managers', { email: carl.email });
  const events = { publish: async (list: readonly DomainEvent[]) => void published.push(...list) };
  const cmdb: CmdbDeps = {
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
  const recordLinks = new DynamoRecordCiStore(base);
  deps = { statuses: new DynamoServiceStatusStore(base), links: recordLinks, cmdb, tickets, impactDepth: 3 };
  links = {
    links: recordLinks,
    cmdb,
    access: async (actor: Actor, kind: LinkableKind, id: string) => {
      const { ticket } = await viewTicket(tickets, actor, id);
      if (ticket.kind !== kind) throw new NotFoundError(`No ${kind} ${id}`);
      return { kind, id, number: ticket.number };
    },
  };
  for (const [key, input] of [
    [
      'email',
      {
        name: 'Email',
        class: 'business_service',
        criticality: 'critical',
        owner: 'olivia.owner@example.com',
        supportGroup: 'messaging',
      },
    ],
    ['hr', { name: 'HR self-service', class: 'business_service', criticality: 'high' }],
    ['exchange', { name: 'Exchange Online', class: 'application' }],
  ] as const)
    ids[key] = (await createCi(cmdb, ada, input)).id;
  await relateCis(cmdb, ada, ids.exchange as string, { type: 'used_by', to: ids.email as string });
});

const incident = async (shortDescription: string, impact: 1 | 2 | 3) =>
  (await openTicket(tickets, emma, { shortDescription, impact, urgency: 1 }, { channel: 'portal' })).ticket;

describe('service status from incidents', () => {
  it('an open P1 incident on a CI that Email uses makes Email an outage, announced once; HR stays operational', async () => {
    const down = await incident('Mail does not arrive', 1);
    await linkCi(links, carl, 'incident', down.id, { ciId: ids.exchange as string });
    ids.down = down.id;

    const written = await followIncident(deps, down.id);
    await followIncident(deps, down.id);

    expect(written.map((s) => [s.name, s.status])).toEqual([['Email', 'outage']]);
    expect(written[0]?.incidents).toMatchObject([
      { number: down.number, priority: 1, via: { name: 'Exchange Online' } },
    ]);
    expect(statusChanges()).toEqual([
      expect.objectContaining({ name: 'Email', from: 'operational', to: 'outage', incidents: [down.number] }),
    ]);
    const page = await statusPage(deps, emma);
    expect(page.map((s) => [s.service.name, s.status])).toEqual([
      ['Email', 'outage'],
      ['HR self-service', 'operational'],
    ]);
    expect((await ciRecords(links, carl, ids.exchange as string)).items).toMatchObject([
      { kind: 'incident', id: down.id, number: down.number },
    ]);
    expect(await recordCis(links, carl, 'incident', down.id)).toMatchObject([
      { ci: { name: 'Exchange Online' } },
    ]);
  });

  it('the blast radius of the incident names the services, people and groups its CIs reach; employees may not read it', async () => {
    const blast = await recordImpact(links, carl, 'incident', ids.down as string);
    expect(blast.from.map((ci) => ci.name)).toEqual(['Exchange Online']);
    expect(blast.services).toMatchObject([{ ci: { name: 'Email' }, criticality: 'critical', depth: 1 }]);
    expect(blast.people).toEqual([{ email: 'olivia.owner@example.com', why: 'owns Email' }]);
    expect(blast.groups).toEqual(['messaging']);
    expect((await failure(recordImpact(links, emma, 'incident', ids.down as string)))?.name).toBe(
      'ForbiddenError',
    );
  });

  it('an agent speaks for the service (a message and the next update); an employee or an outsider agent may not', async () => {
    const nextUpdateAt = '2026-12-03T14:00:00.000Z';
    const said = await overrideStatus(deps, carl, ids.email as string, {
      message: 'Mail is delayed; we are on it',
      nextUpdateAt,
    });
    expect(said).toMatchObject({
      status: 'outage',
      override: { message: 'Mail is delayed; we are on it', nextUpdateAt },
    });
    expect((await failure(overrideStatus(deps, emma, ids.email as string, { message: 'x' })))?.name).toBe(
      'ForbiddenError',
    );
    expect((await failure(overrideStatus(deps, otto, ids.email as string, { message: 'x' })))?.name).toBe(
      'ForbiddenError',
    );
    const blank = await failure(overrideStatus(deps, carl, ids.email as string, { message: ' ' }));
    expect(blank?.name).toBe('ZodError');
    expect((blank as unknown as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(['message']);
  });

  it('"me too" makes the employee a watcher and counts once per person; only an incident of the service can be followed', async () => {
    const down = ids.down as string;
    const first = await pressMeToo(deps, finn, ids.email as string, { incidentId: down });
    const again = await pressMeToo(deps, finn, ids.email as string, { incidentId: down });
    const requester = await pressMeToo(deps, emma, ids.email as string, { incidentId: down });

    expect([first.presses, again.presses, requester.presses]).toEqual([1, 1, 2]);
    expect(first.watching).toBe(true);
    const { ticket } = await viewTicket(tickets, ada, down);
    expect(ticket.watchers).toEqual([finn.email]);
    const banner = await currentOutages(deps, finn);
    expect(banner).toMatchObject([
      { service: { name: 'Email' }, status: 'outage', incident: { id: down }, presses: 2, pressed: true },
    ]);
    expect((await currentOutages(deps, otto))[0]?.pressed).toBe(false);
    expect(banner[0]?.override?.by.email).toBe('service-desk');
    expect((await currentOutages(deps, otto))[0]?.override?.by.email).toBe(carl.email);
    const other = await incident('Printer jams', 3);
    const wrong = await failure(pressMeToo(deps, finn, ids.email as string, { incidentId: other.id }));
    expect(wrong?.fields?.[0]?.path).toBe('incidentId');
  });

  it('a P2 incident degrades (the message about the outage goes); resolving it makes the service operational again', async () => {
    const down = ids.down as string;
    const { ticket } = await viewTicket(tickets, ada, down);
    await updateTicket(tickets, ada, down, { version: ticket.version, impact: 2 });
    const [degraded] = await followIncident(deps, down);
    expect(degraded).toMatchObject({ status: 'degraded', derived: 'degraded' });
    expect(degraded?.override).toBeUndefined();

    const current = (await viewTicket(tickets, ada, down)).ticket;
    await updateTicket(tickets, ada, down, {
      version: current.version,
      state: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Connector restarted',
    });
    const [restored] = await followIncident(deps, down);
    expect(restored).toMatchObject({ status: 'operational', incidents: [] });
    expect(statusChanges().map((d) => `${d.from}→${d.to}`)).toEqual([
      'operational→outage',
      'outage→degraded',
      'degraded→operational',
    ]);
    expect(await currentOutages(deps, finn)).toEqual([]);
  });

  it('a status override holds against the incidents until cleared; unlinking takes an incident off', async () => {
    const again = await incident('Email down again', 1);
    await linkCi(links, carl, 'incident', again.id, { ciId: ids.email as string });
    await followIncident(deps, again.id);
    const held = await overrideStatus(deps, carl, ids.email as string, {
      status: 'degraded',
      message: 'Only sending is slow',
    });
    expect(held.status).toBe('degraded');

    await unlinkCi(links, carl, 'incident', again.id, ids.email as string);
    const [after] = await followIncident(deps, again.id);
    expect(after).toMatchObject({ derived: 'operational', status: 'degraded' });
    const cleared = await clearOverride(deps, carl, ids.email as string);
    expect(cleared.status).toBe('operational');
    expect(published.filter((e) => e.type === 'record.linked' && e.detail.removed)).toHaveLength(1);
  });

  it('the CMDB announces ci.created, ci.updated and ci.retired', async () => {
    const created = published.filter((e) => e.type === 'ci.created').map((e) => e.detail.ciId);
    expect(created).toEqual(expect.arrayContaining([ids.email, ids.hr, ids.exchange]));
    const hr = await deps.cmdb.cis.get(ids.hr as string);
    await updateCi(deps.cmdb, ada, ids.hr as string, { version: hr?.version ?? 0, status: 'retired' });
    const updated = published.find((e) => e.type === 'ci.updated' && e.detail.ciId === ids.hr);
    expect(updated?.detail.changes).toEqual([
      { field: 'status', oldValue: 'in_service', newValue: 'retired' },
    ]);
    expect(published.filter((e) => e.type === 'ci.retired').map((e) => e.detail.ciId)).toEqual([ids.hr]);
    expect((await statusPage(deps, emma)).map((s) => s.service.name)).toEqual(['Email']);
  });
});

import * as z from 'zod';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { RecordCiStore } from '#ports/record-ci-store.ts';
import type { ServiceStatusStore } from '#ports/service-status-store.ts';
import { type Actor, isAgent, normalizeEmail } from '../identity/actor.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { changeTicket, type TicketDeps } from '../ticket/ticket-service.ts';
import { type CiRef, type ConfigurationItem, type Criticality, ciRef } from './ci.ts';
import { type CmdbDeps, mayEditCi } from './cmdb-service.ts';
import { impactOf } from './impact-service.ts';
import {
  countsOnStatus,
  freshStatus,
  restated,
  ServiceHealth,
  type ServiceStatus,
  type StatusIncident,
  withStatus,
} from './service-status.ts';

/**
 * The service status page: a status item per business service, kept current from the incident
 * events (no Scan: each event re-reads the one incident and rewrites the items of the services
 * it touches), overridden by agents, and the employees' "me too".
 */
export interface ServiceStatusDeps {
  readonly statuses: ServiceStatusStore;
  readonly links: RecordCiStore;
  readonly cmdb: CmdbDeps;
  readonly tickets: TicketDeps;
  /** How far an incident on a CI reaches services through the CMDB (downstream). @default 3 */
  readonly impactDepth: number;
}

/** The watchers an incident holds at most (the ticket's limit): beyond, a press is counted only. */
const MAX_WATCHERS = 50;
/** Business services the page lists at most. */
const MAX_SERVICES = 1000;

export const OverrideInput = z.strictObject({
  /** Absent: a message only; the status stays the derived one. */
  status: ServiceHealth.optional(),
  message: z.string().trim().min(1, 'is required').max(500),
  nextUpdateAt: z.iso.datetime({ offset: true }).optional(),
});
export type OverrideInput = z.input<typeof OverrideInput>;

export const MeTooInput = z.strictObject({ incidentId: z.string().min(1).max(64) });
export type MeTooInput = z.input<typeof MeTooInput>;

/** A business service as the status page lists it. */
export interface ServiceStatusView {
  readonly service: {
    readonly id: string;
    readonly number: string;
    readonly name: string;
    readonly criticality: Criticality;
  };
  readonly status: ServiceHealth;
  readonly derived: ServiceHealth;
  readonly since?: string;
  readonly incidents: readonly StatusIncident[];
  readonly override?: ServiceStatus['override'];
}

/** A current outage or degradation, as the portal home's banner shows it to one person. */
export interface OutageView extends ServiceStatusView {
  /** The incident people should follow: the worst open one. */
  readonly incident?: StatusIncident;
  /** "Me too" presses on that incident so far. */
  readonly presses: number;
  /** Whether this person pressed "me too" on it. */
  readonly pressed: boolean;
}

const statusEvent = (
  deps: ServiceStatusDeps,
  before: Pick<ServiceStatus, 'status'>,
  after: ServiceStatus,
): DomainEvent => ({
  type: 'service.status_changed',
  id: deps.cmdb.ids.next(),
  at: after.updatedAt,
  detail: {
    serviceId: after.serviceId,
    number: after.number,
    name: after.name,
    from: before.status,
    to: after.status,
    derived: after.derived,
    overridden: after.override?.status !== undefined,
    incidents: after.incidents.map((i) => i.number),
    ...(after.override ? { message: after.override.message } : {}),
    ...(after.override?.nextUpdateAt ? { nextUpdateAt: after.override.nextUpdateAt } : {}),
  },
});

/**
 * Rewrites one status item in a read–decide–write round (another event may write it at the
 * same time); publishes `service.status_changed` when the shown status moved.
 */
async function rewrite(
  deps: ServiceStatusDeps,
  service: ConfigurationItem | { readonly id: string },
  change: (current: ServiceStatus, now: string) => ServiceStatus | undefined,
): Promise<ServiceStatus | undefined> {
  const result = await retried(`The status of service ${service.id}`, async () => {
    const now = deps.cmdb.clock.now().toISOString();
    let current = await deps.statuses.get(service.id);
    if (!current) {
      const ci = 'class' in service ? service : await deps.cmdb.cis.get(service.id);
      if (ci?.class !== 'business_service') return undefined;
      current = freshStatus(ci, now);
    }
    const next = change(current, now);
    if (!next) return { before: current, after: current };
    const stored = { ...next, updatedAt: now, version: current.version + 1 };
    if (await lostRace(deps.statuses.put(stored, current.version))) return AGAIN;
    return { before: current, after: stored };
  });
  if (!result) return undefined;
  if (result.before.status !== result.after.status)
    await deps.cmdb.events.publish([statusEvent(deps, result.before, result.after)]);
  return result.after;
}

/** The business services an incident touches: those it is linked to, and those its linked CIs reach. */
async function servicesOf(
  deps: ServiceStatusDeps,
  incidentId: string,
): Promise<Map<string, { service?: ConfigurationItem; via?: CiRef }>> {
  const found = new Map<string, { service?: ConfigurationItem; via?: CiRef }>();
  const links = await deps.links.cisOf({ kind: 'incident', id: incidentId });
  const refs = links.map((link) => (link.target.kind === 'configuration_item' ? link.target : link.source));
  const cis = await Promise.all(refs.map((ref) => deps.cmdb.cis.get(ref.id)));
  for (const ci of cis) {
    if (!ci || ci.status === 'retired') continue;
    if (ci.class === 'business_service') {
      found.set(ci.id, { service: ci });
      continue;
    }
    const impact = await impactOf(deps.cmdb, ci, 'downstream', deps.impactDepth);
    for (const s of impact.services)
      if (!found.has(s.ci.id) && s.status !== 'retired') found.set(s.ci.id, { via: ciRef(ci) });
  }
  return found;
}

/**
 * Follows one incident (after `ticket.created`, `ticket.updated` or a `record.linked` of an
 * incident and a CI): counts it on the services it touches while it is open and major, takes it
 * off the services it no longer touches. Idempotent: the same event twice writes the same items.
 */
export async function followIncident(deps: ServiceStatusDeps, incidentId: string): Promise<ServiceStatus[]> {
  const found = await deps.tickets.tickets.get(incidentId);
  if (found?.ticket.kind !== 'incident') return [];
  const { ticket } = found;
  const touched = countsOnStatus(ticket) ? await servicesOf(deps, ticket.id) : new Map();
  const before = await deps.statuses.trackedServices(ticket.id);
  const entry = (via?: CiRef): StatusIncident => ({
    id: ticket.id,
    number: ticket.number,
    shortDescription: ticket.shortDescription,
    priority: ticket.priority,
    ...(via ? { via } : {}),
  });
  const written: ServiceStatus[] = [];
  for (const serviceId of new Set([...before, ...touched.keys()])) {
    const on = touched.get(serviceId);
    const stored = await rewrite(deps, on?.service ?? { id: serviceId }, (current, now) => {
      const others = current.incidents.filter((i) => i.id !== ticket.id);
      const incidents = on ? [...others, entry(on.via)] : others;
      const next = restated(current, incidents, now);
      return JSON.stringify(next) === JSON.stringify(current) ? undefined : next;
    });
    if (stored) written.push(stored);
  }
  const now = [...touched.keys()].sort();
  if (now.join() !== [...before].sort().join()) await deps.statuses.track(ticket.id, now);
  return written;
}

/** Every business service in service with its status: anyone signed in may read the page. */
export async function statusPage(deps: ServiceStatusDeps, actor: Actor): Promise<ServiceStatusView[]> {
  const services: ConfigurationItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.cmdb.cis.list(
      { by: 'class', class: 'business_service' },
      { limit: 100, ...(cursor ? { cursor } : {}) },
    );
    services.push(...page.items.filter((ci) => ci.status !== 'retired'));
    cursor = page.cursor;
  } while (cursor && services.length < MAX_SERVICES);
  const statuses = new Map((await deps.statuses.list()).map((s) => [s.serviceId, s]));
  return services
    .map((ci) => view(ci, statuses.get(ci.id), actor))
    .sort((a, b) => rankOf(b.status) - rankOf(a.status) || a.service.name.localeCompare(b.service.name));
}

const rankOf = (health: ServiceHealth) => ServiceHealth.options.indexOf(health);

/** A status as shown; who gave an override is named to agents only (employees see the words). */
function view(
  ci: Pick<ConfigurationItem, 'id' | 'number' | 'name' | 'criticality'>,
  s?: ServiceStatus,
  reader?: Actor,
): ServiceStatusView {
  const override =
    s?.override && reader && !isAgent(reader)
      ? { ...s.override, by: { id: 'service-desk', email: 'service-desk' } }
      : s?.override;
  return {
    service: { id: ci.id, number: ci.number, name: ci.name, criticality: ci.criticality },
    status: s?.status ?? 'operational',
    derived: s?.derived ?? 'operational',
    incidents: s?.incidents ?? [],
    ...(s ? { since: s.since } : {}),
    ...(override ? { override } : {}),
  };
}

/** The services not operational now, for the portal home's banner, with this person's "me too". */
export async function currentOutages(deps: ServiceStatusDeps, actor: Actor): Promise<OutageView[]> {
  const email = normalizeEmail(actor.email);
  const down = (await deps.statuses.list()).filter((s) => s.status !== 'operational');
  const views = await Promise.all(
    down.map(async (s) => {
      const incident = s.incidents[0];
      const [presses, pressed] = incident
        ? await Promise.all([deps.statuses.presses(incident.id), deps.statuses.pressed(incident.id, email)])
        : [0, false];
      return {
        ...view({ id: s.serviceId, number: s.number, name: s.name, criticality: s.criticality }, s, actor),
        ...(incident ? { incident } : {}),
        presses,
        pressed,
      };
    }),
  );
  return views.sort(
    (a, b) => rankOf(b.status) - rankOf(a.status) || a.service.name.localeCompare(b.service.name),
  );
}

async function editableService(
  deps: ServiceStatusDeps,
  actor: Actor,
  serviceId: string,
): Promise<ConfigurationItem> {
  const ci = await deps.cmdb.cis.get(serviceId);
  if (ci?.class !== 'business_service') throw new NotFoundError(`No business service ${serviceId}`);
  if (!(await mayEditCi(deps.cmdb, actor, ci)))
    throw new ForbiddenError(
      `Only admins, ${deps.cmdb.managerGroup} and the support group of ${ci.name} may speak for it`,
    );
  return ci;
}

/**
 * An agent's word on a service: a status (outage, degraded, or operational while incidents are
 * still open) and/or a message with the time of the next update. Admins, configuration managers
 * and the service's support group may give it.
 */
export async function overrideStatus(
  deps: ServiceStatusDeps,
  actor: Actor,
  serviceId: string,
  raw: OverrideInput,
): Promise<ServiceStatusView> {
  const input = OverrideInput.parse(raw);
  const ci = await editableService(deps, actor, serviceId);
  const stored = await rewrite(deps, ci, (current, now) =>
    withStatus(
      {
        ...current,
        override: {
          ...(input.status ? { status: input.status } : {}),
          message: input.message,
          ...(input.nextUpdateAt ? { nextUpdateAt: new Date(input.nextUpdateAt).toISOString() } : {}),
          by: { id: actor.id, email: actor.email },
          at: now,
        },
      },
      current,
      now,
    ),
  );
  return view(ci, stored);
}

/** Takes an agent's word off a service: the page shows the derived status again. */
export async function clearOverride(
  deps: ServiceStatusDeps,
  actor: Actor,
  serviceId: string,
): Promise<ServiceStatusView> {
  const ci = await editableService(deps, actor, serviceId);
  const stored = await rewrite(deps, ci, (current, now) =>
    current.override ? withStatus({ ...current, override: undefined }, current, now) : undefined,
  );
  return view(ci, stored);
}

/**
 * "Me too" from the status banner: the person follows the incident (becomes a watcher, while
 * the incident has room) instead of opening a duplicate, and the press is counted once per
 * person as deflection. Only an incident currently counted on the service may be followed.
 */
export async function pressMeToo(
  deps: ServiceStatusDeps,
  actor: Actor,
  serviceId: string,
  raw: MeTooInput,
): Promise<{ presses: number; pressed: true; watching: boolean }> {
  const { incidentId } = MeTooInput.parse(raw);
  const status = await deps.statuses.get(serviceId);
  if (!status) throw new NotFoundError(`No status of service ${serviceId}`);
  if (!status.incidents.some((i) => i.id === incidentId))
    throw new ValidationError('Not an incident of this service', [
      { path: 'incidentId', message: `is not an open major incident of ${status.name}` },
    ]);
  const email = normalizeEmail(actor.email);
  const now = deps.cmdb.clock.now().toISOString();
  await deps.statuses.press({ incidentId, serviceId, email, at: now });
  const watching = await follow(deps, actor, incidentId, email);
  return { presses: await deps.statuses.presses(incidentId), pressed: true, watching };
}

/** Adds the person to the incident's watchers (the history names them, reason "me too"). */
async function follow(
  deps: ServiceStatusDeps,
  actor: Actor,
  incidentId: string,
  email: string,
): Promise<boolean> {
  return retried(`Incident ${incidentId}`, async () => {
    const found = await deps.tickets.tickets.get(incidentId);
    if (!found) throw new NotFoundError(`No incident ${incidentId}`);
    const { ticket } = found;
    if (normalizeEmail(ticket.requester.email) === email || ticket.watchers.includes(email)) return true;
    if (ticket.watchers.length >= MAX_WATCHERS) return false;
    const follower: Actor = { ...actor, groups: ['admins'] };
    const write = changeTicket(
      deps.tickets,
      follower,
      incidentId,
      { version: ticket.version, watchers: [...ticket.watchers, email] },
      { reason: 'me too (status page)' },
    );
    return (await lostRace(write)) ? AGAIN : true;
  });
}

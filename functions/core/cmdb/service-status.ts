import * as z from 'zod';
import { ActorRef, RecordNumber } from '../record/record.ts';
import { Priority } from '../ticket/priority.ts';
import { activeStates, type Ticket } from '../ticket/ticket.ts';
import { CiRef, Criticality } from './ci.ts';

/**
 * The health of a business service as the status page shows it. Derived from the open major
 * incidents linked to the service (directly, or through a CI whose impact reaches it): a
 * priority 1 incident is an outage, a priority 2 incident a degradation. An agent may override
 * it with a message (and the time of the next update).
 */
export const ServiceHealth = z.enum(['operational', 'degraded', 'outage']);
export type ServiceHealth = z.infer<typeof ServiceHealth>;

/** The priorities that make an incident "major" for the status page: 1 → outage, 2 → degraded. */
export const MAJOR_PRIORITIES: readonly number[] = [1, 2];

/** An open major incident counted on a service. */
export const StatusIncident = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  shortDescription: z.string().max(160),
  priority: Priority,
  /** The CI the incident is linked to, when it reaches the service through the CMDB's relations. */
  via: CiRef.optional(),
});
export type StatusIncident = z.infer<typeof StatusIncident>;

/** What an agent said about a service: a status (or only a message) and when the next word comes. */
export const StatusOverride = z.object({
  /** Absent: a message only, the status stays derived (and the message goes when it changes). */
  status: ServiceHealth.optional(),
  message: z.string().min(1).max(500),
  nextUpdateAt: z.iso.datetime().optional(),
  by: ActorRef,
  at: z.iso.datetime(),
});
export type StatusOverride = z.infer<typeof StatusOverride>;

/** The status item kept per business service (operational services may have none). */
export const ServiceStatus = z.object({
  serviceId: z.string().min(1).max(64),
  number: RecordNumber,
  name: z.string().min(1).max(200),
  criticality: Criticality,
  /** What the incidents say. */
  derived: ServiceHealth,
  /** What the page shows: the override's status, else the derived one. */
  status: ServiceHealth,
  incidents: z.array(StatusIncident).max(200).default([]),
  override: StatusOverride.optional(),
  /** Since when `status` holds. */
  since: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/** The services an incident is counted on, so that closing it (or unlinking it) takes it off them. */
export const IncidentServices = z.object({
  incidentId: z.string().min(1).max(64),
  serviceIds: z.array(z.string().min(1).max(64)).max(500),
});
export type IncidentServices = z.infer<typeof IncidentServices>;

/** One person's "me too" on an incident: kept once per person (deflection is counted once). */
export const MeTooPress = z.object({
  incidentId: z.string().min(1).max(64),
  serviceId: z.string().min(1).max(64),
  email: z.email().max(254),
  at: z.iso.datetime(),
});
export type MeTooPress = z.infer<typeof MeTooPress>;

/** The count of "me too" presses of an incident: the duplicates it spared the desk. */
export const MeTooCount = z.object({
  incidentId: z.string().min(1).max(64),
  presses: z.number().int().min(0).default(0),
});
export type MeTooCount = z.infer<typeof MeTooCount>;

const rank: Record<ServiceHealth, number> = { operational: 0, degraded: 1, outage: 2 };

/** Whether an incident counts on the status page: open, major (P1/P2), not a child of another. */
export const countsOnStatus = (ticket: Ticket): boolean =>
  ticket.kind === 'incident' &&
  activeStates.includes(ticket.state) &&
  MAJOR_PRIORITIES.includes(ticket.priority) &&
  ticket.parentId === undefined;

/** The health the incidents give: the worst of them (P1 outage, P2 degraded), operational with none. */
export function derivedHealth(incidents: readonly Pick<StatusIncident, 'priority'>[]): ServiceHealth {
  return incidents.reduce<ServiceHealth>((worst, incident) => {
    const health: ServiceHealth = incident.priority === 1 ? 'outage' : 'degraded';
    return rank[health] > rank[worst] ? health : worst;
  }, 'operational');
}

/**
 * The next status item after the incidents on it changed: derived health again; a message-only
 * override goes when the derived health changes (it spoke of the old state), a status override
 * stays until an agent clears it; `since` moves when the shown status does.
 */
export function restated(
  current: ServiceStatus,
  incidents: readonly StatusIncident[],
  now: string,
): ServiceStatus {
  const sorted = [...incidents].sort((a, b) => a.priority - b.priority || a.number.localeCompare(b.number));
  const derived = derivedHealth(sorted);
  const override =
    current.override && (current.override.status !== undefined || derived === current.derived)
      ? current.override
      : undefined;
  return withStatus({ ...current, incidents: sorted, derived, override }, current, now);
}

/** Sets `status` from the override or the derivation, and `since` when it moved. */
export function withStatus(
  next: Omit<ServiceStatus, 'status' | 'override'> & { readonly override?: StatusOverride | undefined },
  current: Pick<ServiceStatus, 'status' | 'since'>,
  now: string,
): ServiceStatus {
  const { override, ...rest } = next;
  const status = override?.status ?? next.derived;
  return {
    ...rest,
    ...(override ? { override } : {}),
    status,
    since: status === current.status ? current.since : now,
  };
}

/** A status item for a service that had none: operational, no incidents. */
export const freshStatus = (
  service: {
    readonly id: string;
    readonly number: string;
    readonly name: string;
    readonly criticality: Criticality;
  },
  now: string,
): ServiceStatus => ({
  serviceId: service.id,
  number: service.number,
  name: service.name,
  criticality: service.criticality,
  derived: 'operational',
  status: 'operational',
  incidents: [],
  since: now,
  updatedAt: now,
  version: 0,
});

/** The incident a record event is about: the ticket of `ticket.*`, the incident side of an incident–CI link. */
export function incidentOfEvent(type: string, detail: Readonly<Record<string, unknown>>): string | undefined {
  if (type === 'ticket.created' || type === 'ticket.updated')
    return typeof detail.ticketId === 'string' ? detail.ticketId : undefined;
  if (type !== 'record.linked') return undefined;
  const sides = [detail.source, detail.target] as ({ kind?: string; id?: string } | undefined)[];
  if (!sides.some((side) => side?.kind === 'configuration_item')) return undefined;
  return sides.find((side) => side?.kind === 'incident')?.id;
}

import { serviceStatusHandlerServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, serviceStatusEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { followIncident } from '#core/cmdb/service-status-service.ts';
import type { DomainEventDelivery } from './notifications.ts';

const deps = serviceStatusHandlerServices(parseEnv(serviceStatusEnv));
const log = telemetry();

/** The incident a record event is about: the ticket of `ticket.*`, the incident side of an incident–CI link. */
export function incidentOf(event: DomainEventDelivery): string | undefined {
  const detail = event.detail as Record<string, unknown>;
  if (event['detail-type'] === 'ticket.created' || event['detail-type'] === 'ticket.updated')
    return typeof detail.ticketId === 'string' ? detail.ticketId : undefined;
  if (event['detail-type'] !== 'record.linked') return undefined;
  const sides = [detail.source, detail.target] as { kind?: string; id?: string }[];
  if (!sides.some((side) => side?.kind === 'configuration_item')) return undefined;
  return sides.find((side) => side?.kind === 'incident')?.id;
}

/**
 * Lambda entry of the status rule: a ticket event or an incident–CI link re-reads that one
 * incident and rewrites the status items of the business services it touches (or touched).
 */
export const handler = instrumented(log, async (event: DomainEventDelivery) => {
  const incidentId = incidentOf(event);
  if (!incidentId) return { services: 0 };
  const written = await followIncident(deps, incidentId);
  log.info('incident followed', { services: written.length });
  return { services: written.length };
});

import { serviceStatusHandlerServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, serviceStatusEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { incidentOfEvent } from '#core/cmdb/service-status.ts';
import { followIncident } from '#core/cmdb/service-status-service.ts';
import type { DomainEventDelivery } from './notifications.ts';

const deps = serviceStatusHandlerServices(parseEnv(serviceStatusEnv));
const log = telemetry();

/**
 * Lambda entry of the status rule: a ticket event or an incident–CI link re-reads that one
 * incident and rewrites the status items of the business services it touches (or touched).
 */
export const handler = instrumented(log, async (event: DomainEventDelivery) => {
  const incidentId = incidentOfEvent(event['detail-type'], event.detail);
  if (!incidentId) return { services: 0 };
  const written = await followIncident(deps, incidentId);
  log.info('incident followed', { services: written.length });
  return { services: written.length };
});

import { IncidentServices, MeTooCount, MeTooPress, ServiceStatus } from '#core/cmdb/service-status.ts';
import { defineEntity } from './entity.ts';

/**
 * The status page's entities (conventions in `entities.ts`). Every business service's status
 * item sits in one partition, `SERVICE_STATUS`, so the page and the banner read them with one
 * Query; an incident's partition `OUTAGE#{incidentId}` holds the services it is counted on,
 * the "me too" presses (one item per person) and their count.
 */
export const serviceStatusEntity = /* @__PURE__ */ defineEntity({
  name: 'service-status',
  version: 1,
  table: 'domain',
  schema: ServiceStatus,
  indexes: { primary: { pk: 'SERVICE_STATUS', sk: 'SERVICE#{serviceId}' } },
  facets: (status) => ({ serviceId: status.serviceId }),
});

export const incidentServicesEntity = /* @__PURE__ */ defineEntity({
  name: 'incident-services',
  version: 1,
  table: 'domain',
  schema: IncidentServices,
  indexes: { primary: { pk: 'OUTAGE#{incidentId}', sk: '#SERVICES' } },
  facets: (tracked) => ({ incidentId: tracked.incidentId }),
});

export const meTooPressEntity = /* @__PURE__ */ defineEntity({
  name: 'me-too-press',
  version: 1,
  table: 'domain',
  schema: MeTooPress,
  indexes: { primary: { pk: 'OUTAGE#{incidentId}', sk: 'ME#{email}' } },
  facets: (press) => ({ incidentId: press.incidentId, email: press.email }),
});

export const meTooCountEntity = /* @__PURE__ */ defineEntity({
  name: 'me-too-count',
  version: 1,
  table: 'domain',
  schema: MeTooCount,
  indexes: { primary: { pk: 'OUTAGE#{incidentId}', sk: '#COUNT' } },
  facets: (count) => ({ incidentId: count.incidentId }),
});

export const serviceStatusEntities = [
  serviceStatusEntity,
  incidentServicesEntity,
  meTooPressEntity,
  meTooCountEntity,
] as const;

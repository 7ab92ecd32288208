import { reportingServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, reportingEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { countEvent } from '#core/reporting/counting-service.ts';
import type { DomainEventDelivery } from './notifications.ts';

const deps = reportingServices(parseEnv(reportingEnv));
const log = telemetry();

/**
 * Lambda entry of the reporting rule: counts a record event into the report counters, once.
 * An update that arrives before its record's creation fails (`RecordNotYetCounted`), and
 * Lambda's retry brings it again; what still fails lands in the dead-letter queue.
 */
export const handler = instrumented(log, async (event: DomainEventDelivery): Promise<{ result: string }> => {
  const result = await countEvent(deps, {
    type: event['detail-type'],
    id: String(event.detail.eventId ?? event.id),
    at: event.time,
    detail: event.detail,
  });
  log.info('reporting', { event: event['detail-type'], result });
  return { result };
});

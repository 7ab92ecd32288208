import { problemServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, problemEventsEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { countIncident, followChangeClosed } from '#core/problem/problem-service.ts';
import type { DomainEventDelivery } from './notifications.ts';

const deps = problemServices(parseEnv(problemEventsEnv));
const log = telemetry();

/**
 * Lambda entry of the problem rule: `ticket.created` counts the incident for proactive problem
 * management; `change.updated` resolves the problems a successfully closed change fixes.
 */
export const handler = instrumented(log, async (event: DomainEventDelivery) => {
  const domainEvent = {
    type: event['detail-type'],
    id: String(event.detail.eventId ?? event.id),
    at: event.time,
    detail: event.detail,
  };
  if (event['detail-type'] === 'ticket.created') {
    const suggested = await countIncident(deps, domainEvent);
    log.info('incident counted', { suggested: suggested.length });
    return { suggested: suggested.length };
  }
  if (event['detail-type'] === 'change.updated') {
    const resolved = await followChangeClosed(deps, domainEvent);
    log.info('change followed', { resolved });
    return { resolved: resolved.length };
  }
  return {};
});

import type { EventBridgeEvent } from 'aws-lambda';
import { cmdbDiscoveryServices, telemetry } from '#config/composition-root.ts';
import { cmdbDiscoveryEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { applyConfigChange } from '#core/cmdb/discovery-service.ts';

const services = cmdbDiscoveryServices(parseEnv(cmdbDiscoveryEnv));
const log = telemetry();

/**
 * Lambda entry of AWS Config "Config Configuration Item Change" events (EventBridge rule on the
 * default bus). A detail that does not parse throws: after the asynchronous retries the event
 * goes to the function's dead-letter queue with its body, never dropped.
 */
export const handler = instrumented(log, async (event: EventBridgeEvent<string, unknown>) => {
  const result = await applyConfigChange(services, event.detail);
  if (result.outcome !== 'unchanged') log.count('ConfigItemsDiscovered');
  log.info('config item applied', {
    ciNumber: result.ci.number,
    arn: result.ci.externalId,
    outcome: result.outcome,
    related: result.related,
    pending: result.pending,
  });
  return { ciId: result.ci.id, outcome: result.outcome, related: result.related, pending: result.pending };
});

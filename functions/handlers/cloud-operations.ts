import type { EventBridgeEvent } from 'aws-lambda';
import { cloudOperationsServices } from '#config/cloud-operations.ts';
import { telemetry } from '#config/composition-root.ts';
import { cloudOperationsEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { applyAlarmStateChange } from '#core/operations/alarm-service.ts';
import { applyCloudTrailCall } from '#core/operations/cloudtrail-service.ts';
import { applyHealthEvent } from '#core/operations/health-service.ts';

const services = cloudOperationsServices(parseEnv(cloudOperationsEnv));
const log = telemetry();

const appliers: Readonly<
  Record<string, (deps: typeof services, event: unknown) => Promise<{ outcome: string }>>
> = {
  'CloudWatch Alarm State Change': applyAlarmStateChange,
  'AWS Health Event': applyHealthEvent,
  'AWS API Call via CloudTrail': applyCloudTrailCall,
};

/**
 * Lambda entry of the cloud-operations rules (default bus): CloudWatch alarm state changes,
 * AWS Health events and CloudTrail write calls, each into its core use case. An event of another
 * type, or one that does not parse, throws: after the retries it is kept in the function's
 * dead-letter queue with its body.
 */
export const handler = instrumented(log, async (event: EventBridgeEvent<string, unknown>) => {
  const apply = appliers[event['detail-type']];
  if (!apply) throw new TypeError(`Cloud operations does not handle "${event['detail-type']}" events`);
  const result = await apply(services, event);
  if (result.outcome === 'opened') log.count('OperationsIncidentsOpened');
  log.info('cloud operations event', { detailType: event['detail-type'], eventId: event.id, ...result });
  return result;
});

import type { EventBridgeEvent, SESEvent } from 'aws-lambda';
import {
  outcomeSummary,
  processInboundMail,
  releaseQuarantinedMail,
} from '#channels/email/process-inbound.ts';
import { inboundMessageFromSes } from '#channels/email/ses-event.ts';
import { inboundEmailServices, telemetry } from '#config/composition-root.ts';
import { inboundEmailEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';

const env = parseEnv(inboundEmailEnv);
const deps = inboundEmailServices(env);
const log = telemetry();

/** The EventBridge event an admin's release from quarantine sends (see docs/events.md). */
export type ReleaseRequest = EventBridgeEvent<'mail.release_requested', { quarantineId: string; by: string }>;

const isRelease = (event: SESEvent | ReleaseRequest): event is ReleaseRequest =>
  'detail-type' in event && event['detail-type'] === 'mail.release_requested';

/**
 * Lambda entry of the SES receipt rule (after its S3 action stored the raw message), and of
 * quarantine releases. A thrown error makes Lambda retry the event and then move it to the
 * dead-letter queue.
 */
export const handler = instrumented(log, async (event: SESEvent | ReleaseRequest) => {
  if (isRelease(event)) {
    const outcome = await releaseQuarantinedMail(deps, event.detail.quarantineId, event.detail.by);
    log.info('quarantine release', { quarantineId: event.detail.quarantineId, outcome: outcome.kind });
    return [outcome];
  }
  const outcomes = [];
  for (const record of event.Records) {
    log.correlate({ messageId: record.ses.mail.messageId });
    const outcome = await processInboundMail(deps, inboundMessageFromSes(record, env.RAW_MAIL_PREFIX));
    const summary = outcomeSummary(outcome);
    if (summary.ticketNumber) log.correlate({ ticketNumber: summary.ticketNumber });
    log.count(summary.metric);
    log.info('mail processed', { outcome: outcome.kind, ...summary.detail });
    outcomes.push(outcome);
  }
  return outcomes;
});

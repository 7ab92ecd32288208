import type { SNSEvent } from 'aws-lambda';
import { recordMailFeedback } from '#channels/email/feedback.ts';
import { mailFeedbackServices, telemetry } from '#config/composition-root.ts';
import { dataEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';

const suppressions = mailFeedbackServices(parseEnv(dataEnv));
const log = telemetry();

/** Lambda entry of SES bounce and complaint notifications (configuration set → SNS topic). */
export const handler = instrumented(log, async (event: SNSEvent): Promise<{ suppressed: string[] }> => {
  const suppressed: string[] = [];
  for (const record of event.Records) {
    suppressed.push(...(await recordMailFeedback(suppressions, JSON.parse(record.Sns.Message))));
  }
  if (suppressed.length > 0) log.count('AddressesSuppressed', suppressed.length);
  log.info('mail feedback', { suppressed: suppressed.length });
  return { suppressed };
});

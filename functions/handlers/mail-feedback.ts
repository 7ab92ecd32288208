import type { SNSEvent } from 'aws-lambda';
import { recordMailFeedback } from '#channels/email/feedback.ts';
import { mailFeedbackServices } from '#config/composition-root.ts';
import { dataEnv, parseEnv } from '#config/env.ts';

const suppressions = mailFeedbackServices(parseEnv(dataEnv));

/** Lambda entry of SES bounce and complaint notifications (configuration set → SNS topic). */
export async function handler(event: SNSEvent): Promise<{ suppressed: string[] }> {
  const suppressed: string[] = [];
  for (const record of event.Records) {
    suppressed.push(...(await recordMailFeedback(suppressions, JSON.parse(record.Sns.Message))));
  }
  console.log(JSON.stringify({ level: 'INFO', message: 'mail feedback', suppressed: suppressed.length }));
  return { suppressed };
}

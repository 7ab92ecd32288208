import * as z from 'zod';
import type { SuppressionList } from '#ports/suppression-list.ts';

/** The part of an SES bounce or complaint notification that matters here. */
const SesFeedback = z.object({
  notificationType: z.enum(['Bounce', 'Complaint', 'Delivery']).or(z.string()),
  bounce: z
    .object({
      bounceType: z.string(),
      bouncedRecipients: z.array(
        z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() }),
      ),
    })
    .optional(),
  complaint: z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })) }).optional(),
});

/**
 * Marks the addresses of a permanent bounce or a complaint so they are not mailed again. A
 * transient bounce (mailbox full, greylisting) suppresses nothing: SES retries those itself.
 * Returns the addresses suppressed.
 */
export async function recordMailFeedback(suppressions: SuppressionList, message: unknown): Promise<string[]> {
  const feedback = SesFeedback.parse(message);
  const addresses =
    feedback.notificationType === 'Bounce' && feedback.bounce?.bounceType === 'Permanent'
      ? feedback.bounce.bouncedRecipients.map((r) => ({
          email: r.emailAddress,
          reason: `bounce: ${r.diagnosticCode ?? 'permanent'}`,
        }))
      : feedback.notificationType === 'Complaint'
        ? (feedback.complaint?.complainedRecipients ?? []).map((r) => ({
            email: r.emailAddress,
            reason: 'complaint',
          }))
        : [];
  for (const { email, reason } of addresses) await suppressions.suppress(email, reason);
  return addresses.map((a) => a.email.toLowerCase());
}

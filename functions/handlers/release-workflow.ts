import * as z from 'zod';
import { goNoGoMail } from '#channels/email/release-mail.ts';
import { telemetry } from '#config/composition-root.ts';
import { parseEnv, releaseFunctionEnv } from '#config/env.ts';
import { type ReleaseFunctionServices, releaseFunctionServices } from '#config/release.ts';
import { instrumented } from '#config/telemetry.ts';
import { Round } from '#core/approval/decision.ts';
import { expireGoNoGo, finishGoNoGo, issueGoNoGoLink, openGoNoGoRound } from '#core/release/go-no-go.ts';

/**
 * The go/no-go state machine's one task function:
 *
 * - `round`: a `.waitForTaskToken` round (request, reminder, escalation) — opens or renews the
 *   step, keeps the token and mails the deciders their links;
 * - `expire`: the last round timed out;
 * - `finish`: the outcome (approved, rejected, expired) goes on the release.
 */
export const ReleaseTaskInput = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('round'),
    releaseId: z.string().min(1),
    round: Round,
    taskToken: z.string().min(1),
  }),
  z.object({ action: z.literal('expire'), releaseId: z.string().min(1) }),
  z.object({
    action: z.literal('finish'),
    releaseId: z.string().min(1),
    decision: z.enum(['approved', 'rejected', 'expired']),
  }),
]);
export type ReleaseTaskInput = z.infer<typeof ReleaseTaskInput>;

export async function handleReleaseTask(
  s: ReleaseFunctionServices,
  input: ReleaseTaskInput,
): Promise<unknown> {
  switch (input.action) {
    case 'round': {
      const { release, step, recipients, decided } = await openGoNoGoRound(s.release, input);
      if (decided) {
        await s.release.workflow.answer(input.taskToken, { decision: decided });
        return { mailed: [] };
      }
      const suppressed = await s.suppressions.suppressed(recipients);
      const mailed: string[] = [];
      for (const approver of recipients.filter((r) => !suppressed.has(r))) {
        const link = (decision: 'approved' | 'rejected') =>
          issueGoNoGoLink(s.release, { releaseId: release.id, attempt: step.attempt, approver, decision });
        const message = goNoGoMail(
          s,
          release,
          step,
          { approve: await link('approved'), reject: await link('rejected') },
          s.release.releaseSettings.linkValidHours,
        );
        await s.mailer.send({ ...message, to: [approver] });
        mailed.push(approver);
      }
      return { mailed };
    }
    case 'expire':
      return expireGoNoGo(s.release, input.releaseId);
    case 'finish': {
      const release = await finishGoNoGo(s.release, input.releaseId, input.decision);
      return { goNoGo: release.goNoGo.status };
    }
  }
}

let services: ReleaseFunctionServices | undefined;
const log = telemetry();

/** Lambda entry: a malformed input throws, so the execution fails visibly instead of approving nothing. */
export const handler = instrumented(log, async (event: unknown): Promise<unknown> => {
  const input = ReleaseTaskInput.parse(event);
  services ??= releaseFunctionServices(parseEnv(releaseFunctionEnv));
  log.correlate({ releaseId: input.releaseId });
  const result = await handleReleaseTask(services, input);
  log.info('release task', { action: input.action, ...(result as Record<string, unknown>) });
  return result;
});

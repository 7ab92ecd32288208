import * as z from 'zod';
import { approvalOutcomeMail, approvalRequestMail } from '#channels/email/change-mail.ts';
import { type ChangeWorkflowServices, changeWorkflowServices, telemetry } from '#config/composition-root.ts';
import { changeWorkflowEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { Round, StepId } from '#core/change/approval.ts';
import { issueApprovalLink } from '#core/change/approval-links.ts';
import {
  expireApproval,
  finishApproval,
  planApproval,
  requestApproval,
} from '#core/change/approval-service.ts';

/**
 * The change approval state machine's one task function. The state machine says what to do:
 *
 * - `plan`: which approval route the change takes (the Choice branches on it);
 * - `request`: a `.waitForTaskToken` round (request, reminder, escalation) — opens or renews
 *   the step, keeps the token for the deciding approver and mails the approvers their links;
 * - `expire`: the last round timed out;
 * - `finish`: the verdict — the change moves on and the requester hears of it.
 */
export const ChangeTaskInput = z.discriminatedUnion('action', [
  z.object({ action: z.literal('plan'), changeId: z.string().min(1) }),
  z.object({
    action: z.literal('request'),
    changeId: z.string().min(1),
    step: StepId,
    round: Round,
    taskToken: z.string().min(1),
  }),
  z.object({ action: z.literal('expire'), changeId: z.string().min(1), step: StepId }),
  z.object({
    action: z.literal('finish'),
    changeId: z.string().min(1),
    outcome: z.enum(['approved', 'rejected', 'expired', 'failed']),
  }),
]);
export type ChangeTaskInput = z.infer<typeof ChangeTaskInput>;

let services: ChangeWorkflowServices | undefined;
const deps = () => {
  services ??= changeWorkflowServices(parseEnv(changeWorkflowEnv));
  return services;
};

export async function handleChangeTask(s: ChangeWorkflowServices, input: ChangeTaskInput): Promise<unknown> {
  switch (input.action) {
    case 'plan':
      return planApproval(s, input.changeId);
    case 'request': {
      const { change, step, recipients, decided } = await requestApproval(s, input);
      if (decided) {
        await s.workflow.answer(input.taskToken, { decision: decided });
        return { mailed: [] };
      }
      const suppressed = await s.suppressions.suppressed(recipients);
      const mailed: string[] = [];
      for (const approver of recipients.filter((r) => !suppressed.has(r))) {
        const link = (decision: 'approved' | 'rejected') =>
          issueApprovalLink(
            s,
            { changeId: change.id, attempt: step.attempt, step: step.step, approver, decision },
            s.linkValidHours,
          );
        const mail = approvalRequestMail(
          s,
          change,
          step,
          { approve: await link('approved'), reject: await link('rejected') },
          s.linkValidHours,
        );
        await s.mailer.send({ ...mail, to: [approver] });
        mailed.push(approver);
      }
      return { mailed };
    }
    case 'expire':
      return expireApproval(s, input.changeId, input.step);
    case 'finish': {
      const outcome = input.outcome === 'failed' ? 'expired' : input.outcome;
      const change = await finishApproval(s, input.changeId, outcome);
      if (change && !(await s.suppressions.suppressed([change.requester.email])).size)
        await s.mailer.send({ ...approvalOutcomeMail(s, change, outcome), to: [change.requester.email] });
      return { state: change?.state ?? 'unchanged' };
    }
  }
}

/** Lambda entry: a malformed input throws, so the execution fails visibly instead of approving nothing. */
const log = telemetry();

export const handler = instrumented(log, async (event: unknown): Promise<unknown> => {
  const input = ChangeTaskInput.parse(event);
  log.correlate({ changeId: input.changeId });
  const result = await handleChangeTask(deps(), input);
  if (input.action === 'finish') log.count('ApprovalsDecided');
  log.info('change task', { action: input.action, ...(result as Record<string, unknown>) });
  return result;
});

import * as z from 'zod';
import { requestApprovalMail, requestOutcomeMail, taskMail } from '#channels/email/catalog-mail.ts';
import {
  type CatalogWorkflowServices,
  catalogWorkflowServices,
  telemetry,
} from '#config/composition-root.ts';
import { catalogWorkflowEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { Round } from '#core/approval/decision.ts';
import { automateTask, automationFailed } from '#core/catalog/automation-service.ts';
import {
  closeRequestSteps,
  expireRequestStep,
  issueRequestLink,
  rejectionReason,
  requestStep,
} from '#core/catalog/request-approval.ts';
import { finishRequest, planRequest, startFulfilment } from '#core/catalog/request-service.ts';
import { openTask } from '#core/catalog/task-service.ts';
import type { OutboundMail } from '#ports/mail.ts';

/**
 * The catalog request state machine's one task function. The state machine says what to do:
 *
 * - `plan`: the approval steps and the stages of fulfilment tasks (the Maps iterate over them);
 * - `approval`: a `.waitForTaskToken` round of approval step `index` — opens or renews it,
 *   keeps the token and mails the approvers their links; `approval-expire` when the last round
 *   timed out;
 * - `fulfil`: the approvals are through, fulfilment starts;
 * - `task`: a `.waitForTaskToken` round of one plan step — opens its task (once) for the
 *   group and keeps the token its close answers;
 * - `automate`: an automated task's hook, once (the state machine retries `Automation.Failed`);
 *   `automation-failed` when the retries are spent: the task waits for a person, with the error;
 * - `finish`: the verdict (rejected, expired, failed) or the end (fulfilled); the requester hears of it.
 */
export const CatalogTaskInput = z.discriminatedUnion('action', [
  z.object({ action: z.literal('plan'), requestId: z.string().min(1) }),
  z.object({
    action: z.literal('approval'),
    requestId: z.string().min(1),
    index: z.number().int().min(1),
    round: Round,
    taskToken: z.string().min(1),
  }),
  z.object({
    action: z.literal('approval-expire'),
    requestId: z.string().min(1),
    index: z.number().int().min(1),
  }),
  z.object({ action: z.literal('fulfil'), requestId: z.string().min(1) }),
  z.object({
    action: z.literal('task'),
    requestId: z.string().min(1),
    step: z.string().regex(/^\d+\.\d+$/),
    round: Round,
    taskToken: z.string().min(1),
  }),
  z.object({
    action: z.literal('automate'),
    requestId: z.string().min(1),
    step: z.string().regex(/^\d+\.\d+$/),
  }),
  z.object({
    action: z.literal('automation-failed'),
    requestId: z.string().min(1),
    step: z.string().regex(/^\d+\.\d+$/),
    cause: z.string().max(32_000).default(''),
  }),
  z.object({
    action: z.literal('finish'),
    requestId: z.string().min(1),
    outcome: z.enum(['rejected', 'expired', 'failed', 'fulfilled']),
  }),
]);
export type CatalogTaskInput = z.infer<typeof CatalogTaskInput>;

/** Mails each recipient not on the suppression list; returns who was mailed. */
async function mail(s: CatalogWorkflowServices, to: readonly string[], message: Omit<OutboundMail, 'to'>) {
  const suppressed = await s.suppressions.suppressed(to);
  const recipients = to.filter((r) => !suppressed.has(r));
  for (const recipient of recipients) await s.mailer.send({ ...message, to: [recipient] });
  return recipients;
}

export async function handleCatalogTask(
  s: CatalogWorkflowServices,
  input: CatalogTaskInput,
): Promise<unknown> {
  switch (input.action) {
    case 'plan':
      return planRequest(s, input.requestId);
    case 'approval': {
      const { request, step, recipients, decided } = await requestStep(s, input);
      if (decided) {
        await s.workflow.answer(input.taskToken, { decision: decided });
        return { mailed: [] };
      }
      const mailed: string[] = [];
      for (const approver of recipients) {
        const link = (decision: 'approved' | 'rejected') =>
          issueRequestLink(s, { requestId: request.id, index: step.index, approver, decision });
        const message = requestApprovalMail(
          s,
          request,
          step,
          { approve: await link('approved'), reject: await link('rejected') },
          s.settings.linkValidHours,
        );
        mailed.push(...(await mail(s, [approver], message)));
      }
      return { mailed };
    }
    case 'approval-expire':
      return expireRequestStep(s, input.requestId, input.index);
    case 'fulfil':
      return { state: (await startFulfilment(s, input.requestId)).state };
    case 'task': {
      const { task, closed } = await openTask(s, input);
      if (closed) {
        await s.workflow.answer(input.taskToken, { state: task.state });
        return { task: task.number, mailed: [] };
      }
      const group = await s.groupStore.getGroup(task.group);
      const mailed = group?.email ? await mail(s, [group.email], taskMail(s, task, input.round)) : [];
      return { task: task.number, mailed };
    }
    case 'automate':
      return automateTask(s, input.requestId, input.step);
    case 'automation-failed':
      return automationFailed(s, input.requestId, input.step, input.cause);
    case 'finish': {
      const outcome = input.outcome === 'failed' ? 'expired' : input.outcome;
      if (outcome !== 'fulfilled')
        await closeRequestSteps(s, input.requestId, outcome === 'expired' ? 'expired' : 'cancelled');
      const reason =
        outcome === 'rejected'
          ? await rejectionReason(s, input.requestId)
          : input.outcome === 'failed'
            ? 'The approval could not be completed; please order again'
            : undefined;
      const request = await finishRequest(s, input.requestId, outcome, reason);
      const mailed = await mail(
        s,
        [...new Set([request.requester.email, request.requestedFor.email])],
        requestOutcomeMail(s, request),
      );
      return { state: request.state, mailed };
    }
  }
}

let services: CatalogWorkflowServices | undefined;
const log = telemetry();

/** Lambda entry: a malformed input throws, so the execution fails visibly instead of approving nothing. */
export const handler = instrumented(log, async (event: unknown): Promise<unknown> => {
  const input = CatalogTaskInput.parse(event);
  services ??= catalogWorkflowServices(parseEnv(catalogWorkflowEnv));
  log.correlate({ requestId: input.requestId });
  const result = await handleCatalogTask(services, input);
  log.info('catalog task', { action: input.action, ...(result as Record<string, unknown>) });
  return result;
});

import * as z from 'zod';
import { TaskTokenGoneError } from '#ports/change-workflow.ts';

/**
 * What every approval shares, whatever it approves (a change, a catalog request): who decided
 * what, the quorum rules that turn decisions into an outcome, and the rounds of a token wait
 * (request → reminder → escalation). The workflows that wait for these decisions are built from
 * one set of parts in `infra/approval-rounds.ts`.
 */
export const Quorum = z.discriminatedUnion('rule', [
  /** The first decision decides. */
  z.object({ rule: z.literal('any') }),
  /** Everyone must approve; one rejection rejects. */
  z.object({ rule: z.literal('all') }),
  /** N approvals approve; rejected as soon as N can no longer be reached. */
  z.object({ rule: z.literal('n_of_m'), n: z.number().int().min(1).max(50) }),
]);
export type Quorum = z.infer<typeof Quorum>;

export const Decision = z.enum(['approved', 'rejected']);
export type Decision = z.infer<typeof Decision>;

export const ApprovalDecision = z.object({
  by: z.object({ id: z.string(), email: z.string() }),
  decision: Decision,
  comment: z.string().max(2000).default(''),
  at: z.iso.datetime(),
  via: z.enum(['portal', 'mail_link']),
  /** A decision of the escalation group, which decides the step on its own. */
  onBehalf: z.boolean().default(false),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const StepStatus = z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled']);
export type StepStatus = z.infer<typeof StepStatus>;

export const Round = z.enum(['request', 'reminder', 'escalation']);
export type Round = z.infer<typeof Round>;

/**
 * The outcome of a step given its decisions, or `pending`. An escalation approver's decision
 * settles the step alone; otherwise the quorum rule counts the approvers' decisions. An N of M
 * step whose M is below N needs everyone.
 */
export function stepOutcome(step: {
  readonly quorum: Quorum;
  readonly approvers: readonly string[];
  readonly decisions: readonly ApprovalDecision[];
}): StepStatus {
  const onBehalf = step.decisions.find((d) => d.onBehalf);
  if (onBehalf) return onBehalf.decision;
  const counted = step.decisions.filter((d) => step.approvers.includes(d.by.email));
  const approvals = counted.filter((d) => d.decision === 'approved').length;
  const rejections = counted.length - approvals;
  const m = step.approvers.length;
  if (step.quorum.rule === 'any') return counted[0]?.decision ?? 'pending';
  const needed = step.quorum.rule === 'all' ? m : Math.min(step.quorum.n, m);
  if (needed === 0) return 'pending';
  if (approvals >= needed) return 'approved';
  if (m - rejections < needed) return 'rejected';
  return 'pending';
}

/**
 * The step after one more decision by `by`: the decision (on behalf when `by` is not one of the
 * step's approvers — an escalation approver), the status the quorum gives, `decidedAt` once
 * settled, and the next version. The caller has checked that `by` may decide.
 */
export function withDecision<
  S extends {
    readonly quorum: Quorum;
    readonly approvers: readonly string[];
    readonly decisions: readonly ApprovalDecision[];
    readonly status: StepStatus;
    readonly version: number;
  },
>(
  step: S,
  made: Omit<ApprovalDecision, 'onBehalf' | 'comment'> & { readonly comment?: string | undefined },
): { readonly next: S; readonly settled: boolean } {
  const decisions = [
    ...step.decisions,
    { ...made, comment: made.comment ?? '', onBehalf: !step.approvers.includes(made.by.email) },
  ];
  const status = stepOutcome({ ...step, decisions });
  const settled = status !== 'pending';
  return {
    next: {
      ...step,
      decisions,
      status,
      ...(settled ? { decidedAt: made.at } : {}),
      version: step.version + 1,
    },
    settled,
  };
}

/**
 * What every approval step records, whatever it approves: its status and round, the quorum,
 * who may decide (resolved when it was requested; the requester never is), who was asked by
 * name and through which groups, the escalation approvers added later, and the decisions.
 */
export const stepProgress = {
  status: StepStatus,
  round: Round,
  quorum: Quorum,
  approvers: z.array(z.email()).max(100),
  approverPeople: z.array(z.email()).max(100).default([]),
  approverGroups: z.array(z.string().max(64)).max(20).default([]),
  /** Added at escalation: any one of them decides the step. */
  escalationApprovers: z.array(z.email()).max(100).default([]),
  decisions: z.array(ApprovalDecision).max(200).default([]),
  requestedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().optional(),
  version: z.number().int().min(1),
};

/**
 * Hands a settled step's outcome to the workflow round waiting on its task token. A token that
 * is gone (the round timed out just now) is no error: the next round finds the step settled.
 */
export async function answerSettledStep(
  workflow: { answer(taskToken: string, outcome: { decision: Decision }): Promise<void> },
  taskToken: string | undefined,
  outcome: StepStatus,
): Promise<void> {
  if (!taskToken || (outcome !== 'approved' && outcome !== 'rejected')) return;
  try {
    await workflow.answer(taskToken, { decision: outcome });
  } catch (error) {
    if (!(error instanceof TaskTokenGoneError)) throw error;
  }
}

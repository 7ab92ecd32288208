import * as z from 'zod';
import { type Actor, normalizeEmail, systemActor } from '#core/identity/actor.ts';
import type { Page } from '#core/record/record.ts';
import { ConflictError, ForbiddenError, GoneError, NotFoundError } from '#core/shared/errors.ts';
import type { InboxEntry } from '#ports/change-store.ts';
import { answerSettledStep, withDecision } from '../approval/decision.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import {
  type ApprovalRoute,
  type ApprovalStep,
  type Decision,
  type Round,
  type StepId,
  stepApprovers,
  stepsOf,
} from './approval.ts';
import { type Change, riskLevel } from './change.ts';
import { type ChangeDeps, mayView, ref, routeOf, save } from './change-record.ts';
import { canMove } from './lifecycle.ts';

/**
 * Change approvals: the approver's inbox, the workflow's rounds (plan, request, expire,
 * finish) and each approver's decision. Only a quorum of eligible approvers (never the
 * requester or the change's authors) makes the workflow take a change out of `authorize`.
 */

export const DecideInput = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  comment: z.string().trim().max(2000).optional(),
});
export type DecideInput = z.input<typeof DecideInput>;

/** Ends every pending step of a change (cancelled or expired) and empties its inboxes. */
export async function closeSteps(
  deps: ChangeDeps,
  changeId: string,
  attempt: number,
  status: 'cancelled' | 'expired',
  at: string,
) {
  for (const step of await deps.changes.steps(changeId, attempt)) {
    if (step.status !== 'pending') continue;
    // A step someone else wrote meanwhile was settled by them: nothing left to close.
    await lostRace(
      deps.changes.saveStep({ ...step, status, decidedAt: at, version: step.version + 1 }, step.version, {
        inbox: [],
      }),
    );
  }
}

// ——— approvals ———

export async function approvalInbox(
  deps: ChangeDeps,
  actor: Actor,
  cursor?: string,
): Promise<Page<InboxEntry>> {
  return deps.changes.inbox(normalizeEmail(actor.email), { limit: 50, ...(cursor ? { cursor } : {}) });
}

/** What the workflow's first task decides: which branch of the state machine runs. */
export async function planApproval(deps: ChangeDeps, changeId: string): Promise<{ route: ApprovalRoute }> {
  const change = await deps.changes.get(changeId);
  if (!change) throw new NotFoundError(`No change ${changeId}`);
  return { route: routeOf(change) };
}

async function membersOf(deps: ChangeDeps, groups: readonly string[]): Promise<string[]> {
  const emails: string[] = [];
  for (const group of groups) {
    let cursor: string | undefined;
    do {
      const page = await deps.groupStore.listMembers(group, { limit: 100, ...(cursor ? { cursor } : {}) });
      emails.push(...page.items.map((m) => m.email));
      cursor = page.cursor;
    } while (cursor && emails.length < 200);
  }
  return emails;
}

export interface ApprovalRequest {
  readonly change: Change;
  readonly step: ApprovalStep;
  /** Who to mail in this round: everyone asked at the request, those still silent at a reminder, the escalation group at escalation. */
  readonly recipients: readonly string[];
  /** Set when the step was decided already (a decision raced the timeout): answer the token with it at once. */
  readonly decided?: Decision;
}

/** Who may never decide a change: its requester and everyone who wrote or submitted it. */
const mayNotApprove = (change: Change) => new Set([change.requester.email, ...change.contributors]);

/**
 * Opens or renews an approval step for a workflow round of the change's current submission and
 * remembers the task token the decision must answer. The approvers are resolved now; the
 * requester and the change's other authors are never among them. A decision that lands at the
 * same moment makes the round read the step again.
 */
export async function requestApproval(
  deps: ChangeDeps,
  input: { changeId: string; step: StepId; round: Round; taskToken: string },
): Promise<ApprovalRequest> {
  return retried(`The ${input.step} approval of ${input.changeId}`, async () => {
    const change = await deps.changes.get(input.changeId);
    if (!change) throw new NotFoundError(`No change ${input.changeId}`);
    const submission = change.approval.attempt;
    const existing = await deps.changes.getStep(change.id, submission, input.step);
    const now = deps.clock.now().toISOString();
    if (existing && existing.step.status !== 'pending') {
      const decided =
        existing.step.status === 'approved' || existing.step.status === 'rejected'
          ? existing.step.status
          : 'rejected';
      return { change, step: existing.step, recipients: [], decided };
    }
    const excluded = mayNotApprove(change);
    const eligible = (emails: readonly string[]) =>
      [...new Set(emails.map(normalizeEmail))].filter((e) => !excluded.has(e)).slice(0, 50);
    let step: ApprovalStep;
    let recipients: string[];
    if (!existing) {
      const group = await deps.groupStore.getGroup(change.assignmentGroup);
      const who = stepApprovers(input.step, change, deps.settings.approval, group?.managerEmail);
      const approvers = eligible([...who.people, ...(await membersOf(deps, who.groups))]);
      step = {
        changeId: change.id,
        attempt: submission,
        step: input.step,
        status: 'pending',
        round: input.round,
        quorum: who.quorum,
        approvers,
        approverPeople: who.people.map(normalizeEmail),
        approverGroups: [...who.groups],
        escalationApprovers: [],
        decisions: [],
        requestedAt: now,
        version: 1,
      };
      recipients = approvers;
    } else {
      const current = existing.step;
      const decidedBy = new Set(current.decisions.map((d) => d.by.email));
      step = { ...current, round: input.round, version: current.version + 1 };
      recipients = current.approvers.filter((a) => !decidedBy.has(a));
      if (input.round === 'escalation') {
        const escalation = eligible(await membersOf(deps, [deps.settings.approval.escalationGroup])).slice(
          0,
          40,
        );
        step.escalationApprovers = escalation;
        recipients = escalation;
      }
    }
    const inbox = inboxOf(change, step);
    if (
      await lostRace(
        deps.changes.saveStep(step, existing ? existing.step.version : 0, {
          taskToken: input.taskToken,
          inbox,
        }),
      )
    )
      return AGAIN;
    return { change, step, recipients };
  });
}

/** One inbox entry for each approver of a step who has not decided yet. */
const inboxOf = (change: Change, step: ApprovalStep): InboxEntry[] => {
  const decidedBy = new Set(step.decisions.map((d) => d.by.email));
  return [...new Set([...step.approvers, ...step.escalationApprovers])]
    .filter((approver) => !decidedBy.has(approver))
    .map((approver) => inboxEntry(change, step, approver));
};

function inboxEntry(change: Change, step: ApprovalStep, approver: string): InboxEntry {
  const risk = riskLevel(change.risk);
  return {
    approver,
    changeId: change.id,
    number: change.number,
    shortDescription: change.shortDescription,
    type: change.type,
    ...(risk ? { risk } : {}),
    step: step.step,
    round: step.round,
    plannedStart: change.plannedStart,
    plannedEnd: change.plannedEnd,
    requester: change.requester.email,
    requestedAt: step.requestedAt,
  };
}

/**
 * Whether someone may decide a step now: asked by name, or still a member of a group they were
 * asked through (the CAB, the escalation group). Leaving the group ends the right to decide.
 */
async function stillApprover(deps: ChangeDeps, step: ApprovalStep, me: string): Promise<boolean> {
  if (step.approverPeople.includes(me)) return true;
  const asked = step.approvers.includes(me);
  const escalated = step.escalationApprovers.includes(me);
  if (!asked && !escalated) return false;
  const mine = new Set(await deps.groups.groupsOf(me));
  return (
    (asked && step.approverGroups.some((group) => mine.has(group))) ||
    (escalated && mine.has(deps.settings.approval.escalationGroup))
  );
}

export interface DecisionResult {
  readonly step: ApprovalStep;
  /** Whether this decision settled the step (and was handed to the workflow). */
  readonly settled: boolean;
}

/**
 * Records one approver's decision. Concurrent decisions are serialized by the step's version:
 * whoever writes the deciding decision hands the outcome to the workflow, exactly once. A
 * second decision by the same person, or any after the step is settled, is a conflict (409);
 * after it expired, gone (410).
 */
export async function decideApproval(
  deps: ChangeDeps,
  actor: Actor,
  changeId: string,
  stepId: StepId,
  raw: DecideInput,
  via: 'portal' | 'mail_link' = 'portal',
  /** The submission a mailed link was issued for; a link of an earlier one is gone. */
  submission?: number,
): Promise<DecisionResult> {
  const input = DecideInput.parse(raw);
  const me = normalizeEmail(actor.email);
  return retried(`The ${stepId} approval of ${changeId}`, async () => {
    const change = await deps.changes.get(changeId);
    const found = change ? await deps.changes.getStep(changeId, change.approval.attempt, stepId) : undefined;
    if (!found || !change) throw new NotFoundError(`No approval ${stepId} for change ${changeId}`);
    const { step, taskToken } = found;
    const mayDecide = await stillApprover(deps, step, me);
    if (!mayDecide || mayNotApprove(change).has(me)) {
      if (!mayView(actor, change)) throw new NotFoundError(`No approval ${stepId} for change ${changeId}`);
      throw new ForbiddenError(`${actor.email} is not an approver of ${change.number} (${stepId})`);
    }
    if (submission !== undefined && submission !== change.approval.attempt)
      throw new GoneError(`This link was for an earlier submission of ${change.number}`);
    if (step.status === 'expired') throw new GoneError(`The approval of ${change.number} expired`);
    if (step.status === 'cancelled') throw new GoneError(`${change.number} was cancelled`);
    if (step.status !== 'pending')
      throw new ConflictError(`The ${stepId} approval of ${change.number} is already ${step.status}`, {
        status: step.status,
      });
    if (step.decisions.some((d) => d.by.email === me))
      throw new ConflictError(`You already decided on ${change.number}`, { status: step.status });
    // A step still open on a change that no longer waits (cancelled a moment ago) takes no decision.
    if (change.state !== 'authorize' || change.approval.status !== 'pending')
      throw new GoneError(`${change.number} no longer waits for approval (it is ${change.state})`);
    const at = deps.clock.now().toISOString();
    const { next, settled } = withDecision(step, {
      by: { id: actor.id, email: me },
      decision: input.decision,
      comment: input.comment,
      at,
      via,
    });
    const inbox = settled ? [] : inboxOf(change, next);
    if (
      await lostRace(
        deps.changes.saveStep(next, step.version, { ...(taskToken ? { taskToken } : {}), inbox }),
      )
    )
      return AGAIN;
    await deps.changes.audit(change.id, [
      {
        at,
        actor: ref(actor),
        field: `approval.${stepId}`,
        newValue: input.decision,
        ...(input.comment ? { reason: input.comment } : {}),
      },
    ]);
    if (settled) await answerSettledStep(deps.workflow, taskToken, next.status);
    return { step: next, settled };
  });
}

/** The last round timed out: the step expires, unless a decision settled it meanwhile. */
export async function expireApproval(
  deps: ChangeDeps,
  changeId: string,
  stepId: StepId,
): Promise<{ decision: Decision | 'expired' }> {
  return retried(`The ${stepId} approval of ${changeId}`, async () => {
    const change = await deps.changes.get(changeId);
    const found = change ? await deps.changes.getStep(changeId, change.approval.attempt, stepId) : undefined;
    if (!found) return { decision: 'expired' };
    const { step } = found;
    if (step.status === 'approved' || step.status === 'rejected') return { decision: step.status };
    if (step.status !== 'pending') return { decision: 'expired' };
    const lost = await lostRace(
      deps.changes.saveStep(
        { ...step, status: 'expired', decidedAt: deps.clock.now().toISOString(), version: step.version + 1 },
        step.version,
        { inbox: [] },
      ),
    );
    return lost ? AGAIN : { decision: 'expired' as const };
  });
}

/**
 * The workflow's verdict: approved → scheduled, rejected → rejected, expired → back to assess
 * (the requester may submit again). Applied by the system actor, audited like any move.
 */
export async function finishApproval(
  deps: ChangeDeps,
  changeId: string,
  outcome: 'approved' | 'rejected' | 'expired',
): Promise<Change | undefined> {
  return retried(changeId, async () => {
    const change = await deps.changes.get(changeId);
    if (!change) throw new NotFoundError(`No change ${changeId}`);
    if (change.state !== 'authorize' || change.approval.status !== 'pending') return undefined;
    const now = deps.clock.now().toISOString();
    // An approval counts only with every step of the route approved by its approvers: an answer
    // to a task token alone (from someone who read it in a log) schedules nothing.
    const steps = await deps.changes.steps(changeId, change.approval.attempt);
    const route = routeOf(change);
    const unproven =
      outcome === 'approved' &&
      !stepsOf[route].every((id) => steps.find((step) => step.step === id)?.status === 'approved');
    const verdict = unproven ? 'expired' : outcome;
    const to = verdict === 'approved' ? 'scheduled' : verdict === 'rejected' ? 'rejected' : 'assess';
    if (!canMove(change.type, change.state, to, 'workflow'))
      throw new Error(`The workflow cannot move ${change.number} to ${to}`);
    const next: Change = {
      ...change,
      state: to,
      approval: { ...change.approval, status: verdict, decidedAt: now },
      updatedAt: now,
      version: change.version + 1,
    };
    // Steps still open (the other branch of a high-risk approval) close first, so nobody decides a finished approval.
    if (verdict !== 'approved')
      await closeSteps(
        deps,
        changeId,
        change.approval.attempt,
        verdict === 'expired' ? 'expired' : 'cancelled',
        now,
      );
    if (
      await lostRace(
        save(
          deps,
          change,
          next,
          systemActor,
          unproven ? 'the workflow reported an approval its steps do not show' : `approval ${outcome}`,
        ),
      )
    )
      return AGAIN;
    return next;
  });
}

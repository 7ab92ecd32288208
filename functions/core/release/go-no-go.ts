import * as z from 'zod';
import { answerSettledStep, Decision, type Round, withDecision } from '../approval/decision.ts';
import { readSignedLink, signLink } from '../approval/signed-link.ts';
import { type Actor, normalizeEmail, systemActor } from '../identity/actor.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { requireVersion } from '../record/version.ts';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  ValidationError,
} from '../shared/errors.ts';
import type { GoNoGoStep, Release } from './release.ts';
import {
  closeGoNoGoStep,
  managedRelease,
  type ReleaseDeps,
  ref,
  storeRelease,
  visibleRelease,
} from './release-service.ts';

/**
 * The go/no-go decision of a release, on the shared approval parts (`core/approval`: quorum,
 * decisions, signed single-use links) and the same token rounds as change approvals
 * (`infra/approval-rounds.ts`: request → reminder → escalation → expiry). Asked for in test;
 * the go/no-go group decides (any one member; never the release manager); the escalation
 * round adds the change managers, who decide on the group's behalf. The workflow's last task
 * writes the outcome on the release; only an approved go lets it move to deploy.
 */
export const RequestGoNoGoInput = z.strictObject({ version: z.number().int().min(1) });
export const GoNoGoDecideInput = z.strictObject({
  decision: Decision,
  comment: z.string().trim().max(2000).optional(),
});

async function membersOf(deps: ReleaseDeps, group: string): Promise<string[]> {
  const emails: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.groupStore.listMembers(group, { limit: 100, ...(cursor ? { cursor } : {}) });
    emails.push(...page.items.map((m) => normalizeEmail(m.email)));
    cursor = page.cursor;
  } while (cursor && emails.length < 200);
  return emails;
}

/** Asks for a go/no-go decision (the release's managers, in test): starts the workflow. */
export async function requestGoNoGo(
  deps: ReleaseDeps,
  actor: Actor,
  id: string,
  raw: z.input<typeof RequestGoNoGoInput>,
): Promise<Release> {
  const { version } = RequestGoNoGoInput.parse(raw);
  const { release } = await managedRelease(deps, actor, id);
  requireVersion(release, version);
  if (release.stage !== 'test')
    throw new ValidationError(`${release.number} is in ${release.stage}`, [
      { path: 'stage', message: `a go/no-go decision is asked for in test (it is ${release.stage})` },
    ]);
  if (release.goNoGo.status === 'pending' || release.goNoGo.status === 'approved')
    throw new ConflictError(`${release.number}'s go/no-go is ${release.goNoGo.status} already`, release);
  const asked = await storeRelease(deps, actor, release, {
    ...release,
    goNoGo: { status: 'pending', attempt: release.goNoGo.attempt + 1 },
  });
  let executionId: string;
  try {
    ({ executionId } = await deps.workflow.start({ releaseId: release.id }));
  } catch (error) {
    await storeRelease(
      deps,
      systemActor,
      asked,
      {
        ...asked,
        goNoGo: { status: 'not_requested', attempt: asked.goNoGo.attempt },
      },
      'the go/no-go workflow did not start',
    );
    throw error;
  }
  const started: Release = {
    ...asked,
    goNoGo: { ...asked.goNoGo, executionId },
    version: asked.version + 1,
  };
  await deps.releases.update(started, asked.version, []);
  return started;
}

export interface GoNoGoRound {
  readonly release: Release;
  readonly step: GoNoGoStep;
  readonly recipients: readonly string[];
  /** The step was settled already (a decision raced the timeout): answer the token at once. */
  readonly decided?: 'approved' | 'rejected';
}

/** Opens or renews the go/no-go step of the release's current attempt for one workflow round. */
export function openGoNoGoRound(
  deps: ReleaseDeps,
  input: { readonly releaseId: string; readonly round: Round; readonly taskToken: string },
): Promise<GoNoGoRound> {
  return retried(`The go/no-go of ${input.releaseId}`, async () => {
    const found = await deps.releases.get(input.releaseId);
    if (!found) throw new NotFoundError(`No release ${input.releaseId}`);
    const { release } = found;
    const attempt = release.goNoGo.attempt;
    const existing = await deps.releases.getStep(release.id, attempt);
    if (existing && existing.step.status !== 'pending')
      return {
        release,
        step: existing.step,
        recipients: [],
        ...(existing.step.status === 'approved' || existing.step.status === 'rejected'
          ? { decided: existing.step.status }
          : {}),
      };
    const excluded = normalizeEmail(release.manager.email);
    const eligible = (emails: readonly string[]) =>
      [...new Set(emails)].filter((e) => e !== excluded).slice(0, 50);
    const now = deps.clock.now().toISOString();
    let step: GoNoGoStep;
    let recipients: string[];
    if (!existing) {
      const group = deps.releaseSettings.goNoGoGroup;
      const approvers = eligible(await membersOf(deps, group));
      step = {
        releaseId: release.id,
        attempt,
        status: 'pending',
        round: input.round,
        quorum: { rule: 'any' },
        approvers,
        approverPeople: [],
        approverGroups: [group],
        escalationApprovers: [],
        decisions: [],
        requestedAt: now,
        version: 1,
      };
      recipients = approvers;
    } else {
      const decided = new Set(existing.step.decisions.map((d) => d.by.email));
      step = { ...existing.step, round: input.round, version: existing.step.version + 1 };
      recipients = existing.step.approvers.filter((a) => !decided.has(a));
      if (input.round === 'escalation') {
        step.escalationApprovers = eligible(await membersOf(deps, deps.releaseSettings.managersGroup));
        recipients = step.escalationApprovers;
      }
    }
    if (await lostRace(deps.releases.saveStep(step, existing?.step.version ?? 0, input.taskToken)))
      return AGAIN;
    return { release, step, recipients };
  });
}

async function stillApprover(deps: ReleaseDeps, step: GoNoGoStep, me: string): Promise<boolean> {
  const asked = step.approvers.includes(me);
  const escalated = step.escalationApprovers.includes(me);
  if (!asked && !escalated) return false;
  const mine = new Set(await deps.groups.groupsOf(me));
  return (
    (asked && step.approverGroups.some((g) => mine.has(g))) ||
    (escalated && mine.has(deps.releaseSettings.managersGroup))
  );
}

/** One approver's go or no-go. The deciding write hands the outcome to the waiting round once. */
export function decideGoNoGo(
  deps: ReleaseDeps,
  actor: Actor,
  releaseId: string,
  raw: z.input<typeof GoNoGoDecideInput>,
  via: 'portal' | 'mail_link' = 'portal',
): Promise<{ step: GoNoGoStep; settled: boolean }> {
  const input = GoNoGoDecideInput.parse(raw);
  const me = normalizeEmail(actor.email);
  return retried(`The go/no-go of ${releaseId}`, async () => {
    const found = await deps.releases.get(releaseId);
    const current = found ? await deps.releases.getStep(releaseId, found.release.goNoGo.attempt) : undefined;
    if (!found || !current) {
      if (via === 'portal') await visibleRelease(deps, actor, releaseId);
      throw new NotFoundError(`No go/no-go decision is asked for release ${releaseId}`);
    }
    const { release } = found;
    const { step, taskToken } = current;
    if (normalizeEmail(release.manager.email) === me || !(await stillApprover(deps, step, me)))
      throw new ForbiddenError(`${me} does not decide the go/no-go of ${release.number}`);
    if (step.status === 'expired') throw new GoneError(`The go/no-go of ${release.number} expired`);
    if (step.status === 'cancelled') throw new GoneError(`${release.number} no longer waits for a go/no-go`);
    if (step.status !== 'pending')
      throw new ConflictError(`The go/no-go of ${release.number} is ${step.status} already`, {
        status: step.status,
      });
    const at = deps.clock.now().toISOString();
    const { next, settled } = withDecision(step, {
      by: ref(actor),
      decision: input.decision,
      comment: input.comment,
      at,
      via,
    });
    if (await lostRace(deps.releases.saveStep(next, step.version, taskToken))) return AGAIN;
    if (settled) await answerSettledStep(deps.workflow, taskToken, next.status);
    return { step: next, settled };
  });
}

/** The last round timed out: the step expires, unless a decision settled it meanwhile. */
export async function expireGoNoGo(deps: ReleaseDeps, releaseId: string) {
  const found = await deps.releases.get(releaseId);
  if (!found) return { decision: 'expired' as const };
  const step = await closeGoNoGoStep(deps, found.release, 'expired');
  return {
    decision: step?.status === 'approved' || step?.status === 'rejected' ? step.status : ('expired' as const),
  };
}

/**
 * The workflow's last task: the outcome goes on the release (approved, rejected or expired),
 * with the deciding comment as the reason. A release moved on meanwhile (cancelled) keeps its state.
 */
export function finishGoNoGo(
  deps: ReleaseDeps,
  releaseId: string,
  decision: 'approved' | 'rejected' | 'expired',
) {
  return retried(`The go/no-go of ${releaseId}`, async () => {
    const found = await deps.releases.get(releaseId);
    if (!found) throw new NotFoundError(`No release ${releaseId}`);
    const { release } = found;
    if (release.goNoGo.status !== 'pending') return release;
    const step = await deps.releases.getStep(release.id, release.goNoGo.attempt);
    const last = step?.step.decisions.at(-1);
    const reason = last ? `${last.by.email}: ${last.comment || decision}` : `nobody decided in time`;
    const next: Release = {
      ...release,
      goNoGo: { ...release.goNoGo, status: decision, decidedAt: deps.clock.now().toISOString() },
    };
    const stored = storeRelease(deps, systemActor, release, next, reason.slice(0, 2000));
    if (await lostRace(stored)) return AGAIN;
    return stored;
  });
}

// ——— mailed links ———

const LinkPayload = z.strictObject({
  v: z.literal(1),
  kind: z.literal('release'),
  releaseId: z.string().min(1).max(64),
  attempt: z.number().int().min(1),
  approver: z.email(),
  decision: Decision,
  expiresAt: z.iso.datetime(),
  linkId: z.string().min(1).max(64),
});

export const issueGoNoGoLink = (
  deps: ReleaseDeps,
  link: { releaseId: string; attempt: number; approver: string; decision: Decision },
) =>
  signLink(
    { signer: deps.signer, clock: deps.clock, ids: deps.ids },
    { v: 1, kind: 'release', ...link, approver: normalizeEmail(link.approver) },
    deps.releaseSettings.linkValidHours,
  );

/** What the confirmation page shows; reading it neither decides nor uses the link. */
export async function previewGoNoGoLink(deps: ReleaseDeps, token: string) {
  const link = await readSignedLink(deps, token, LinkPayload);
  const found = await deps.releases.get(link.releaseId);
  const step = found ? await deps.releases.getStep(link.releaseId, link.attempt) : undefined;
  if (!found || !step) throw new NotFoundError('This approval link is not valid');
  return {
    link: { approver: link.approver, decision: link.decision, expiresAt: link.expiresAt },
    release: {
      number: found.release.number,
      name: found.release.name,
      plannedStart: found.release.plannedStart,
      plannedEnd: found.release.plannedEnd,
    },
    status: step.step.status,
  };
}

/** Decides through a link (POST only): the link is used up first, so replaying it never decides twice. */
export async function decideGoNoGoByLink(
  deps: ReleaseDeps,
  token: string,
  input: { comment?: string | undefined },
) {
  const link = await readSignedLink(deps, token, LinkPayload);
  const found = await deps.releases.get(link.releaseId);
  if (found && found.release.goNoGo.attempt !== link.attempt)
    throw new GoneError('This link belongs to an earlier go/no-go request');
  if (!(await deps.releases.consumeLink(link.linkId, link.expiresAt)))
    throw new ConflictError('This approval link was used already');
  const approver: Actor = { id: link.approver, email: link.approver, groups: [] };
  return decideGoNoGo(
    deps,
    approver,
    link.releaseId,
    { decision: link.decision, ...(input.comment ? { comment: input.comment } : {}) },
    'mail_link',
  );
}

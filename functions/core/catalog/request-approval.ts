import * as z from 'zod';
import type { LinkSigner } from '#ports/link-signer.ts';
import { answerSettledStep, Decision, withDecision } from '../approval/decision.ts';
import { readSignedLink, signLink } from '../approval/signed-link.ts';
import { type Actor, normalizeEmail } from '../identity/actor.ts';
import type { Page } from '../record/record.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { ConflictError, ForbiddenError, GoneError, NotFoundError } from '../shared/errors.ts';
import {
  type CatalogRequest,
  type RequestApprovalStep,
  type RequestInboxEntry,
  RequestStepKind,
} from './request.ts';
import { approvalsOf, mayViewRequest, type RequestDeps, ref } from './request-service.ts';

/**
 * Approvals of catalog requests, on the shared approval parts (`core/approval`: quorum,
 * decisions, signed single-use links) and the same token rounds as change approvals: the
 * workflow asks for step n (request → reminder → escalation → expiry); any one approver of the
 * step decides it; the requester and the person it is for never approve their own order.
 */
export interface RequestApprovalDeps extends RequestDeps {
  readonly signer: LinkSigner;
}

export const RequestDecideInput = z.strictObject({
  decision: Decision,
  comment: z.string().trim().max(2000).optional(),
});

async function membersOf(deps: RequestDeps, groups: readonly string[]): Promise<string[]> {
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

const summaryOf = (request: CatalogRequest) =>
  request.items
    .map((i) => (i.quantity > 1 ? `${i.quantity} × ${i.name}` : i.name))
    .join(', ')
    .slice(0, 300);

const inboxOf = (request: CatalogRequest, step: RequestApprovalStep): RequestInboxEntry[] => {
  const decidedBy = new Set(step.decisions.map((d) => d.by.email));
  return [...new Set([...step.approvers, ...step.escalationApprovers])]
    .filter((approver) => !decidedBy.has(approver))
    .map((approver) => ({
      approver,
      requestId: request.id,
      number: request.number,
      index: step.index,
      kind: step.kind,
      summary: summaryOf(request),
      requestedFor: request.requestedFor.email,
      ...(request.cost !== undefined ? { cost: request.cost } : {}),
      requestedAt: step.requestedAt,
    }));
};

const mayNotApprove = (request: CatalogRequest) =>
  new Set([request.requester.email, request.requestedFor.email]);

export interface StepRequest {
  readonly request: CatalogRequest;
  readonly step: RequestApprovalStep;
  readonly recipients: readonly string[];
  /** Set when the step was settled already (a decision raced the timeout): answer the token at once. */
  readonly decided?: 'approved' | 'rejected';
}

/** Opens or renews approval step `index` for a workflow round, keeping the token its decision answers. */
export function requestStep(
  deps: RequestDeps,
  input: {
    requestId: string;
    index: number;
    round: 'request' | 'reminder' | 'escalation';
    taskToken: string;
  },
): Promise<StepRequest> {
  return retried(`Approval ${input.index} of ${input.requestId}`, async () => {
    const request = await deps.requests.get(input.requestId);
    if (!request) throw new NotFoundError(`No request ${input.requestId}`);
    const existing = await deps.requests.getStep(request.id, input.index);
    if (existing && existing.step.status !== 'pending')
      return {
        request,
        step: existing.step,
        recipients: [],
        decided: existing.step.status === 'approved' ? 'approved' : 'rejected',
      };
    const excluded = mayNotApprove(request);
    const eligible = (emails: readonly string[]) =>
      [...new Set(emails.map(normalizeEmail))].filter((e) => !excluded.has(e)).slice(0, 50);
    const now = deps.clock.now().toISOString();
    let step: RequestApprovalStep;
    let recipients: string[];
    if (!existing) {
      const planned = (await approvalsOf(deps, request))[input.index - 1];
      if (!planned) throw new NotFoundError(`${request.number} has no approval ${input.index}`);
      let approvers = eligible([...planned.people, ...(await membersOf(deps, planned.groups))]);
      // Nobody left to ask (the manager ordered for themselves): the escalation group decides.
      const groups = approvers.length > 0 ? planned.groups : [deps.settings.escalationGroup];
      if (approvers.length === 0) approvers = eligible(await membersOf(deps, groups));
      step = {
        requestId: request.id,
        index: input.index,
        kind: RequestStepKind.parse(planned.kind),
        status: 'pending',
        round: input.round,
        quorum: { rule: 'any' },
        approvers,
        approverPeople: planned.people.map(normalizeEmail),
        approverGroups: [...groups],
        escalationApprovers: [],
        decisions: [],
        requestedAt: now,
        version: 1,
      };
      recipients = approvers;
    } else {
      const decidedBy = new Set(existing.step.decisions.map((d) => d.by.email));
      step = { ...existing.step, round: input.round, version: existing.step.version + 1 };
      recipients = existing.step.approvers.filter((a) => !decidedBy.has(a));
      if (input.round === 'escalation') {
        step.escalationApprovers = eligible(await membersOf(deps, [deps.settings.escalationGroup])).slice(
          0,
          40,
        );
        recipients = step.escalationApprovers;
      }
    }
    const saved = deps.requests.saveStep(step, existing?.step.version ?? 0, {
      taskToken: input.taskToken,
      inbox: inboxOf(request, step),
    });
    if (await lostRace(saved)) return AGAIN;
    return { request, step, recipients };
  });
}

async function stillApprover(deps: RequestDeps, step: RequestApprovalStep, me: string): Promise<boolean> {
  if (step.approverPeople.includes(me)) return true;
  const asked = step.approvers.includes(me);
  const escalated = step.escalationApprovers.includes(me);
  if (!asked && !escalated) return false;
  const mine = new Set(await deps.groups.groupsOf(me));
  return (
    (asked && step.approverGroups.some((g) => mine.has(g))) ||
    (escalated && mine.has(deps.settings.escalationGroup))
  );
}

/**
 * One approver's decision on step `index`. The deciding write hands the outcome to the
 * workflow exactly once; a rejection's comment becomes the reason mailed to the requester.
 */
export function decideRequestStep(
  deps: RequestDeps,
  actor: Actor,
  requestId: string,
  index: number,
  raw: z.input<typeof RequestDecideInput>,
  via: 'portal' | 'mail_link' = 'portal',
) {
  const input = RequestDecideInput.parse(raw);
  const me = normalizeEmail(actor.email);
  return retried(`Approval ${index} of ${requestId}`, async () => {
    const request = await deps.requests.get(requestId);
    const found = request ? await deps.requests.getStep(requestId, index) : undefined;
    if (!request || !found) throw new NotFoundError(`No approval ${index} for request ${requestId}`);
    const { step, taskToken } = found;
    if (!(await stillApprover(deps, step, me)) || mayNotApprove(request).has(me)) {
      // Someone who may not even see the request learns nothing of it (OWASP API1).
      if (!(await mayViewRequest(deps, actor, request)))
        throw new NotFoundError(`No approval ${index} for request ${requestId}`);
      throw new ForbiddenError(`${me} is not an approver of ${request.number}`);
    }
    if (step.status === 'expired') throw new GoneError(`The approval of ${request.number} expired`);
    if (step.status === 'cancelled' || request.state !== 'awaiting_approval')
      throw new GoneError(`${request.number} no longer waits for approval (it is ${request.state})`);
    if (step.status !== 'pending')
      throw new ConflictError(`Approval ${index} of ${request.number} is already ${step.status}`, {
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
    const saved = deps.requests.saveStep(next, step.version, {
      ...(taskToken ? { taskToken } : {}),
      inbox: settled ? [] : inboxOf(request, next),
    });
    if (await lostRace(saved)) return AGAIN;
    await deps.requests.audit(request.id, [
      {
        at,
        actor: ref(actor),
        field: `approval.${index}`,
        newValue: input.decision,
        ...(input.comment ? { reason: input.comment } : {}),
      },
    ]);
    if (settled) await answerSettledStep(deps.workflow, taskToken, next.status);
    return { step: next, settled };
  });
}

/** The last round timed out: the step expires, unless a decision settled it meanwhile. */
export function expireRequestStep(deps: RequestDeps, requestId: string, index: number) {
  return retried(`Approval ${index} of ${requestId}`, async () => {
    const found = await deps.requests.getStep(requestId, index);
    if (!found) return { decision: 'expired' as const };
    const { step } = found;
    if (step.status === 'approved' || step.status === 'rejected') return { decision: step.status };
    if (step.status !== 'pending') return { decision: 'expired' as const };
    const expired = {
      ...step,
      status: 'expired' as const,
      decidedAt: deps.clock.now().toISOString(),
      version: step.version + 1,
    };
    if (await lostRace(deps.requests.saveStep(expired, step.version, { inbox: [] }))) return AGAIN;
    return { decision: 'expired' as const };
  });
}

/** Why a request was rejected: the rejecting approver's comment. */
export async function rejectionReason(deps: RequestDeps, requestId: string): Promise<string | undefined> {
  const rejected = (await deps.requests.steps(requestId))
    .flatMap((s) => s.decisions)
    .find((d) => d.decision === 'rejected');
  return rejected ? rejected.comment || `Rejected by ${rejected.by.email}` : undefined;
}

/** Ends every step still open (the request was rejected, expired or cancelled) and empties the inboxes. */
export async function closeRequestSteps(
  deps: RequestDeps,
  requestId: string,
  status: 'cancelled' | 'expired',
) {
  const at = deps.clock.now().toISOString();
  for (const step of await deps.requests.steps(requestId))
    if (step.status === 'pending')
      await lostRace(
        deps.requests.saveStep({ ...step, status, decidedAt: at, version: step.version + 1 }, step.version, {
          inbox: [],
        }),
      );
}

export function requestInbox(
  deps: RequestDeps,
  actor: Actor,
  cursor?: string,
): Promise<Page<RequestInboxEntry>> {
  return deps.requests.inbox(normalizeEmail(actor.email), { limit: 50, ...(cursor ? { cursor } : {}) });
}

// ——— mailed links ———

const LinkPayload = z.strictObject({
  v: z.literal(1),
  kind: z.literal('request'),
  requestId: z.string().min(1).max(64),
  index: z.number().int().min(1),
  approver: z.email(),
  decision: Decision,
  expiresAt: z.iso.datetime(),
  linkId: z.string().min(1).max(64),
});

export const issueRequestLink = (
  deps: RequestApprovalDeps,
  link: { requestId: string; index: number; approver: string; decision: Decision },
) =>
  signLink(
    deps,
    { v: 1, kind: 'request', ...link, approver: normalizeEmail(link.approver) },
    deps.settings.linkValidHours,
  );

/** What the confirmation page shows; reading it neither decides nor uses the link. */
export async function previewRequestLink(deps: RequestApprovalDeps, token: string) {
  const link = await readSignedLink(deps, token, LinkPayload);
  const [request, found] = await Promise.all([
    deps.requests.get(link.requestId),
    deps.requests.getStep(link.requestId, link.index),
  ]);
  if (!request || !found) throw new NotFoundError('This approval link is not valid');
  return {
    link: {
      requestId: link.requestId,
      index: link.index,
      approver: link.approver,
      decision: link.decision,
      expiresAt: link.expiresAt,
    },
    request: {
      number: request.number,
      summary: summaryOf(request),
      requestedFor: request.requestedFor.email,
      ...(request.cost !== undefined ? { cost: request.cost } : {}),
    },
    status: found.step.status,
  };
}

/** Decides through a link (POST only): the link is used up first, so replaying it never decides twice. */
export async function decideRequestByLink(
  deps: RequestApprovalDeps,
  token: string,
  input: { comment?: string | undefined },
) {
  const link = await readSignedLink(deps, token, LinkPayload);
  if (!(await deps.requests.consumeLink(link.linkId, link.expiresAt)))
    throw new ConflictError('This approval link was used already');
  const approver: Actor = { id: link.approver, email: link.approver, groups: [] };
  return decideRequestStep(
    deps,
    approver,
    link.requestId,
    link.index,
    { decision: link.decision, ...(input.comment ? { comment: input.comment } : {}) },
    'mail_link',
  );
}

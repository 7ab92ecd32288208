import * as z from 'zod';
import { type Actor, normalizeEmail } from '#core/identity/actor.ts';
import { ConflictError, NotFoundError } from '#core/shared/errors.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import { readSignedLink, signLink } from '../approval/signed-link.ts';
import { Decision, StepId } from './approval.ts';
import { type DecisionResult, decideApproval } from './approval-service.ts';
import type { ChangeDeps } from './change-record.ts';

/**
 * Approve / reject links in approval mail (DESIGN §6): signed, expiring and single-use. The
 * link opens a confirmation page; only its POST decides, because mail scanners follow GET
 * links. The token is `<payload>~<mac>`, the payload base64url JSON naming the change, the
 * step, the approver, the decision offered, the expiry and a link id used once.
 */
export interface ApprovalLinkDeps extends ChangeDeps {
  readonly signer: LinkSigner;
}

const LinkPayload = z.strictObject({
  v: z.literal(1),
  changeId: z.string().min(1).max(64),
  /** The submission for approval the link belongs to. */
  attempt: z.number().int().min(1),
  step: StepId,
  approver: z.email(),
  decision: Decision,
  expiresAt: z.iso.datetime(),
  linkId: z.string().min(1).max(64),
});
export type ApprovalLink = z.infer<typeof LinkPayload>;

export async function issueApprovalLink(
  deps: ApprovalLinkDeps,
  link: Omit<ApprovalLink, 'v' | 'expiresAt' | 'linkId'>,
  validHours: number,
): Promise<string> {
  return signLink(deps, { v: 1, ...link, approver: normalizeEmail(link.approver) }, validHours);
}

/** The link's content if its signature holds; a forged or mangled link names nothing (404), an old one is gone (410). */
export const readApprovalLink = (deps: ApprovalLinkDeps, token: string): Promise<ApprovalLink> =>
  readSignedLink(deps, token, LinkPayload);

export interface LinkPreview {
  readonly link: Pick<ApprovalLink, 'changeId' | 'step' | 'approver' | 'decision' | 'expiresAt'>;
  readonly change: {
    number: string;
    shortDescription: string;
    type: string;
    plannedStart: string;
    plannedEnd: string;
    requester: string;
  };
  readonly status: string;
}

/** What the confirmation page shows; reading it neither decides nor uses the link. */
export async function previewApprovalLink(deps: ApprovalLinkDeps, token: string): Promise<LinkPreview> {
  const link = await readApprovalLink(deps, token);
  const [change, found] = await Promise.all([
    deps.changes.get(link.changeId),
    deps.changes.getStep(link.changeId, link.attempt, link.step),
  ]);
  if (!change || !found) throw new NotFoundError('This approval link is not valid');
  return {
    link: {
      changeId: link.changeId,
      step: link.step,
      approver: link.approver,
      decision: link.decision,
      expiresAt: link.expiresAt,
    },
    change: {
      number: change.number,
      shortDescription: change.shortDescription,
      type: change.type,
      plannedStart: change.plannedStart,
      plannedEnd: change.plannedEnd,
      requester: change.requester.email,
    },
    status: found.step.status,
  };
}

/** Decides through a link: the link is used up first, so replaying it can never decide twice. */
export async function decideByLink(
  deps: ApprovalLinkDeps,
  token: string,
  input: { comment?: string | undefined },
): Promise<DecisionResult> {
  const link = await readApprovalLink(deps, token);
  if (!(await deps.changes.consumeLink(link.linkId, link.expiresAt)))
    throw new ConflictError('This approval link was used already');
  const approver: Actor = { id: link.approver, email: link.approver, groups: [] };
  return decideApproval(
    deps,
    approver,
    link.changeId,
    link.step,
    { decision: link.decision, ...(input.comment ? { comment: input.comment } : {}) },
    'mail_link',
    link.attempt,
  );
}

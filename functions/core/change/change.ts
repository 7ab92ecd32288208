import * as z from 'zod';
import { GroupId } from '#core/group/group.ts';
import { ActorRef, Label, Person, RecordNumber } from '#core/record/record.ts';

/**
 * The change record (DESIGN §6). A standard change comes from a pre-approved template and
 * needs no CAB; a normal change is risk-assessed and approved; an emergency change goes to the
 * emergency CAB with a short timeout. Affected services and configuration items are plain
 * references until the CMDB exists.
 */
export const ChangeType = z.enum(['standard', 'normal', 'emergency']);
export type ChangeType = z.infer<typeof ChangeType>;

export const ChangeState = z.enum([
  'new',
  'assess',
  'authorize',
  'scheduled',
  'implement',
  'review',
  'closed',
  'rejected',
  'cancelled',
  'failed',
  'backed_out',
]);
export type ChangeState = z.infer<typeof ChangeState>;

export const RiskLevel = z.enum(['low', 'medium', 'high']);
export type RiskLevel = z.infer<typeof RiskLevel>;

export const Risk = z.object({
  /** The questionnaire's score, or undefined before it was answered. */
  score: z.number().int().min(0).optional(),
  /** The level the questionnaire gave (or the template's, for a standard change). */
  assessed: RiskLevel.optional(),
  /** Question id → chosen option id. */
  answers: z.record(z.string().max(64), z.string().max(64)).default({}),
  /** An agent's override of the assessed level, with the reason (also in the history). */
  override: z
    .object({ level: RiskLevel, reason: z.string().min(1).max(1000), by: ActorRef, at: z.iso.datetime() })
    .optional(),
});
export type Risk = z.infer<typeof Risk>;

/**
 * The CMDB's view of a change, read when it is submitted: the names of its linked CIs, the
 * business services they reach, and the points a critical one added to the risk score.
 */
export const ChangeCmdb = z.object({
  cis: z.array(z.string().max(200)).max(100),
  services: z
    .array(z.object({ id: z.string().max(64), name: z.string().max(200), criticality: z.string().max(16) }))
    .max(100),
  riskWeight: z.number().int().min(0),
  at: z.iso.datetime(),
});
export type ChangeCmdb = z.infer<typeof ChangeCmdb>;

/** The level that counts: the override when there is one, else the assessment. */
export const riskLevel = (risk: Risk): RiskLevel | undefined => risk.override?.level ?? risk.assessed;

export const ApprovalStatus = z.enum([
  'not_requested',
  'pending',
  'approved',
  'rejected',
  'expired',
  'cancelled',
]);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const CloseCode = z.enum(['successful', 'successful_with_issues', 'unsuccessful']);

/** Plain-text fields of a change plan: long enough for a real runbook, bounded for DynamoDB. */
const Plan = z.string().trim().min(1, 'is required').max(20_000);

export const Change = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  type: ChangeType,
  /** The standard change template it was created from. */
  templateId: z.string().max(64).optional(),
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(10_000).default(''),
  justification: Plan,
  implementationPlan: Plan,
  backoutPlan: Plan,
  testPlan: Plan,
  plannedStart: z.iso.datetime(),
  plannedEnd: z.iso.datetime(),
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  assignmentGroup: GroupId,
  assignee: Person.optional(),
  requester: Person,
  state: ChangeState,
  risk: Risk,
  /** What the CMDB said of the change when it was last submitted for approval. */
  cmdb: ChangeCmdb.optional(),
  approval: z.object({
    status: ApprovalStatus,
    /**
     * Which submission for approval this is (1, 2, …). Approval steps, inbox entries and mailed
     * links belong to one attempt, so a resubmitted change is decided afresh.
     */
    attempt: z.number().int().min(0).default(0),
    /** The Step Functions execution deciding it, while and after it runs. */
    executionId: z.string().max(2048).optional(),
    route: z.string().max(32).optional(),
    decidedAt: z.iso.datetime().optional(),
  }),
  /**
   * Everyone who wrote the plan or the risk, or submitted the change: none of them may approve it
   * (separation of duties, beyond the requester).
   */
  contributors: z.array(z.email()).max(100).default([]),
  /** An emergency change inside a freeze window carries the justification, as it is recorded. */
  freezeJustification: z.string().min(1).max(2000).optional(),
  closeCode: CloseCode.optional(),
  closeNotes: z.string().max(4000).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Change = z.infer<typeof Change>;

/** Longest planned window: the change calendar reads back one month further than the range asked for. */
export const MAX_CHANGE_WINDOW_DAYS = 31;

/** A freeze (blackout) window: no standard or normal change may be planned inside it. */
export const FreezeWindow = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1).max(100),
  reason: z.string().trim().max(1000).default(''),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** Services it applies to; empty means every service. */
  services: z.array(Label).max(20).default([]),
  createdBy: ActorRef,
  createdAt: z.iso.datetime(),
});
export type FreezeWindow = z.infer<typeof FreezeWindow>;

/** A pre-approved standard change: the plans are fixed, the risk is low by definition. */
export const ChangeTemplate = z.object({
  id: GroupId,
  name: z.string().trim().min(1).max(100),
  shortDescription: z.string().min(1).max(160),
  justification: Plan,
  implementationPlan: Plan,
  backoutPlan: Plan,
  testPlan: Plan,
  assignmentGroup: GroupId,
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  createdAt: z.iso.datetime(),
});
export type ChangeTemplate = z.infer<typeof ChangeTemplate>;

/** An immutable record of one change to a change record (the ticket audit entry's twin). */
export const ChangeAuditEntry = z.object({
  changeId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: ActorRef,
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(2000).optional(),
});
export type ChangeAuditEntry = z.infer<typeof ChangeAuditEntry>;

/**
 * A change in a list or on the calendar: everything but the long texts (description and plans),
 * so a page of changes stays small whatever their plans hold. The change itself has them.
 */
export const ChangeSummary = Change.omit({
  description: true,
  justification: true,
  implementationPlan: true,
  backoutPlan: true,
  testPlan: true,
  closeNotes: true,
});
export type ChangeSummary = z.infer<typeof ChangeSummary>;

export function summarizeChange(change: Change): ChangeSummary {
  const {
    description: _d,
    justification: _j,
    implementationPlan: _i,
    backoutPlan: _b,
    testPlan: _t,
    closeNotes: _c,
    ...summary
  } = change;
  return summary;
}

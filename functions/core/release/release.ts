import * as z from 'zod';
import { stepProgress } from '../approval/decision.ts';
import { type AuditDraft, type AuditSpec, auditDiff } from '../record/audit.ts';
import {
  allowedMoves,
  isFinalState,
  type LifecycleTable,
  mayMove,
  movesFrom,
  requiredFields,
} from '../record/lifecycle.ts';
import { type ActorRef, Label, Person, RecordNumber } from '../record/record.ts';
import { ValidationError } from '../shared/errors.ts';

/**
 * Release management (ITIL): a set of changes delivered together in a planned window, moved
 * through its stages plan → build → test → deploy → review → closed. Going to deploy needs an
 * approved go/no-go decision (the approval parts of `core/approval`, the same token rounds as
 * change approvals). Numbering, versions, history, lifecycle rules and links come from the
 * record kernel; the changes of a release are generic record links (`part_of`).
 */
export const ReleaseStage = z.enum(['plan', 'build', 'test', 'deploy', 'review', 'closed', 'cancelled']);
export type ReleaseStage = z.infer<typeof ReleaseStage>;

export const GoNoGoStatus = z.enum([
  'not_requested',
  'pending',
  'approved',
  'rejected',
  'expired',
  'cancelled',
]);
export type GoNoGoStatus = z.infer<typeof GoNoGoStatus>;

export const Release = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  name: z.string().min(1).max(160),
  /** The version it ships, as the teams name it (`2026.12`, `v4.2.0`). */
  versionLabel: z.string().max(40).optional(),
  description: z.string().max(10_000).default(''),
  plannedStart: z.iso.datetime(),
  plannedEnd: z.iso.datetime(),
  services: z.array(Label).max(20).default([]),
  stage: ReleaseStage,
  manager: Person,
  goNoGo: z.object({
    status: GoNoGoStatus,
    /** Which request for a decision this is (1, 2, …); steps and mailed links belong to one attempt. */
    attempt: z.number().int().min(0).default(0),
    executionId: z.string().max(2048).optional(),
    decidedAt: z.iso.datetime().optional(),
  }),
  cancelReason: z.string().max(2000).optional(),
  closeNotes: z.string().max(4000).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Release = z.infer<typeof Release>;

export const ReleaseAuditEntry = z.object({
  releaseId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: z.object({ id: z.string(), email: z.string() }),
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(2000).optional(),
});
export type ReleaseAuditEntry = z.infer<typeof ReleaseAuditEntry>;

/** The go/no-go step of one attempt: who may decide, their decisions, and the outcome. */
export const GoNoGoStep = z.object({
  releaseId: z.string().min(1).max(64),
  attempt: z.number().int().min(1),
  ...stepProgress,
});
export type GoNoGoStep = z.infer<typeof GoNoGoStep>;

// ——— lifecycle ———

/** `manager`: a change manager, an admin or the release's own manager; `system`: Spoke itself. */
export type ReleaseRole = 'manager' | 'system';

const forward: Readonly<Record<ReleaseStage, readonly ReleaseStage[]>> = {
  plan: ['build', 'cancelled'],
  build: ['test', 'plan', 'cancelled'],
  test: ['deploy', 'build', 'cancelled'],
  deploy: ['review'],
  review: ['closed'],
  closed: [],
  cancelled: [],
};

const requires: Partial<Record<ReleaseStage, readonly string[]>> = {
  cancelled: ['cancelReason'],
  closed: ['closeNotes'],
};

export const releaseLifecycle: LifecycleTable<ReleaseStage, ReleaseRole> = {
  states: ReleaseStage.options,
  initial: 'plan',
  roles: ['manager', 'system'],
  moves: movesFrom(forward, ['manager'], requires),
};

export const nextReleaseStages = (stage: ReleaseStage, role: ReleaseRole): ReleaseStage[] =>
  allowedMoves(releaseLifecycle, stage, role);

/** States in which a release still occupies its window on the calendar. */
export const activeReleaseStages: readonly ReleaseStage[] = ['plan', 'build', 'test', 'deploy', 'review'];

export interface ReleaseMove {
  readonly to: ReleaseStage;
  readonly cancelReason?: string | undefined;
  readonly closeNotes?: string | undefined;
}

/**
 * The record after a move: refused (400, naming the field) when the table does not allow it,
 * when a required field is missing, or when deploy is asked for without an approved go.
 */
export function applyReleaseMove(current: Release, move: ReleaseMove, role: ReleaseRole): Release {
  if (
    isFinalState(releaseLifecycle, current.stage) ||
    !mayMove(releaseLifecycle, current.stage, move.to, role)
  )
    throw new ValidationError(`A release cannot move from ${current.stage} to ${move.to}`, [
      {
        path: 'to',
        message: `from ${current.stage} only ${nextReleaseStages(current.stage, role).join(', ') || 'nothing'}`,
      },
    ]);
  if (move.to === 'deploy' && current.goNoGo.status !== 'approved')
    throw new ValidationError(`${current.number} has no approved go decision`, [
      {
        path: 'to',
        message: `deploy needs an approved go/no-go decision (it is ${current.goNoGo.status.replace('_', ' ')})`,
      },
    ]);
  const next: Release = {
    ...current,
    ...(move.cancelReason ? { cancelReason: move.cancelReason } : {}),
    ...(move.closeNotes ? { closeNotes: move.closeNotes } : {}),
    stage: move.to,
  };
  const missing = requiredFields(releaseLifecycle, current.stage, move.to).filter(
    (field) => !next[field as keyof Release],
  );
  if (missing.length > 0)
    throw new ValidationError(`Moving to ${move.to} needs ${missing.join(', ')}`, [
      ...missing.map((path) => ({ path, message: `is required to move to ${move.to}` })),
    ]);
  // Going back before test asks for a fresh decision: what was approved is no longer what ships.
  if ((move.to === 'build' || move.to === 'plan') && current.goNoGo.status !== 'not_requested')
    next.goNoGo = { status: 'not_requested', attempt: current.goNoGo.attempt };
  return next;
}

export const releaseAudit: AuditSpec<Release> = [
  'stage',
  'name',
  'versionLabel',
  'description',
  'plannedStart',
  'plannedEnd',
  'services',
  { field: 'manager', value: (r) => r.manager.email },
  { field: 'goNoGo', value: (r) => r.goNoGo.status },
  'cancelReason',
  'closeNotes',
];

export const diffReleases = (
  before: Release,
  after: Release,
  write: { readonly actor: ActorRef; readonly at: string; readonly reason?: string | undefined },
): AuditDraft[] => auditDiff(releaseAudit, before, after, write);

export interface ReleaseSettings {
  /** Group of the change managers: they create and move releases (as they manage changes). @default 'change-managers' */
  readonly managersGroup: string;
  /** Group whose members decide go/no-go. @default 'cab' */
  readonly goNoGoGroup: string;
  /** How long a mailed decision link stays valid. @default 72 */
  readonly linkValidHours: number;
}

export const defaultReleaseSettings: ReleaseSettings = {
  managersGroup: 'change-managers',
  goNoGoGroup: 'cab',
  linkValidHours: 72,
};

/** Longest planned window of a release: the calendar reads back this far before the range asked for. */
export const MAX_RELEASE_WINDOW_DAYS = 92;

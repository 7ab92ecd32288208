import { type Actor, isAdmin, isAgent, normalizeEmail } from '#core/identity/actor.ts';
import { type AuditSpec, auditDiff, updatedEvent } from '#core/record/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#core/shared/errors.ts';
import type { ChangeStore } from '#ports/change-store.ts';
import type { ChangeWorkflow } from '#ports/change-workflow.ts';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { GroupStore } from '#ports/group-store.ts';
import { ApprovalRoute, type ApprovalSettings, approvalRoute } from './approval.ts';
import { type Change, type ChangeCmdb, riskLevel } from './change.ts';
import type { RiskQuestionnaire } from './risk.ts';

/**
 * Change management: create, assess, submit for approval, decide, schedule, implement,
 * review, close. People move a change along its lifecycle; only the approval workflow takes
 * it out of `authorize`, and only a quorum of eligible approvers (never the requester) makes
 * the workflow do so.
 */
export interface ChangeSettings {
  readonly questionnaire: RiskQuestionnaire;
  readonly approval: ApprovalSettings;
}

export interface ChangeDeps {
  readonly changes: ChangeStore;
  readonly events: DomainEventPublisher;
  readonly workflow: ChangeWorkflow;
  readonly groupStore: GroupStore;
  /** Whom each person belongs to now: an approver who left the CAB no longer decides for it. */
  readonly groups: GroupDirectory;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: ChangeSettings;
  /** The CMDB, when wired: the services a change's CIs reach (risk, CAB mail, conflicts). */
  readonly cmdb?: ChangeCmdbReader;
}

/** What the change module asks of the CMDB (wired by the composition root; no import of the CMDB here). */
export interface ChangeCmdbReader {
  /** The names of the change's linked CIs and the business services they reach. */
  facts(changeId: string): Promise<Pick<ChangeCmdb, 'cis' | 'services'>>;
  /** Points a critical business service adds to the risk score (account config `cmdb.criticalServiceRiskWeight`). */
  readonly criticalWeight: number;
}

export const DAY_MS = 24 * 3600 * 1000;
export const iso = (value: string) => new Date(value).toISOString();
export const ref = (actor: Actor) => ({ id: actor.id, email: actor.email });
export const withContributor = (change: Change, actor: Actor) => [
  ...new Set([...change.contributors, normalizeEmail(actor.email)]),
];

/** Agents and admins work changes; approvers and admins decide them; employees see none. */
export const isApproverRole = (actor: Actor) => actor.groups.includes('approvers') || isAdmin(actor);
export const mayView = (actor: Actor, change: Change) =>
  isAgent(actor) || isApproverRole(actor) || normalizeEmail(actor.email) === change.requester.email;

export function requireAgent(actor: Actor): void {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents create and work changes');
}

export function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins manage freeze windows and change templates');
}

export async function requireGroup(deps: ChangeDeps, id: string, path: string): Promise<void> {
  if (!(await deps.groupStore.existingGroups([id])).has(id))
    throw new ValidationError(`No group ${id}`, [{ path, message: `names no group: ${id}` }]);
}

/** Loads a change the actor may see, or 404s. */
export async function load(deps: ChangeDeps, actor: Actor, id: string): Promise<Change> {
  const change = await deps.changes.get(id);
  if (!change || !mayView(actor, change)) throw new NotFoundError(`No change ${id}`);
  return change;
}

/** Fields of the plan: editable only while the change is new or being assessed. */
export const PLAN_FIELDS = [
  'shortDescription',
  'description',
  'justification',
  'implementationPlan',
  'backoutPlan',
  'testPlan',
  'plannedStart',
  'plannedEnd',
  'services',
  'configurationItems',
  'assignmentGroup',
] as const;

/** What the history of a change follows (the kernel's audit diff does the rest). */
export const changeAudit: AuditSpec<Change> = [
  ...PLAN_FIELDS,
  'assignee',
  'state',
  'freezeJustification',
  'closeCode',
  'closeNotes',
  {
    field: 'risk',
    compare: (change) => change.risk,
    value: (change) => riskLevel(change.risk),
    reason: (_, after) => after.risk.override?.reason ?? `questionnaire score ${after.risk.score ?? '-'}`,
  },
  { field: 'approval', value: (change) => change.approval.status, reason: () => undefined },
];

/** Stores a change with its audit entries, then publishes `change.updated` with what changed. */
export async function save(
  deps: ChangeDeps,
  before: Change,
  after: Change,
  actor: Actor,
  reason?: string,
): Promise<Change> {
  const audit = auditDiff(changeAudit, before, after, { actor, at: after.updatedAt, reason });
  await deps.changes.update(after, before.version, audit);
  const events = updatedEvent('change.updated', { changeId: after.id, number: after.number }, audit, {
    ids: deps.ids,
    at: after.updatedAt,
  });
  if (events.length > 0) await deps.events.publish(events);
  return after;
}

/** The route a change was submitted on (worked out again for one stored without it). */
export const routeOf = (change: Change) =>
  ApprovalRoute.catch(approvalRoute(change)).parse(change.approval.route);

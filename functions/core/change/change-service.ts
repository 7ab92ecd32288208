import * as z from 'zod';
import { GroupId } from '#core/group/group.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail, systemActor } from '#core/identity/actor.ts';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  ValidationError,
} from '#core/shared/errors.ts';
import { Label } from '#core/ticket/ticket.ts';
import type { ChangeAuditDraft, ChangeStore, InboxEntry } from '#ports/change-store.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { Page } from '#ports/ticket-store.ts';
import { requireChangeWorker } from './access.ts';
import {
  ApprovalRoute,
  type ApprovalSettings,
  type ApprovalStep,
  approvalRoute,
  type Decision,
  type Round,
  type StepId,
  stepApprovers,
  stepOutcome,
  stepsOf,
} from './approval.ts';
import {
  type Change,
  ChangeState,
  type ChangeSummary,
  ChangeTemplate,
  ChangeType,
  CloseCode,
  type FreezeWindow,
  MAX_CHANGE_WINDOW_DAYS,
  RiskLevel,
  riskLevel,
  summarizeChange,
} from './change.ts';
import { canMove, isFinalChange } from './lifecycle.ts';
import { assessRisk, type RiskQuestionnaire } from './risk.ts';
import { type ChangeConflict, conflictsOf, freezesHit } from './schedule.ts';

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
}

const Email = z.email().max(254).transform(normalizeEmail);
const Plan = z.string().trim().min(1, 'is required').max(20_000);
const RiskAnswers = z.record(z.string().max(64), z.string().max(64));

export const CreateChangeInput = z.strictObject({
  type: ChangeType,
  /** Required for a standard change: the plans come from the template. */
  templateId: GroupId.optional(),
  shortDescription: z.string().trim().min(1, 'is required').max(160).optional(),
  description: z.string().max(10_000).optional(),
  justification: Plan.optional(),
  implementationPlan: Plan.optional(),
  backoutPlan: Plan.optional(),
  testPlan: Plan.optional(),
  plannedStart: z.iso.datetime({ offset: true }),
  plannedEnd: z.iso.datetime({ offset: true }),
  services: z.array(Label).max(20).optional(),
  configurationItems: z.array(Label).max(50).optional(),
  assignmentGroup: GroupId.optional(),
  riskAnswers: RiskAnswers.optional(),
  freezeJustification: z.string().trim().min(1).max(2000).optional(),
});
export type CreateChangeInput = z.input<typeof CreateChangeInput>;

export const UpdateChangeInput = z.strictObject({
  version: z.number().int().min(1),
  shortDescription: z.string().trim().min(1, 'is required').max(160).optional(),
  description: z.string().max(10_000).optional(),
  justification: Plan.optional(),
  implementationPlan: Plan.optional(),
  backoutPlan: Plan.optional(),
  testPlan: Plan.optional(),
  plannedStart: z.iso.datetime({ offset: true }).optional(),
  plannedEnd: z.iso.datetime({ offset: true }).optional(),
  services: z.array(Label).max(20).optional(),
  configurationItems: z.array(Label).max(50).optional(),
  assignmentGroup: GroupId.optional(),
  assignee: Email.nullable().optional(),
  riskAnswers: RiskAnswers.optional(),
  riskOverride: z
    .strictObject({ level: RiskLevel, reason: z.string().trim().min(1, 'is required').max(1000) })
    .nullable()
    .optional(),
  freezeJustification: z.string().trim().min(1).max(2000).optional(),
});
export type UpdateChangeInput = z.input<typeof UpdateChangeInput>;

export const MoveChangeInput = z.strictObject({
  version: z.number().int().min(1),
  to: ChangeState,
  /** Why: required to cancel, to fail or back out a change. */
  reason: z.string().trim().min(1).max(2000).optional(),
  closeCode: CloseCode.optional(),
  closeNotes: z.string().trim().min(1).max(4000).optional(),
});
export type MoveChangeInput = z.input<typeof MoveChangeInput>;

export const DecideInput = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  comment: z.string().trim().max(2000).optional(),
});
export type DecideInput = z.input<typeof DecideInput>;

export const CalendarQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});

export const CreateFreezeInput = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100),
  reason: z.string().trim().max(1000).optional(),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  services: z.array(Label).max(20).optional(),
});

export const CreateTemplateInput = ChangeTemplate.omit({ createdAt: true }).strict();

const PLAN_FIELDS = [
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

/** What a standard change takes from its template and nobody may set or edit. */
const TEMPLATE_FIELDS = [
  'shortDescription',
  'justification',
  'implementationPlan',
  'backoutPlan',
  'testPlan',
  'services',
  'configurationItems',
  'assignmentGroup',
] as const;

/** Refuses, naming each, the fields a standard change's template fixes (and the risk fields given). */
function refuseTemplateFields(input: object, riskFields: readonly string[], message: string): void {
  const fixed = [...TEMPLATE_FIELDS, ...riskFields].filter(
    (field) => (input as Record<string, unknown>)[field] !== undefined,
  );
  if (fixed.length > 0)
    throw new ValidationError(
      message,
      fixed.map((path) => ({ path, message: 'comes from the template of a standard change' })),
    );
}

const DAY_MS = 24 * 3600 * 1000;
const iso = (value: string) => new Date(value).toISOString();
const ref = (actor: Actor) => ({ id: actor.id, email: actor.email });
const withContributor = (change: Change, actor: Actor) => [
  ...new Set([...change.contributors, normalizeEmail(actor.email)]),
];

/** Agents and admins work changes; approvers and admins decide them; employees see none. */
const isApproverRole = (actor: Actor) => actor.groups.includes('approvers') || isAdmin(actor);
const mayView = (actor: Actor, change: Change) =>
  isAgent(actor) || isApproverRole(actor) || normalizeEmail(actor.email) === change.requester.email;

function requireAgent(actor: Actor): void {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents create and work changes');
}

function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins manage freeze windows and change templates');
}

function checkWindow(start: string, end: string): void {
  const span = Date.parse(end) - Date.parse(start);
  if (!(span > 0))
    throw new ValidationError('The planned end must be after the planned start', [
      { path: 'plannedEnd', message: 'must be after plannedStart' },
    ]);
  if (span > MAX_CHANGE_WINDOW_DAYS * DAY_MS)
    throw new ValidationError('The planned window is too long', [
      { path: 'plannedEnd', message: `must be at most ${MAX_CHANGE_WINDOW_DAYS} days after plannedStart` },
    ]);
}

async function checkFreezes(deps: ChangeDeps, change: Change): Promise<void> {
  const hit = freezesHit(change, await deps.changes.freezes(change.plannedStart, change.plannedEnd));
  if (hit.length === 0) return;
  const names = hit.map((f) => `“${f.name}”`).join(', ');
  if (change.type !== 'emergency')
    throw new ValidationError(`The planned window falls in the freeze window ${names}`, [
      {
        path: 'plannedStart',
        message: `falls in the freeze window ${names}; only an emergency change may be planned in a freeze`,
      },
    ]);
  if (!change.freezeJustification)
    throw new ValidationError(`An emergency change in the freeze window ${names} needs a justification`, [
      { path: 'freezeJustification', message: `is required inside the freeze window ${names}` },
    ]);
}

function assessed(deps: ChangeDeps, answers: Record<string, string>) {
  const result = assessRisk(deps.settings.questionnaire, answers);
  if (!result.ok) throw new ValidationError('The risk questionnaire is incomplete', result.problems);
  return { score: result.assessment.score, assessed: result.assessment.level, answers };
}

async function requireGroup(deps: ChangeDeps, id: string, path: string): Promise<void> {
  if (!(await deps.groupStore.existingGroups([id])).has(id))
    throw new ValidationError(`No group ${id}`, [{ path, message: `names no group: ${id}` }]);
}

export async function createChange(deps: ChangeDeps, actor: Actor, raw: CreateChangeInput): Promise<Change> {
  requireAgent(actor);
  const input = CreateChangeInput.parse(raw);
  const template = input.templateId ? await deps.changes.getTemplate(input.templateId) : undefined;
  if (input.type === 'standard' && !template)
    throw new ValidationError('A standard change comes from a template', [
      {
        path: 'templateId',
        message: input.templateId
          ? `names no template: ${input.templateId}`
          : 'is required for a standard change',
      },
    ]);
  if (template) {
    // A standard change is pre-approved as the template describes it: only its window (and a note) vary.
    refuseTemplateFields(input, ['riskAnswers'], 'A standard change takes its plan from its template');
  }
  const plan = {
    shortDescription: template?.shortDescription ?? input.shortDescription,
    justification: template?.justification ?? input.justification,
    implementationPlan: template?.implementationPlan ?? input.implementationPlan,
    backoutPlan: template?.backoutPlan ?? input.backoutPlan,
    testPlan: template?.testPlan ?? input.testPlan,
    assignmentGroup: template?.assignmentGroup ?? input.assignmentGroup,
  };
  const missing = Object.entries(plan)
    .filter(([, value]) => value === undefined)
    .map(([path]) => ({ path, message: 'is required' }));
  if (missing.length > 0) throw new ValidationError('The change plan is incomplete', missing);
  const plannedStart = iso(input.plannedStart);
  const plannedEnd = iso(input.plannedEnd);
  checkWindow(plannedStart, plannedEnd);
  await requireGroup(deps, plan.assignmentGroup as string, 'assignmentGroup');
  const now = deps.clock.now().toISOString();
  const risk =
    input.type === 'standard'
      ? { assessed: 'low' as const, answers: {} }
      : input.riskAnswers
        ? assessed(deps, input.riskAnswers)
        : { answers: {} };
  const draft: Change = {
    id: deps.ids.next(),
    number: 'CHG0000000',
    type: input.type,
    ...(template ? { templateId: template.id } : {}),
    shortDescription: plan.shortDescription as string,
    description: input.description ?? '',
    justification: plan.justification as string,
    implementationPlan: plan.implementationPlan as string,
    backoutPlan: plan.backoutPlan as string,
    testPlan: plan.testPlan as string,
    plannedStart,
    plannedEnd,
    services: template?.services ?? input.services ?? [],
    configurationItems: template?.configurationItems ?? input.configurationItems ?? [],
    assignmentGroup: plan.assignmentGroup as string,
    requester: {
      id: actor.id,
      email: normalizeEmail(actor.email),
      ...(actor.name ? { name: actor.name } : {}),
    },
    state: 'new',
    risk,
    approval: { status: input.type === 'standard' ? 'approved' : 'not_requested', attempt: 0 },
    contributors: [normalizeEmail(actor.email)],
    ...(input.freezeJustification ? { freezeJustification: input.freezeJustification } : {}),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await checkFreezes(deps, draft);
  const { number: _, ...record } = draft;
  const created = await deps.changes.create(record, [
    { at: now, actor: ref(actor), field: 'state', newValue: 'new', reason: `${input.type} change created` },
    ...(draft.freezeJustification
      ? [{ at: now, actor: ref(actor), field: 'freezeJustification', newValue: draft.freezeJustification }]
      : []),
  ]);
  await deps.events.publish([
    {
      type: 'change.created',
      id: deps.ids.next(),
      at: now,
      detail: {
        changeId: created.id,
        number: created.number,
        type: created.type,
        assignmentGroup: created.assignmentGroup,
        plannedStart: created.plannedStart,
        plannedEnd: created.plannedEnd,
      },
    },
  ]);
  return created;
}

async function load(deps: ChangeDeps, actor: Actor, id: string): Promise<Change> {
  const change = await deps.changes.get(id);
  if (!change || !mayView(actor, change)) throw new NotFoundError(`No change ${id}`);
  return change;
}

export interface ChangeView {
  readonly change: Change;
  readonly steps: readonly ApprovalStep[];
  readonly conflicts: readonly ChangeConflict[];
  readonly freezes: readonly FreezeWindow[];
}

export async function viewChange(deps: ChangeDeps, actor: Actor, id: string): Promise<ChangeView> {
  const change = await load(deps, actor, id);
  const [steps, neighbours, freezes] = await Promise.all([
    deps.changes.steps(id, change.approval.attempt),
    deps.changes.inWindow(change.plannedStart, change.plannedEnd),
    deps.changes.freezes(change.plannedStart, change.plannedEnd),
  ]);
  return { change, steps, conflicts: conflictsOf(change, neighbours), freezes: freezesHit(change, freezes) };
}

export async function findChangeByNumber(deps: ChangeDeps, actor: Actor, number: string): Promise<Change> {
  const change = await deps.changes.findByNumber(number.trim().toUpperCase());
  if (!change || !mayView(actor, change)) throw new NotFoundError(`No change ${number}`);
  return change;
}

function auditDiff(
  before: Change,
  after: Change,
  actor: Actor,
  at: string,
  reason?: string,
): ChangeAuditDraft[] {
  const fields = [
    ...PLAN_FIELDS,
    'assignee',
    'state',
    'freezeJustification',
    'closeCode',
    'closeNotes',
  ] as const;
  const entries: ChangeAuditDraft[] = [];
  for (const field of fields) {
    const oldValue = before[field];
    const newValue = after[field];
    if (JSON.stringify(oldValue) !== JSON.stringify(newValue))
      entries.push({ at, actor: ref(actor), field, oldValue, newValue, ...(reason ? { reason } : {}) });
  }
  if (JSON.stringify(before.risk) !== JSON.stringify(after.risk))
    entries.push({
      at,
      actor: ref(actor),
      field: 'risk',
      oldValue: riskLevel(before.risk),
      newValue: riskLevel(after.risk),
      reason: after.risk.override?.reason ?? `questionnaire score ${after.risk.score ?? '-'}`,
    });
  if (before.approval.status !== after.approval.status)
    entries.push({
      at,
      actor: ref(actor),
      field: 'approval',
      oldValue: before.approval.status,
      newValue: after.approval.status,
    });
  return entries;
}

/** Stores a change with its audit entries, then publishes `change.updated` with what changed. */
async function save(
  deps: ChangeDeps,
  before: Change,
  after: Change,
  actor: Actor,
  reason?: string,
): Promise<Change> {
  const audit = auditDiff(before, after, actor, after.updatedAt, reason);
  await deps.changes.update(after, before.version, audit);
  if (audit.length > 0)
    await deps.events.publish([
      {
        type: 'change.updated',
        id: deps.ids.next(),
        at: after.updatedAt,
        detail: {
          changeId: after.id,
          number: after.number,
          changes: audit.map(({ field, oldValue, newValue }) => ({ field, oldValue, newValue })),
        },
      },
    ]);
  return after;
}

export async function updateChange(
  deps: ChangeDeps,
  actor: Actor,
  id: string,
  raw: UpdateChangeInput,
): Promise<Change> {
  requireAgent(actor);
  const input = UpdateChangeInput.parse(raw);
  const change = await load(deps, actor, id);
  await requireChangeWorker(deps.groups, deps.settings.approval.escalationGroup, actor, change);
  if (input.version !== change.version)
    throw new ConflictError(`${change.number} was changed by someone else`, change);
  const planEdit =
    PLAN_FIELDS.some((f) => input[f] !== undefined) || input.riskAnswers || input.riskOverride !== undefined;
  if (planEdit && !['new', 'assess'].includes(change.state))
    throw new ValidationError(`The plan of ${change.number} is fixed once it is submitted`, [
      { path: 'state', message: `is ${change.state}; the plan and risk change only in new or assess` },
    ]);
  if (change.type === 'standard') {
    refuseTemplateFields(
      input,
      ['riskAnswers', 'riskOverride'],
      'A standard change keeps the plan and risk of its template',
    );
  }
  const now = deps.clock.now().toISOString();
  const next: Change = {
    ...change,
    ...(planEdit ? { contributors: withContributor(change, actor) } : {}),
    updatedAt: now,
    version: change.version + 1,
  };
  for (const field of PLAN_FIELDS) {
    const value = input[field];
    if (value !== undefined) Object.assign(next, { [field]: value });
  }
  if (input.plannedStart) next.plannedStart = iso(input.plannedStart);
  if (input.plannedEnd) next.plannedEnd = iso(input.plannedEnd);
  if (input.freezeJustification) next.freezeJustification = input.freezeJustification;
  if (input.assignee === null) delete next.assignee;
  else if (input.assignee) next.assignee = { id: input.assignee, email: input.assignee };
  checkWindow(next.plannedStart, next.plannedEnd);
  if (input.assignmentGroup) await requireGroup(deps, input.assignmentGroup, 'assignmentGroup');
  if (input.riskAnswers)
    next.risk = {
      ...assessed(deps, input.riskAnswers),
      ...(change.risk.override ? { override: change.risk.override } : {}),
    };
  if (input.riskOverride === null) {
    const { override: _, ...rest } = next.risk;
    next.risk = rest;
  } else if (input.riskOverride) {
    next.risk = { ...next.risk, override: { ...input.riskOverride, by: ref(actor), at: now } };
  }
  if (input.plannedStart || input.plannedEnd || input.services) await checkFreezes(deps, next);
  return save(deps, change, next, actor);
}

/**
 * Moves a change along its lifecycle. Submitting (`→ authorize`) starts the approval workflow;
 * cancelling during approval stops it. Each move is checked against the lifecycle and audited.
 */
export async function moveChange(
  deps: ChangeDeps,
  actor: Actor,
  id: string,
  raw: MoveChangeInput,
): Promise<Change> {
  requireAgent(actor);
  const input = MoveChangeInput.parse(raw);
  const change = await load(deps, actor, id);
  await requireChangeWorker(deps.groups, deps.settings.approval.escalationGroup, actor, change);
  if (input.version !== change.version)
    throw new ConflictError(`${change.number} was changed by someone else`, change);
  if (!canMove(change.type, change.state, input.to, 'person'))
    throw new ValidationError(`A ${change.type} change cannot go from ${change.state} to ${input.to}`, [
      { path: 'to', message: `cannot follow ${change.state} for a ${change.type} change` },
    ]);
  const needsReason = ['cancelled', 'failed', 'backed_out'].includes(input.to);
  if (needsReason && !input.reason)
    throw new ValidationError(`Say why the change is ${input.to}`, [
      { path: 'reason', message: `is required for ${input.to}` },
    ]);
  if (input.to === 'closed' && (!input.closeCode || !input.closeNotes))
    throw new ValidationError('Closing a change needs a close code and notes', [
      ...(input.closeCode ? [] : [{ path: 'closeCode', message: 'is required to close' }]),
      ...(input.closeNotes ? [] : [{ path: 'closeNotes', message: 'is required to close' }]),
    ]);
  const now = deps.clock.now().toISOString();
  const next: Change = { ...change, state: input.to, updatedAt: now, version: change.version + 1 };
  if (input.to === 'closed')
    Object.assign(next, { closeCode: input.closeCode, closeNotes: input.closeNotes });

  if (input.to === 'authorize') {
    if (change.type === 'normal' && !riskLevel(change.risk))
      throw new ValidationError('Assess the risk before asking for approval', [
        { path: 'risk.answers', message: 'the risk questionnaire must be answered before authorize' },
      ]);
    await checkFreezes(deps, change);
    next.approval = { status: 'pending', route: approvalRoute(change), attempt: change.approval.attempt + 1 };
    next.contributors = withContributor(change, actor);
    await save(deps, change, next, actor, input.reason);
    let executionId: string;
    try {
      ({ executionId } = await deps.workflow.start({ changeId: change.id }));
    } catch (error) {
      const back: Change = {
        ...next,
        state: 'assess',
        approval: { status: 'not_requested', attempt: next.approval.attempt },
        updatedAt: now,
        version: next.version + 1,
      };
      await save(deps, next, back, systemActor, 'the approval workflow did not start');
      throw error;
    }
    const started: Change = {
      ...next,
      approval: { ...next.approval, executionId },
      version: next.version + 1,
    };
    await deps.changes.update(started, next.version, []);
    return started;
  }
  if (input.to === 'scheduled') await checkFreezes(deps, change);
  if (input.to === 'cancelled' && change.state === 'authorize') {
    next.approval = { ...change.approval, status: 'cancelled', decidedAt: now };
    // The steps close first, so no decision lands on a change that is being cancelled.
    await closeSteps(deps, change.id, change.approval.attempt, 'cancelled', now);
    await save(deps, change, next, actor, input.reason);
    if (change.approval.executionId)
      await deps.workflow.stop(change.approval.executionId, `cancelled by ${actor.email}`);
    return next;
  }
  return save(deps, change, next, actor, input.reason);
}

/** What a read–decide–write round returns when its conditional write lost to another writer. */
const AGAIN = Symbol('read again');

/** Runs a read–decide–write round again until its conditional write wins (at most 8 times). */
async function retried<T>(what: string, round: () => Promise<T | typeof AGAIN>): Promise<T> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = await round();
    if (result !== AGAIN) return result;
  }
  throw new ConflictError(`${what} kept changing; try again`);
}

/** Whether a conditional write lost to another writer (`ConflictError`); any other failure is thrown. */
const lostRace = (write: Promise<unknown>): Promise<boolean> =>
  write.then(
    () => false,
    (error: unknown) => {
      if (error instanceof ConflictError) return true;
      throw error;
    },
  );

/** The route a change was submitted on (worked out again for one stored without it). */
const routeOf = (change: Change) => ApprovalRoute.catch(approvalRoute(change)).parse(change.approval.route);

/** Ends every pending step of a change (cancelled or expired) and empties its inboxes. */
async function closeSteps(
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

export async function changeHistory(deps: ChangeDeps, actor: Actor, id: string, cursor?: string) {
  await load(deps, actor, id);
  return deps.changes.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

export const ChangeListQuery = z.strictObject({
  list: z.enum(['mine', 'state']).default('mine'),
  state: ChangeState.optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ChangeListQuery = z.input<typeof ChangeListQuery>;

export async function listChanges(
  deps: ChangeDeps,
  actor: Actor,
  raw: ChangeListQuery,
): Promise<Page<ChangeSummary>> {
  const query = ChangeListQuery.parse(raw);
  const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
  const summaries = ({ items, cursor }: Page<Change>) => ({
    items: items.map(summarizeChange),
    ...(cursor ? { cursor } : {}),
  });
  if (query.list === 'mine')
    return summaries(await deps.changes.list({ by: 'requester', email: normalizeEmail(actor.email) }, page));
  if (!isAgent(actor) && !isApproverRole(actor))
    throw new ForbiddenError('Only agents and approvers list changes by state');
  if (!query.state)
    throw new ValidationError('Which state?', [{ path: 'state', message: 'is required with list=state' }]);
  return summaries(await deps.changes.list({ by: 'state', state: query.state }, page));
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
    const decisions = [
      ...step.decisions,
      {
        by: { id: actor.id, email: me },
        decision: input.decision,
        comment: input.comment ?? '',
        at,
        via,
        onBehalf: !step.approvers.includes(me),
      },
    ];
    const outcome = stepOutcome({ ...step, decisions });
    const settled = outcome !== 'pending';
    const next: ApprovalStep = {
      ...step,
      decisions,
      status: outcome,
      ...(settled ? { decidedAt: at } : {}),
      version: step.version + 1,
    };
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
    if (settled && taskToken && (outcome === 'approved' || outcome === 'rejected')) {
      try {
        await deps.workflow.answer(taskToken, { decision: outcome });
      } catch (error) {
        // The round timed out just now: the next round's request finds the step settled and answers itself.
        if (!(error instanceof TaskTokenGoneError)) throw error;
      }
    }
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

// ——— calendar, freeze windows, templates ———

export interface ChangeCalendar {
  readonly changes: readonly (ChangeSummary & { conflicts: readonly ChangeConflict[] })[];
  readonly freezes: readonly FreezeWindow[];
}

export async function changeCalendar(
  deps: ChangeDeps,
  actor: Actor,
  raw: z.input<typeof CalendarQuery>,
): Promise<ChangeCalendar> {
  if (!isAgent(actor) && !isApproverRole(actor))
    throw new ForbiddenError('Only agents and approvers see the change calendar');
  const query = CalendarQuery.parse(raw);
  const from = iso(query.from);
  const to = iso(query.to);
  if (!(Date.parse(to) > Date.parse(from)) || Date.parse(to) - Date.parse(from) > 92 * DAY_MS)
    throw new ValidationError('The range must be positive and at most 92 days', [
      { path: 'to', message: 'must be after from and at most 92 days later' },
    ]);
  const [all, freezes] = await Promise.all([deps.changes.inWindow(from, to), deps.changes.freezes(from, to)]);
  const inRange = all.filter(
    (c) => Date.parse(c.plannedStart) < Date.parse(to) && Date.parse(c.plannedEnd) > Date.parse(from),
  );
  return {
    changes: inRange.map((change) => ({ ...summarizeChange(change), conflicts: conflictsOf(change, all) })),
    freezes,
  };
}

export async function createFreeze(
  deps: ChangeDeps,
  actor: Actor,
  raw: z.input<typeof CreateFreezeInput>,
): Promise<FreezeWindow> {
  requireAdmin(actor);
  const input = CreateFreezeInput.parse(raw);
  const start = iso(input.start);
  const end = iso(input.end);
  if (!(Date.parse(end) > Date.parse(start)))
    throw new ValidationError('The freeze must end after it starts', [
      { path: 'end', message: 'must be after start' },
    ]);
  const freeze: FreezeWindow = {
    id: deps.ids.next(),
    name: input.name,
    reason: input.reason ?? '',
    start,
    end,
    services: input.services ?? [],
    createdBy: ref(actor),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.changes.putFreeze(freeze);
  return freeze;
}

/** Every freeze window from a month ago to two years ahead, for the admins' list. */
export async function listFreezes(deps: ChangeDeps, actor: Actor): Promise<FreezeWindow[]> {
  if (!isAgent(actor) && !isApproverRole(actor))
    throw new ForbiddenError('Only agents and approvers see freeze windows');
  const now = deps.clock.now().getTime();
  return deps.changes.freezes(
    new Date(now - 31 * DAY_MS).toISOString(),
    new Date(now + 2 * 366 * DAY_MS).toISOString(),
  );
}

export async function deleteFreeze(deps: ChangeDeps, actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await deps.changes.deleteFreeze(id);
}

export async function createTemplate(
  deps: ChangeDeps,
  actor: Actor,
  raw: z.input<typeof CreateTemplateInput>,
): Promise<ChangeTemplate> {
  requireAdmin(actor);
  const input = CreateTemplateInput.parse(raw);
  await requireGroup(deps, input.assignmentGroup, 'assignmentGroup');
  const template = ChangeTemplate.parse({ ...input, createdAt: deps.clock.now().toISOString() });
  await deps.changes.putTemplate(template);
  return template;
}

export async function listTemplates(deps: ChangeDeps, actor: Actor): Promise<ChangeTemplate[]> {
  requireAgent(actor);
  return deps.changes.templates();
}

export const isChangeOver = (change: Change) => isFinalChange(change.state);

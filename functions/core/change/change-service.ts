import * as z from 'zod';
import { GroupId } from '#core/group/group.ts';
import { type Actor, isAgent, normalizeEmail, systemActor } from '#core/identity/actor.ts';
import { Label, type Page } from '#core/record/record.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#core/shared/errors.ts';
import { requireChangeWorker } from './access.ts';
import { type ApprovalStep, approvalRoute } from './approval.ts';
import { closeSteps } from './approval-service.ts';
import {
  type Change,
  type ChangeCmdb,
  ChangeState,
  type ChangeSummary,
  ChangeTemplate,
  ChangeType,
  CloseCode,
  type FreezeWindow,
  RiskLevel,
  riskLevel,
  summarizeChange,
} from './change.ts';
import {
  type ChangeDeps,
  isApproverRole,
  iso,
  load,
  mayView,
  PLAN_FIELDS,
  ref,
  requireAdmin,
  requireAgent,
  requireGroup,
  save,
  withContributor,
} from './change-record.ts';
import { withCmdbRisk } from './cmdb-risk.ts';
import { canMove, changeMoveRequires, isFinalChange } from './lifecycle.ts';
import { assessRisk } from './risk.ts';
import { type ChangeConflict, conflictsOf, freezesHit } from './schedule.ts';
import { checkFreezes, checkWindow } from './schedule-service.ts';

/**
 * Change management: create, assess, submit for approval, schedule, implement, review, close.
 * People move a change along its lifecycle; only the approval workflow takes it out of
 * `authorize` (approval-service.ts); the calendar and freeze windows are schedule-service.ts.
 */
export type { ChangeDeps, ChangeSettings } from './change-record.ts';

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

export const CreateTemplateInput = ChangeTemplate.omit({ createdAt: true }).strict();

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

function assessed(deps: ChangeDeps, answers: Record<string, string>) {
  const result = assessRisk(deps.settings.questionnaire, answers);
  if (!result.ok) throw new ValidationError('The risk questionnaire is incomplete', result.problems);
  return { score: result.assessment.score, assessed: result.assessment.level, answers };
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
  const cmdb = await cmdbOfChanges(deps, [change, ...neighbours]);
  return {
    change,
    steps,
    conflicts: conflictsOf(change, neighbours, cmdb),
    freezes: freezesHit(change, freezes),
  };
}

/** What the CMDB says now of each change (its CIs, the services they reach), when the CMDB is wired. */
async function cmdbOfChanges(deps: ChangeDeps, changes: readonly Change[]) {
  const reader = deps.cmdb;
  if (!reader) return new Map<string, Pick<ChangeCmdb, 'cis' | 'services'>>();
  return new Map(await Promise.all(changes.map(async (c) => [c.id, await reader.facts(c.id)] as const)));
}

export async function findChangeByNumber(deps: ChangeDeps, actor: Actor, number: string): Promise<Change> {
  const change = await deps.changes.findByNumber(number.trim().toUpperCase());
  if (!change || !mayView(actor, change)) throw new NotFoundError(`No change ${number}`);
  return change;
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
  const missing = changeMoveRequires(change.type, change.state, input.to).filter(
    (field) => !input[field as keyof typeof input],
  );
  if (missing.includes('reason'))
    throw new ValidationError(`Say why the change is ${input.to}`, [
      { path: 'reason', message: `is required for ${input.to}` },
    ]);
  if (missing.length > 0)
    throw new ValidationError('Closing a change needs a close code and notes', [
      ...missing.map((path) => ({ path, message: 'is required to close' })),
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
    if (deps.cmdb)
      Object.assign(
        next,
        withCmdbRisk(
          change,
          await deps.cmdb.facts(change.id),
          deps.cmdb.criticalWeight,
          deps.settings.questionnaire,
          now,
        ),
      );
    next.approval = { status: 'pending', route: approvalRoute(next), attempt: change.approval.attempt + 1 };
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

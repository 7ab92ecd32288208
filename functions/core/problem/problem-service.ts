import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { ProblemList, ProblemStore } from '#ports/problem-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { auditDiff, updatedEvent } from '../record/audit.ts';
import { isFinalState, mayMove, requiredFields } from '../record/lifecycle.ts';
import { Label, type Page, RecordLink, RecordNumber } from '../record/record.ts';
import { applyEdit, nextVersion, requireVersion } from '../record/version.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { type Problem, ProblemState, problemAudit, problemLifecycle } from './problem.ts';

/**
 * Problem management on the record engine: raise, assess, find the root cause, work around,
 * fix, resolve, close. Agents work problems; employees see none (their view of a known error
 * comes through their incident).
 */
export interface ProblemDeps {
  readonly problems: ProblemStore;
  readonly groups: GroupDirectory;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

const Level = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const Text = z.string().trim().min(1).max(10_000);
const Email = z.email().max(254).transform(normalizeEmail);

/** The ITIL default priority matrix: `[impact - 1][urgency - 1]`. */
const priorityOf = (impact: number, urgency: number) => Math.min(5, impact + urgency - 1);

export const CreateProblemInput = z.strictObject({
  shortDescription: z.string().trim().min(1, 'is required').max(160),
  description: z.string().max(10_000).default(''),
  category: Label.optional(),
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  impact: Level.default(3),
  urgency: Level.default(3),
  assignmentGroup: Label.optional(),
  workaround: Text.optional(),
});
export type CreateProblemInput = z.input<typeof CreateProblemInput>;

export const UpdateProblemInput = z.strictObject({
  version: z.number().int().min(1),
  shortDescription: z.string().trim().min(1).max(160).optional(),
  description: z.string().max(10_000).optional(),
  category: Label.nullable().optional(),
  services: z.array(Label).max(20).optional(),
  configurationItems: z.array(Label).max(50).optional(),
  impact: Level.optional(),
  urgency: Level.optional(),
  assignmentGroup: Label.nullable().optional(),
  assignee: Email.nullable().optional(),
  state: ProblemState.optional(),
  rootCause: Text.optional(),
  workaround: Text.nullable().optional(),
  workaroundPublished: z.boolean().optional(),
  fix: Text.optional(),
  links: z.array(RecordLink).max(200).optional(),
  watchers: z.array(Email).max(50).optional(),
});
export type UpdateProblemInput = z.input<typeof UpdateProblemInput>;

export const ProblemListQuery = z.strictObject({
  state: ProblemState.default('new'),
  group: Label.optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ProblemListQuery = z.input<typeof ProblemListQuery>;

function requireAgent(actor: Actor): void {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents work problems');
}

async function load(deps: ProblemDeps, actor: Actor, id: string): Promise<Problem> {
  const problem = isAgent(actor) ? await deps.problems.get(id) : undefined;
  if (!problem) throw new NotFoundError(`No problem ${id}`);
  return problem;
}

export async function createProblem(
  deps: ProblemDeps,
  actor: Actor,
  raw: CreateProblemInput,
): Promise<Problem> {
  requireAgent(actor);
  const input = CreateProblemInput.parse(raw);
  const now = deps.clock.now().toISOString();
  const { workaround, ...fields } = input;
  const created = await deps.problems.create(
    {
      id: deps.ids.next(),
      ...fields,
      ...(workaround ? { workaround } : {}),
      priority: priorityOf(input.impact, input.urgency),
      requester: {
        id: actor.id,
        email: normalizeEmail(actor.email),
        ...(actor.name ? { name: actor.name } : {}),
      },
      state: 'new',
      workaroundPublished: false,
      links: [],
      watchers: [],
      createdAt: now,
      updatedAt: now,
      version: 1,
    },
    [{ at: now, actor: { id: actor.id, email: actor.email }, field: 'state', newValue: 'new' }],
  );
  await deps.events.publish([
    {
      type: 'problem.created',
      id: deps.ids.next(),
      at: now,
      detail: {
        problemId: created.id,
        number: created.number,
        priority: created.priority,
        ...(created.assignmentGroup ? { assignmentGroup: created.assignmentGroup } : {}),
      },
    },
  ]);
  return created;
}

export const viewProblem = (deps: ProblemDeps, actor: Actor, id: string): Promise<Problem> =>
  load(deps, actor, id);

export async function findProblemByNumber(deps: ProblemDeps, actor: Actor, raw: string): Promise<Problem> {
  const number = RecordNumber.parse(raw.trim().toUpperCase());
  const problem = isAgent(actor) ? await deps.problems.findByNumber(number) : undefined;
  if (!problem) throw new NotFoundError(`No problem ${number}`);
  return problem;
}

/**
 * Changes a problem: checks the version, the lifecycle table (the move and the fields it
 * requires, given now or already on the problem), then stores it with one audit entry per
 * changed field and announces `problem.updated`.
 */
export async function updateProblem(
  deps: ProblemDeps,
  actor: Actor,
  id: string,
  raw: UpdateProblemInput,
): Promise<Problem> {
  requireAgent(actor);
  const input = UpdateProblemInput.parse(raw);
  const current = await load(deps, actor, id);
  requireVersion(current, input.version);
  if (isFinalState(problemLifecycle, current.state))
    throw new ValidationError(`Problem is ${current.state}`, [
      { path: 'state', message: `is ${current.state}; nothing can change` },
    ]);
  const next: Problem = { ...current };
  const { assignee, ...edit } = input;
  applyEdit(next, edit, [
    'shortDescription',
    'description',
    'category',
    'services',
    'configurationItems',
    'impact',
    'urgency',
    'assignmentGroup',
    'rootCause',
    'workaround',
    'workaroundPublished',
    'fix',
    'links',
    'watchers',
  ]);
  if (assignee === null) delete next.assignee;
  else if (assignee) next.assignee = { id: assignee, email: assignee };
  next.priority = priorityOf(next.impact, next.urgency);
  if (next.workaroundPublished && !next.workaround)
    throw new ValidationError('Nothing to publish', [
      { path: 'workaroundPublished', message: 'needs a workaround to publish' },
    ]);
  if (next.assignee && next.assignmentGroup) {
    const groups = await deps.groups.groupsOf(next.assignee.email);
    if (!groups.includes(next.assignmentGroup))
      throw new ValidationError('Assignee not in group', [
        { path: 'assignee', message: `is not a member of ${next.assignmentGroup}` },
      ]);
  }
  const now = deps.clock.now().toISOString();
  if (input.state && input.state !== current.state) {
    if (!mayMove(problemLifecycle, current.state, input.state, 'agent'))
      throw new ValidationError('Transition not allowed', [
        { path: 'state', message: `cannot go from ${current.state} to ${input.state}` },
      ]);
    const missing = requiredFields(problemLifecycle, current.state, input.state).filter(
      (field) => !next[field as keyof Problem],
    );
    if (missing.length > 0)
      throw new ValidationError(
        `Moving to ${input.state} needs ${missing.join(' and ')}`,
        missing.map((path) => ({ path, message: `is required for ${input.state}` })),
      );
    next.state = input.state;
    if (input.state === 'closed' || input.state === 'cancelled') next.closedAt = now;
  }
  const audit = auditDiff(problemAudit, current, next, { actor, at: now });
  if (audit.length === 0) return current;
  const stored = nextVersion(next, current, now);
  await deps.problems.update(stored, current.version, audit);
  const events = updatedEvent('problem.updated', { problemId: stored.id, number: stored.number }, audit, {
    ids: deps.ids,
    at: now,
  });
  await deps.events.publish(events);
  return stored;
}

/** Problems by state, or a group's problems by state (agents of the group, admins). */
export async function listProblems(
  deps: ProblemDeps,
  actor: Actor,
  raw: ProblemListQuery,
): Promise<Page<Problem>> {
  requireAgent(actor);
  const query = ProblemListQuery.parse(raw);
  let list: ProblemList = { by: 'state', state: query.state };
  if (query.group) {
    if (!isAdmin(actor) && !(await deps.groups.groupsOf(normalizeEmail(actor.email))).includes(query.group))
      throw new ForbiddenError(`Not a member of ${query.group}`);
    list = { by: 'group', group: query.group, state: query.state };
  }
  return deps.problems.list(list, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
}

export async function problemHistory(deps: ProblemDeps, actor: Actor, id: string, cursor?: string) {
  await load(deps, actor, id);
  return deps.problems.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

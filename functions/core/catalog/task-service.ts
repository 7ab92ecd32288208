import * as z from 'zod';
import { TaskTokenGoneError } from '#ports/change-workflow.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail, systemActor } from '../identity/actor.ts';
import { auditDiff, updatedEvent } from '../record/audit.ts';
import { isFinalState, mayMove, requiredFields } from '../record/lifecycle.ts';
import { Label, type Page, RecordNumber } from '../record/record.ts';
import { nextVersion, requireVersion } from '../record/version.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { type CatalogTask, expandPlan, TaskState, taskAudit, taskLifecycle } from './request.ts';
import { orderedItems, type RequestDeps, ref, saveSystem } from './request-service.ts';

/**
 * Fulfilment tasks (`TASK…`): the workflow opens each task of the plan when its stage starts and
 * waits on its token; the fulfilling group's agents pick it up and close it with a note; the
 * close answers the token, and the workflow moves on. Agents see the tasks of their groups.
 */
export const UpdateTaskInput = z.strictObject({
  version: z.number().int().min(1),
  state: TaskState.optional(),
  /** `me` takes the task; an address gives it to a member of the group; null hands it back. */
  assignee: z
    .union([z.literal('me'), z.email().max(254)])
    .nullable()
    .optional(),
  closeNote: z.string().trim().min(1).max(4000).optional(),
});
export type UpdateTaskInput = z.input<typeof UpdateTaskInput>;

export const TaskQueueQuery = z.strictObject({
  group: Label.optional(),
  state: TaskState.default('open'),
  cursor: z.string().max(2048).optional(),
});

/** The task id of a plan step: fixed, so a retried round never opens a second task for it. */
export const taskIdOf = (requestId: string, step: string) => `${requestId}.${step}`;

/**
 * The task of one plan step, opened once: a retried or reminding round, or the automation
 * before it, finds the one already there. Its group joins the request's fulfilling groups.
 */
export async function ensureTask(
  deps: RequestDeps,
  requestId: string,
  step: string,
): Promise<{ task: CatalogTask; created: boolean }> {
  const id = taskIdOf(requestId, step);
  const existing = await deps.requests.getTask(id);
  if (existing) return { task: existing, created: false };
  const request = await deps.requests.get(requestId);
  if (!request) throw new NotFoundError(`No request ${requestId}`);
  const planned = expandPlan(await orderedItems(deps, request))
    .flat()
    .find((t) => t.step === step);
  if (!planned) throw new NotFoundError(`${request.number} has no task ${step}`);
  const now = deps.clock.now().toISOString();
  let task: CatalogTask;
  try {
    task = await deps.requests.createTask(
      {
        id,
        requestId: request.id,
        requestNumber: request.number as CatalogTask['requestNumber'],
        requestedFor: request.requestedFor.email,
        step: planned.step,
        title: planned.title,
        group: planned.group,
        instructions: planned.instructions,
        ...(planned.automation ? { automation: planned.automation } : {}),
        itemName: planned.itemName,
        state: 'open',
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
      [
        {
          at: now,
          actor: systemActor,
          field: 'state',
          newValue: 'open',
          reason: `${request.number} step ${step}`,
        },
      ],
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const raced = await deps.requests.getTask(id);
    if (!raced) throw error;
    return { task: raced, created: false };
  }
  await saveSystem(
    deps,
    request.id,
    (r) =>
      r.fulfillingGroups.includes(planned.group)
        ? undefined
        : { ...r, fulfillingGroups: [...r.fulfillingGroups, planned.group] },
    `task ${task.number} for ${planned.group}`,
  );
  await deps.events.publish([
    {
      type: 'task.created',
      id: deps.ids.next(),
      at: now,
      detail: { taskId: task.id, number: task.number, requestId: request.id, group: task.group },
    },
  ]);
  return { task, created: true };
}

/**
 * The workflow's round for one plan step: opens the task (once) and keeps the token the task's
 * close answers. A task closed before the round came back (by a person, or by its automation)
 * is answered at once.
 */
export async function openTask(
  deps: RequestDeps,
  input: { requestId: string; step: string; round: string; taskToken: string },
): Promise<{ task: CatalogTask; closed: boolean; created: boolean }> {
  const { task, created } = await ensureTask(deps, input.requestId, input.step);
  await deps.requests.setTaskToken(task.id, input.taskToken);
  return { task, closed: task.state === 'closed' || task.state === 'cancelled', created };
}

async function mayWork(deps: RequestDeps, actor: Actor, task: CatalogTask): Promise<boolean> {
  if (isAdmin(actor)) return true;
  if (!isAgent(actor)) return false;
  return (await deps.groups.groupsOf(normalizeEmail(actor.email))).includes(task.group);
}

async function loadTask(deps: RequestDeps, actor: Actor, id: string): Promise<CatalogTask> {
  const task = await deps.requests.getTask(id);
  if (!task || !(await mayWork(deps, actor, task))) throw new NotFoundError(`No task ${id}`);
  return task;
}

export const viewTask = (deps: RequestDeps, actor: Actor, id: string) => loadTask(deps, actor, id);

export async function findTaskByNumber(deps: RequestDeps, actor: Actor, raw: string) {
  const number = RecordNumber.parse(raw.trim().toUpperCase());
  const task = await deps.requests.findTaskByNumber(number);
  if (!task || !(await mayWork(deps, actor, task))) throw new NotFoundError(`No task ${number}`);
  return task;
}

/** Takes, hands back, progresses or closes a task; a close tells the workflow, which moves the request on. */
export async function updateTask(deps: RequestDeps, actor: Actor, id: string, raw: UpdateTaskInput) {
  const input = UpdateTaskInput.parse(raw);
  const current = await loadTask(deps, actor, id);
  requireVersion(current, input.version);
  if (isFinalState(taskLifecycle, current.state))
    throw new ValidationError(`Task is ${current.state}`, [
      { path: 'state', message: `is ${current.state}` },
    ]);
  const next: CatalogTask = { ...current };
  if (input.assignee === null) delete next.assignee;
  else if (input.assignee) {
    const email = input.assignee === 'me' ? normalizeEmail(actor.email) : normalizeEmail(input.assignee);
    if (!(await deps.groups.groupsOf(email)).includes(current.group))
      throw new ValidationError('Assignee not in group', [
        { path: 'assignee', message: `${email} is not a member of ${current.group}` },
      ]);
    next.assignee = { id: email === normalizeEmail(actor.email) ? actor.id : email, email };
  }
  if (input.closeNote) next.closeNote = input.closeNote;
  if (input.state && input.state !== current.state) {
    if (!mayMove(taskLifecycle, current.state, input.state, 'fulfiller'))
      throw new ValidationError('Transition not allowed', [
        { path: 'state', message: `cannot go from ${current.state} to ${input.state}` },
      ]);
    const missing = requiredFields(taskLifecycle, current.state, input.state).filter(
      (field) => !next[field as keyof CatalogTask],
    );
    if (missing.length > 0)
      throw new ValidationError(
        `Moving to ${input.state} needs ${missing.join(' and ')}`,
        missing.map((path) => ({ path, message: `is required for ${input.state}` })),
      );
    next.state = input.state;
  }
  const now = deps.clock.now().toISOString();
  if (next.state === 'closed') next.closedAt = now;
  const audit = auditDiff(taskAudit, current, next, { actor: ref(actor), at: now });
  if (audit.length === 0) return current;
  const stored = nextVersion(next, current, now);
  await deps.requests.updateTask(stored, current.version, audit);
  await deps.events.publish(
    updatedEvent(
      'task.updated',
      { taskId: stored.id, number: stored.number, requestId: stored.requestId },
      audit,
      {
        ids: deps.ids,
        at: now,
      },
    ),
  );
  if (stored.state === 'closed') {
    const token = await deps.requests.taskToken(stored.id);
    if (token)
      try {
        await deps.workflow.answer(token, { state: 'closed' });
      } catch (error) {
        // The round timed out this moment: the next round finds the task closed and answers itself.
        if (!(error instanceof TaskTokenGoneError)) throw error;
      }
  }
  return stored;
}

/** A group's queue (members and admins), or, without a group, the tasks assigned to me. */
export async function taskQueue(deps: RequestDeps, actor: Actor, raw: z.input<typeof TaskQueueQuery>) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents work fulfilment tasks');
  const query = TaskQueueQuery.parse(raw);
  const page = { limit: 50, ...(query.cursor ? { cursor: query.cursor } : {}) };
  if (!query.group)
    return deps.requests.tasks({ by: 'assignee', assignee: normalizeEmail(actor.email) }, page);
  if (!isAdmin(actor) && !(await deps.groups.groupsOf(normalizeEmail(actor.email))).includes(query.group))
    throw new ForbiddenError(`Not a member of ${query.group}`);
  return deps.requests.tasks({ by: 'queue', group: query.group, state: query.state }, page) as Promise<
    Page<CatalogTask>
  >;
}

export async function taskHistory(deps: RequestDeps, actor: Actor, id: string, cursor?: string) {
  await loadTask(deps, actor, id);
  return deps.requests.taskHistory(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

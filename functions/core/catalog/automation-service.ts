import { AutomationFailedError, type AutomationHooks } from '#ports/catalog-automation.ts';
import { systemActor } from '../identity/actor.ts';
import { auditDiff, updatedEvent } from '../record/audit.ts';
import { nextVersion } from '../record/version.ts';
import { NotFoundError } from '../shared/errors.ts';
import { type CatalogTask, expandPlan, taskAudit } from './request.ts';
import { orderedItems, type RequestDeps } from './request-service.ts';
import { ensureTask } from './task-service.ts';

/**
 * Automated fulfilment tasks. Before a task with an `automation` waits for a person, the
 * workflow runs its hook: success closes the task with the hook's result as its close note (the
 * wait round then finds it closed and moves on); each failure is written to the task's history
 * and thrown as `Automation.Failed`, which the state machine retries; when the retries are spent,
 * `automationFailed` leaves the task open in its group's queue with the error, for a person.
 * Nothing is half-applied silently: the hook gets an idempotency key (the task id), and the task
 * is only closed on the hook's answer.
 */
export interface AutomationDeps extends RequestDeps {
  readonly hooks: AutomationHooks;
}

const MAX_ERROR = 2000;

async function saveTask(deps: RequestDeps, current: CatalogTask, next: CatalogTask, reason: string) {
  const now = deps.clock.now().toISOString();
  const audit = auditDiff(taskAudit, current, next, { actor: systemActor, at: now, reason });
  if (audit.length === 0) return current;
  const stored = nextVersion(next, current, now);
  await deps.requests.updateTask(stored, current.version, audit);
  await deps.events.publish(
    updatedEvent(
      'task.updated',
      { taskId: stored.id, number: stored.number, requestId: stored.requestId },
      audit,
      { ids: deps.ids, at: now },
    ),
  );
  return stored;
}

/** The workflow's `automate` round: runs the task's hook once (the state machine retries a failure). */
export async function automateTask(deps: AutomationDeps, requestId: string, step: string) {
  const { task } = await ensureTask(deps, requestId, step);
  // A person took it meanwhile, or it is done: the automation keeps out of their way.
  if (!task.automation || task.state !== 'open' || task.assignee)
    return { task: task.number, outcome: 'skipped' as const };
  const request = await deps.requests.get(requestId);
  if (!request) throw new NotFoundError(`No request ${requestId}`);
  const planned = expandPlan(await orderedItems(deps, request))
    .flat()
    .find((t) => t.step === step);
  const ordered = planned ? request.items[planned.line] : undefined;
  if (!ordered) throw new NotFoundError(`${request.number} has no task ${step}`);
  const now = deps.clock.now().toISOString();
  let result: string;
  try {
    ({ result } = await deps.hooks.call(
      task.automation.hook,
      {
        request: request.number,
        task: task.number,
        step,
        item: { id: ordered.itemId, version: ordered.itemVersion, name: ordered.name },
        requestedFor: request.requestedFor.email,
        requester: request.requester.email,
        answers: ordered.answers,
        input: task.automation.input,
      },
      task.id,
    ));
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR);
    await deps.requests.taskAudit(task.id, [
      { at: now, actor: systemActor, field: 'automation', newValue: 'failed', reason: message },
    ]);
    throw error instanceof AutomationFailedError ? error : new AutomationFailedError(message);
  }
  const current = (await deps.requests.getTask(task.id)) ?? task;
  if (current.state !== 'open' || current.assignee) return { task: task.number, outcome: 'skipped' as const };
  await saveTask(
    deps,
    current,
    {
      ...current,
      state: 'closed',
      closeNote: `Done by automation ${task.automation.hook}: ${result}`.slice(0, 4000),
      closedAt: now,
    },
    `automation ${task.automation.hook}`,
  );
  return { task: task.number, outcome: 'done' as const };
}

/**
 * The retries are spent: the task stays open in its group's queue, carrying the last error,
 * for a person to do by hand (the wait rounds that follow mail the group as for any task).
 */
export async function automationFailed(deps: RequestDeps, requestId: string, step: string, cause: string) {
  const { task } = await ensureTask(deps, requestId, step);
  if (task.state !== 'open' && task.state !== 'in_progress') return { task: task.number, outcome: 'skipped' };
  const error = errorMessageOf(cause);
  await saveTask(deps, task, { ...task, automationError: error }, 'automation failed; handed to a person');
  return { task: task.number, outcome: 'manual' };
}

/** Step Functions' Catch gives the Lambda error as `Cause`: a JSON `{errorMessage}` or plain text. */
export function errorMessageOf(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, MAX_ERROR);
  } catch {
    // not JSON: the cause itself
  }
  return (cause || 'The automation failed').slice(0, MAX_ERROR);
}

import * as z from 'zod';
import type { CatalogStore, RequestStore, RequestWorkflow } from '#ports/catalog-store.ts';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { GroupStore } from '#ports/group-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail, systemActor } from '../identity/actor.ts';
import { auditDiff } from '../record/audit.ts';
import { mayMove } from '../record/lifecycle.ts';
import { type Page, RecordNumber } from '../record/record.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { nextVersion, requireVersion } from '../record/version.ts';
import { type FieldProblem, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { CatalogItem } from './catalog.ts';
import { mayOrder } from './catalog-service.ts';
import { checkAnswers } from './form.ts';
import {
  type CatalogRequest,
  type CatalogTask,
  expandPlan,
  type RequestState,
  type RequestStepKind,
  requestAudit,
  requestLifecycle,
} from './request.ts';

/**
 * Ordering from the catalog: an employee (or an agent for a caller) orders items, each answer
 * checked against the item's current form version; the request (`REQ…`) keeps those versions
 * and starts its workflow — approvals, then the fulfilment plan's tasks — and closes when the
 * last task closes.
 */
export interface CatalogSettings {
  /** Group that decides when nobody else can (no manager in the directory) and gets escalations. */
  readonly escalationGroup: string;
  readonly linkValidHours: number;
}

export interface RequestDeps {
  readonly catalog: CatalogStore;
  readonly requests: RequestStore;
  readonly workflow: RequestWorkflow;
  readonly groups: GroupDirectory;
  readonly groupStore: GroupStore;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: CatalogSettings;
}

const Email = z.email().max(254).transform(normalizeEmail);

export const OrderInput = z.strictObject({
  /** An agent ordering for a caller names them; an employee orders for themselves. */
  requestedFor: Email.optional(),
  items: z
    .array(
      z.strictObject({
        itemId: z.string().min(1).max(48),
        quantity: z.number().int().min(1).max(20).default(1),
        answers: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .min(1)
    .max(20),
});
export type OrderInput = z.input<typeof OrderInput>;

export const ref = (actor: Actor) => ({ id: actor.id, email: normalizeEmail(actor.email) });
const person = (actor: Actor) => ({ ...ref(actor), ...(actor.name ? { name: actor.name } : {}) });

/** Who may see a request: who ordered it or for whom, its approvers, agents of a fulfilling group, admins. */
export async function mayViewRequest(deps: RequestDeps, actor: Actor, request: CatalogRequest) {
  const me = normalizeEmail(actor.email);
  if (isAdmin(actor) || request.requester.email === me || request.requestedFor.email === me) return true;
  if (isAgent(actor) && request.fulfillingGroups.length > 0) {
    const mine = new Set(await deps.groups.groupsOf(me));
    if (request.fulfillingGroups.some((g) => mine.has(g))) return true;
  }
  const steps = await deps.requests.steps(request.id);
  return steps.some((s) => s.approvers.includes(me) || s.escalationApprovers.includes(me));
}

export async function loadRequest(deps: RequestDeps, actor: Actor, id: string): Promise<CatalogRequest> {
  const request = await deps.requests.get(id);
  if (!request || !(await mayViewRequest(deps, actor, request))) throw new NotFoundError(`No request ${id}`);
  return request;
}

/** The items of an order at the versions it names. */
export async function orderedItems(deps: Pick<RequestDeps, 'catalog'>, request: CatalogRequest) {
  return Promise.all(
    request.items.map(async (ordered) => {
      const item = await deps.catalog.itemVersion(ordered.itemId, ordered.itemVersion);
      if (!item)
        throw new Error(`${request.number} names ${ordered.itemId} v${ordered.itemVersion}, which is gone`);
      return { item, quantity: ordered.quantity };
    }),
  );
}

/**
 * Checks an order without placing it: who it is for, that every item is in the caller's catalog,
 * and every line's answers against its item's current form version. The 400 names each field
 * (`items[1].answers.model`) and, in its message, the item it belongs to.
 */
export async function checkOrder(
  deps: Pick<RequestDeps, 'catalog' | 'groups' | 'clock'>,
  actor: Actor,
  raw: OrderInput,
) {
  const input = OrderInput.parse(raw);
  const me = normalizeEmail(actor.email);
  if (input.requestedFor && input.requestedFor !== me && !isAgent(actor))
    throw new ForbiddenError('Only agents order on behalf of someone else');
  const problems: (FieldProblem & { item?: string })[] = [];
  const items: { item: CatalogItem; quantity: number; answers: Record<string, unknown> }[] = [];
  for (const [i, line] of input.items.entries()) {
    const item = await deps.catalog.item(line.itemId);
    if (!item || !(await mayOrder(deps, actor, item))) {
      problems.push({ path: `items[${i}].itemId`, message: `${line.itemId} is not in your catalog` });
      continue;
    }
    const checked = checkAnswers(item.form, line.answers, `items[${i}].answers`);
    problems.push(...checked.problems.map((p) => ({ ...p, item: item.name })));
    items.push({ item, quantity: line.quantity, answers: checked.answers });
  }
  if (problems.length > 0)
    throw new ValidationError(
      `The order does not fit its forms: ${problems.map((p) => `${p.path}${p.item ? ` (${p.item})` : ''} ${p.message}`).join('; ')}`,
      problems.map(({ path, message }) => ({ path, message })),
    );
  return { input, items };
}

export async function placeOrder(deps: RequestDeps, actor: Actor, raw: OrderInput): Promise<CatalogRequest> {
  const { input, items } = await checkOrder(deps, actor, raw);
  const now = deps.clock.now().toISOString();
  const costs = items.filter(({ item }) => item.cost);
  const requestedFor = input.requestedFor
    ? { id: input.requestedFor, email: input.requestedFor }
    : person(actor);
  const request = await deps.requests.create(
    {
      id: deps.ids.next(),
      requester: person(actor),
      requestedFor,
      items: items.map(({ item, quantity, answers }) => ({
        itemId: item.id,
        itemVersion: item.version,
        name: item.name,
        quantity,
        answers: answers as CatalogRequest['items'][number]['answers'],
      })),
      ...(costs.length > 0
        ? { cost: costs.reduce((sum, { item, quantity }) => sum + (item.cost?.amount ?? 0) * quantity, 0) }
        : {}),
      state: 'awaiting_approval',
      approval: { status: 'pending' },
      fulfillingGroups: [],
      createdAt: now,
      updatedAt: now,
      version: 1,
    },
    [{ at: now, actor: ref(actor), field: 'state', newValue: 'awaiting_approval' }],
  );
  await deps.events.publish([
    {
      type: 'request.submitted',
      id: deps.ids.next(),
      at: now,
      detail: { requestId: request.id, number: request.number, items: request.items.map((i) => i.itemId) },
    },
  ]);
  const { executionId } = await deps.workflow.start({ requestId: request.id });
  return saveSystem(deps, request.id, (r) => ({ ...r, executionId }), 'workflow started');
}

/**
 * A round the system runs on a request (the workflow, a closing task): read, change, write at
 * the version read, again when another write won; audited as the system's.
 */
export function saveSystem(
  deps: RequestDeps,
  id: string,
  change: (request: CatalogRequest) => CatalogRequest | undefined,
  reason: string,
): Promise<CatalogRequest> {
  return retried(`Request ${id}`, async () => {
    const current = await deps.requests.get(id);
    if (!current) throw new NotFoundError(`No request ${id}`);
    const changed = change(current);
    if (!changed) return current;
    const now = deps.clock.now().toISOString();
    if (changed.state !== current.state && !mayMove(requestLifecycle, current.state, changed.state, 'system'))
      throw new Error(`The workflow cannot move ${current.number} from ${current.state} to ${changed.state}`);
    const next = nextVersion(
      {
        ...changed,
        ...(changed.state !== current.state && isClosed(changed.state) ? { closedAt: now } : {}),
      },
      current,
      now,
    );
    const audit = auditDiff(requestAudit, current, next, { actor: systemActor, at: now, reason });
    if (await lostRace(deps.requests.update(next, current.version, audit))) return AGAIN;
    const event = eventOf(current, next);
    if (event)
      await deps.events.publish([
        {
          type: event,
          id: deps.ids.next(),
          at: now,
          detail: {
            requestId: next.id,
            number: next.number,
            state: next.state,
            ...(next.approval.reason ? { reason: next.approval.reason } : {}),
          },
        },
      ]);
    return next;
  });
}

const isClosed = (state: RequestState) =>
  state === 'fulfilled' || state === 'rejected' || state === 'cancelled';

function eventOf(before: CatalogRequest, after: CatalogRequest): DomainEvent['type'] | undefined {
  if (before.state === after.state) return undefined;
  if (after.state === 'in_fulfilment') return 'request.approved';
  if (after.state === 'rejected') return 'request.rejected';
  if (after.state === 'fulfilled') return 'request.fulfilled';
  if (after.state === 'cancelled') return 'request.cancelled';
  return undefined;
}

export const viewRequest = (deps: RequestDeps, actor: Actor, id: string) => loadRequest(deps, actor, id);

export async function findRequestByNumber(deps: RequestDeps, actor: Actor, raw: string) {
  const number = RecordNumber.parse(raw.trim().toUpperCase());
  const request = await deps.requests.findByNumber(number);
  if (!request || !(await mayViewRequest(deps, actor, request)))
    throw new NotFoundError(`No request ${number}`);
  return request;
}

export function myRequests(deps: RequestDeps, actor: Actor, cursor?: string): Promise<Page<CatalogRequest>> {
  return deps.requests.listFor(normalizeEmail(actor.email), { limit: 25, ...(cursor ? { cursor } : {}) });
}

/** What the requester sees: the request, its approval steps and its tasks, and what happens next. */
export async function requestProgress(deps: RequestDeps, actor: Actor, id: string) {
  const request = await loadRequest(deps, actor, id);
  const [steps, tasks] = await Promise.all([deps.requests.steps(id), deps.requests.tasksOf(id)]);
  return {
    request,
    approvals: steps.map((s) => ({
      index: s.index,
      kind: s.kind,
      status: s.status,
      approvers: s.approvers,
      decisions: s.decisions.map((d) => ({
        by: d.by.email,
        decision: d.decision,
        comment: d.comment,
        at: d.at,
      })),
    })),
    tasks: tasks.map((t) => ({
      id: t.id,
      number: t.number,
      step: t.step,
      title: t.title,
      group: t.group,
      state: t.state,
      ...(t.assignee ? { assignee: t.assignee.email } : {}),
      ...(t.closedAt ? { closedAt: t.closedAt } : {}),
    })),
    next: nextOf(request, steps, tasks),
  };
}

function nextOf(
  request: CatalogRequest,
  steps: readonly { status: string; kind: RequestStepKind; approvers: readonly string[] }[],
  tasks: readonly CatalogTask[],
): string {
  switch (request.state) {
    case 'awaiting_approval': {
      const pending = steps.find((s) => s.status === 'pending');
      return pending
        ? `Waiting for approval (${pending.kind}) from ${pending.approvers.join(', ')}`
        : 'Waiting for approval';
    }
    case 'in_fulfilment': {
      const open = tasks.filter((t) => t.state === 'open' || t.state === 'in_progress');
      return open.length > 0
        ? `Being worked on: ${open.map((t) => `${t.title} (${t.assignee?.email ?? t.group})`).join('; ')}`
        : 'Preparing the next tasks';
    }
    case 'fulfilled':
      return 'Everything you ordered was delivered';
    case 'rejected':
      return `Rejected${request.approval.reason ? `: ${request.approval.reason}` : ''}`;
    case 'cancelled':
      return 'Cancelled';
  }
}

/** The requester withdraws a request still waiting for approval; its workflow stops. */
export async function cancelRequest(deps: RequestDeps, actor: Actor, id: string, version: number) {
  const current = await loadRequest(deps, actor, id);
  requireVersion(current, version);
  const me = normalizeEmail(actor.email);
  if (current.requester.email !== me && current.requestedFor.email !== me)
    throw new ForbiddenError('Only the requester cancels a request');
  if (!mayMove(requestLifecycle, current.state, 'cancelled', 'requester'))
    throw new ValidationError('Too late to cancel', [
      { path: 'state', message: `is ${current.state}; only a request awaiting approval can be cancelled` },
    ]);
  const now = deps.clock.now().toISOString();
  const next = nextVersion({ ...current, state: 'cancelled' as const, closedAt: now }, current, now);
  await deps.requests.update(
    next,
    current.version,
    auditDiff(requestAudit, current, next, { actor: ref(actor), at: now }),
  );
  if (current.executionId) await deps.workflow.stop(current.executionId, `Cancelled by ${me}`);
  await deps.events.publish([
    {
      type: 'request.cancelled',
      id: deps.ids.next(),
      at: now,
      detail: { requestId: id, number: next.number },
    },
  ]);
  return next;
}

export async function requestHistory(deps: RequestDeps, actor: Actor, id: string, cursor?: string) {
  await loadRequest(deps, actor, id);
  return deps.requests.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

// ——— the workflow's plan ———

/** One approval step the policies of an order's items ask for. */
export interface PlannedApproval {
  readonly kind: RequestStepKind;
  readonly people: readonly string[];
  readonly groups: readonly string[];
}

/**
 * The approval chain of an order, from its items' policies: the manager once if any item needs
 * it, each group once, and a cost approver group once for each threshold the order's total
 * exceeds. Without a manager in the directory the escalation group stands in.
 */
export function plannedApprovals(
  items: readonly { readonly item: Pick<CatalogItem, 'approval'> }[],
  cost: number | undefined,
  manager: string | undefined,
  escalationGroup: string,
): PlannedApproval[] {
  const steps: PlannedApproval[] = [];
  const add = (step: PlannedApproval) => {
    if (!steps.some((s) => s.kind === step.kind && JSON.stringify(s) === JSON.stringify(step)))
      steps.push(step);
  };
  if (items.some(({ item }) => item.approval.policy === 'manager'))
    add(
      manager
        ? { kind: 'manager', people: [manager], groups: [] }
        : { kind: 'manager', people: [], groups: [escalationGroup] },
    );
  for (const { item } of items)
    if (item.approval.policy === 'group' && item.approval.group)
      add({ kind: 'group', people: [], groups: [item.approval.group] });
  for (const { item } of items) {
    const threshold = item.approval.costThreshold;
    if (threshold && (cost ?? 0) > threshold.above)
      add({ kind: 'cost', people: [], groups: [threshold.group] });
  }
  return steps;
}

export async function approvalsOf(deps: RequestDeps, request: CatalogRequest): Promise<PlannedApproval[]> {
  const items = await orderedItems(deps, request);
  return plannedApprovals(
    items,
    request.cost,
    await deps.catalog.managerOf(request.requestedFor.email),
    deps.settings.escalationGroup,
  );
}

/** What the workflow's first task returns: the approval steps to wait for and the stages of tasks. */
export async function planRequest(deps: RequestDeps, requestId: string) {
  const request = await deps.requests.get(requestId);
  if (!request) throw new NotFoundError(`No request ${requestId}`);
  const items = await orderedItems(deps, request);
  const approvals = await approvalsOf(deps, request);
  if (approvals.length === 0)
    await saveSystem(
      deps,
      requestId,
      (r) => (r.approval.status === 'pending' ? { ...r, approval: { status: 'not_required' } } : undefined),
      'no approval needed',
    );
  return {
    approvals: approvals.map((_, i) => ({ index: i + 1 })),
    stages: expandPlan(items).map((tasks) => ({
      tasks: tasks.map((t) => ({ step: t.step, automated: t.automation !== undefined })),
    })),
  };
}

/** The approvals are through (or none were needed): fulfilment starts. */
export function startFulfilment(deps: RequestDeps, requestId: string) {
  return saveSystem(
    deps,
    requestId,
    (r) =>
      r.state === 'awaiting_approval'
        ? {
            ...r,
            state: 'in_fulfilment',
            approval: {
              ...r.approval,
              status: r.approval.status === 'not_required' ? 'not_required' : 'approved',
              decidedAt: deps.clock.now().toISOString(),
            },
          }
        : undefined,
    'approved',
  );
}

/** The workflow's verdict when the approvals did not pass, or its end once every task closed. */
export function finishRequest(
  deps: RequestDeps,
  requestId: string,
  outcome: 'rejected' | 'expired' | 'fulfilled',
  reason?: string,
) {
  return saveSystem(
    deps,
    requestId,
    (r) => {
      if (outcome === 'fulfilled')
        return r.state === 'in_fulfilment' ? { ...r, state: 'fulfilled' } : undefined;
      if (r.state !== 'awaiting_approval') return undefined;
      return {
        ...r,
        state: 'rejected',
        approval: {
          status: outcome,
          reason: reason ?? (outcome === 'expired' ? 'Nobody approved it in time' : 'Rejected'),
          decidedAt: deps.clock.now().toISOString(),
        },
      };
    },
    outcome,
  );
}

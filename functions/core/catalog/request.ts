import * as z from 'zod';
import { stepProgress } from '../approval/decision.ts';
import type { AuditSpec } from '../record/audit.ts';
import { type LifecycleTable, movesFrom } from '../record/lifecycle.ts';
import { Label, Person, RecordNumber } from '../record/record.ts';
import { type CatalogItem, PlannedTask } from './catalog.ts';

/**
 * A catalog request (`REQ…`) and its fulfilment tasks (`TASK…`), two record types on the
 * engine. A request holds the items ordered, each with the item version it was ordered under
 * and the answers validated against that version's form; it waits for its approvals, then its
 * tasks, and closes when the last task closes.
 */
const Answer = z.union([z.string().max(10_000), z.boolean(), z.array(z.string().max(64)).max(50)]);

export const RequestedItem = z.object({
  itemId: z.string().min(2).max(48),
  /** The item version the order was validated against; later edits of the item never touch it. */
  itemVersion: z.number().int().min(1),
  name: z.string().max(80),
  quantity: z.number().int().min(1).max(100),
  answers: z.record(z.string().max(40), Answer),
});
export type RequestedItem = z.infer<typeof RequestedItem>;

export const RequestState = z.enum([
  'awaiting_approval',
  'in_fulfilment',
  'fulfilled',
  'rejected',
  'cancelled',
]);
export type RequestState = z.infer<typeof RequestState>;

export const CatalogRequest = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  /** Who ordered (an employee, or an agent on behalf of a caller). */
  requester: Person,
  /** Who it is for: the requester, or the caller an agent ordered for. */
  requestedFor: Person,
  items: z.array(RequestedItem).min(1).max(20),
  /** The total cost of the order, when its items have one. */
  cost: z.number().min(0).optional(),
  state: RequestState,
  approval: z.object({
    status: z.enum(['not_required', 'pending', 'approved', 'rejected', 'expired']),
    /** Why it was rejected, as the approver wrote it (mailed to the requester). */
    reason: z.string().max(2000).optional(),
    decidedAt: z.iso.datetime().optional(),
  }),
  /** Groups with a task on it: their agents may see the request. */
  fulfillingGroups: z.array(Label).max(50).default([]),
  executionId: z.string().max(2048).optional(),
  closedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type CatalogRequest = z.infer<typeof CatalogRequest>;

export const TaskState = z.enum(['open', 'in_progress', 'closed', 'cancelled']);
export type TaskState = z.infer<typeof TaskState>;

export const CatalogTask = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  requestId: z.string().min(1).max(64),
  requestNumber: RecordNumber,
  /** Who the request is for, so the task queue shows it without reading the request. */
  requestedFor: z.email().max(254),
  /** `{stage}.{task}` of the plan, from 1: where the task sits in its request. */
  step: z.string().regex(/^\d+\.\d+$/),
  ...PlannedTask.shape,
  itemName: z.string().max(80),
  state: TaskState,
  assignee: Person.optional(),
  closeNote: z.string().max(4000).optional(),
  /** Why the automation of an automated task failed: the task waits for a person instead. */
  automationError: z.string().max(2000).optional(),
  closedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type CatalogTask = z.infer<typeof CatalogTask>;

/** One history entry of a request or a task (`recordId` names it). */
export const CatalogAuditEntry = z.object({
  recordId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: z.object({ id: z.string(), email: z.string() }),
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(2000).optional(),
});
export type CatalogAuditEntry = z.infer<typeof CatalogAuditEntry>;

/**
 * Who approves, step by step: the manager, a group, the cost approvers. A step is decided by
 * any one of its approvers (an escalation approver decides alone too).
 */
export const RequestStepKind = z.enum(['manager', 'group', 'cost']);
export type RequestStepKind = z.infer<typeof RequestStepKind>;

export const RequestApprovalStep = z.object({
  requestId: z.string().min(1).max(64),
  /** Position in the request's approval chain, from 1. */
  index: z.number().int().min(1).max(10),
  kind: RequestStepKind,
  ...stepProgress,
});
export type RequestApprovalStep = z.infer<typeof RequestApprovalStep>;

/** A pending request approval in one approver's inbox. */
export const RequestInboxEntry = z.object({
  approver: z.string().max(254),
  requestId: z.string().min(1).max(64),
  number: RecordNumber,
  index: z.number().int().min(1),
  kind: RequestStepKind,
  summary: z.string().max(300),
  requestedFor: z.string().max(254),
  cost: z.number().optional(),
  requestedAt: z.iso.datetime(),
});
export type RequestInboxEntry = z.infer<typeof RequestInboxEntry>;

// ——— lifecycles ———

/** Requests are moved by the workflow (`system`) and cancelled by their requester before fulfilment. */
export type RequestRole = 'requester' | 'system';
export const requestLifecycle: LifecycleTable<RequestState, RequestRole> = {
  states: RequestState.options,
  initial: 'awaiting_approval',
  roles: ['requester', 'system'],
  moves: [
    ...movesFrom<RequestState, RequestRole>(
      { awaiting_approval: ['in_fulfilment', 'rejected', 'cancelled'], in_fulfilment: ['fulfilled'] },
      ['system'],
    ),
    { from: 'awaiting_approval', to: 'cancelled', roles: ['requester'] },
  ],
};

export type TaskRole = 'fulfiller' | 'system';
export const taskLifecycle: LifecycleTable<TaskState, TaskRole> = {
  states: TaskState.options,
  initial: 'open',
  roles: ['fulfiller', 'system'],
  moves: [
    ...movesFrom<TaskState, TaskRole>(
      { open: ['in_progress', 'closed'], in_progress: ['open', 'closed'] },
      ['fulfiller'],
      { closed: ['closeNote'] },
    ),
    { from: 'open', to: 'cancelled', roles: ['system'] },
    { from: 'in_progress', to: 'cancelled', roles: ['system'] },
    // An automation that did the work closes its task, with the hook's result as the note.
    { from: 'open', to: 'closed', roles: ['system'], requires: ['closeNote'] },
  ],
};

export const requestAudit: AuditSpec<CatalogRequest> = [
  'state',
  { field: 'approval', value: (r) => r.approval.status, reason: (_, after) => after.approval.reason },
  'fulfillingGroups',
];
export const taskAudit: AuditSpec<CatalogTask> = [
  'state',
  { field: 'assignee', value: (t) => t.assignee?.email },
  'closeNote',
  'automationError',
];

// ——— plans ———

/** A task of an expanded plan: which item it serves and where it sits. */
export interface ExpandedTask extends PlannedTask {
  readonly step: string;
  readonly itemName: string;
  /** The requested item it serves: its index in the request's `items`. */
  readonly line: number;
}

/**
 * The request's whole plan: stage n of every ordered item runs together as the request's
 * stage n, so the items of one order are fulfilled side by side; an item ordered twice
 * contributes its tasks once per unit. Stage and task numbers count from 1.
 */
export function expandPlan(
  items: readonly { readonly item: Pick<CatalogItem, 'name' | 'plan'>; readonly quantity: number }[],
): ExpandedTask[][] {
  const stages: Omit<ExpandedTask, 'step'>[][] = [];
  for (const [line, { item, quantity }] of items.entries())
    for (let unit = 1; unit <= quantity; unit++)
      item.plan.stages.forEach((stage, s) => {
        stages[s] ??= [];
        for (const task of stage.tasks)
          stages[s]?.push({
            ...task,
            title: quantity > 1 ? `${task.title} (${unit} of ${quantity})` : task.title,
            itemName: item.name,
            line,
          });
      });
  return stages.map((tasks, s) => tasks.map((task, t) => ({ ...task, step: `${s + 1}.${t + 1}` })));
}

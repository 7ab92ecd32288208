import * as z from 'zod';
import type { AuditSpec } from '../record/audit.ts';
import { type LifecycleTable, movesFrom } from '../record/lifecycle.ts';
import { Label, Person, RecordLink, RecordNumber } from '../record/record.ts';

/**
 * The problem record (ITIL problem management): the cause of one or more incidents, found,
 * worked around and fixed. The first record type born on the engine: its schema, lifecycle
 * table and audit spec are all it declares; numbers, versions, history and events come from
 * the kernel. Affected services and configuration items are plain references until the CMDB
 * exists.
 */
export const ProblemState = z.enum([
  'new',
  'assess',
  'root_cause_analysis',
  'fix_in_progress',
  'resolved',
  'closed',
  'cancelled',
]);
export type ProblemState = z.infer<typeof ProblemState>;

/** ITIL impact and urgency: 1 = high, 2 = medium, 3 = low. */
const Level = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const Text = z.string().trim().min(1).max(10_000);

export const Problem = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  /** The problem statement. */
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(10_000).default(''),
  category: Label.optional(),
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  impact: Level,
  urgency: Level,
  priority: z.number().int().min(1).max(5),
  assignmentGroup: Label.optional(),
  assignee: Person.optional(),
  /** Who raised it (a problem manager, or an agent from an incident). */
  requester: Person,
  state: ProblemState,
  rootCause: Text.optional(),
  workaround: Text.optional(),
  /** A problem with a published workaround is a known error: employees and agents see the workaround. */
  workaroundPublished: z.boolean().default(false),
  fix: Text.optional(),
  /** Incidents of this problem, the changes that fix it, related records of any type. */
  links: z.array(RecordLink).max(200).default([]),
  watchers: z.array(z.email().max(254)).max(50).default([]),
  closedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Problem = z.infer<typeof Problem>;

/** An immutable history entry of a problem. */
export const ProblemAuditEntry = z.object({
  problemId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: z.object({ id: z.string(), email: z.string() }),
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(2000).optional(),
});
export type ProblemAuditEntry = z.infer<typeof ProblemAuditEntry>;

/**
 * Who moves a problem: the agents working it, and the system (a linked change that closes
 * successfully moves its problem on).
 */
export type ProblemRole = 'agent' | 'system';

const byAgent: Readonly<Record<ProblemState, readonly ProblemState[]>> = {
  new: ['assess', 'cancelled'],
  assess: ['root_cause_analysis', 'cancelled'],
  root_cause_analysis: ['fix_in_progress', 'cancelled'],
  fix_in_progress: ['resolved', 'root_cause_analysis', 'cancelled'],
  resolved: ['closed', 'fix_in_progress'],
  closed: [],
  cancelled: [],
};

/** The problem lifecycle: new → assess → root-cause analysis → fix in progress → resolved → closed; cancelled. */
export const problemLifecycle: LifecycleTable<ProblemState, ProblemRole> = {
  states: ProblemState.options,
  initial: 'new',
  roles: ['agent', 'system'],
  moves: [
    ...movesFrom(byAgent, ['agent'], { fix_in_progress: ['rootCause'], resolved: ['fix'] }),
    { from: 'fix_in_progress', to: 'resolved', roles: ['system'] },
  ],
};

/** What the history of a problem follows. */
export const problemAudit: AuditSpec<Problem> = [
  'shortDescription',
  'description',
  'category',
  'services',
  'configurationItems',
  'impact',
  'urgency',
  'priority',
  'assignmentGroup',
  { field: 'assignee', value: (problem) => problem.assignee?.email },
  'state',
  'rootCause',
  'workaround',
  'workaroundPublished',
  'fix',
  'links',
  'watchers',
];

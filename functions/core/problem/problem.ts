import * as z from 'zod';
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
import { defaultPriorityMatrix, Level, Priority, type PriorityMatrix } from '../ticket/priority.ts';

/**
 * Problem management (ITIL): the cause behind one or more incidents. A problem carries its
 * statement, the services and configuration items it affects, the root cause once found, a
 * workaround (a *known error* once published) and the fix, usually delivered by a change.
 * Numbering, versions, history, lifecycle rules and links come from the record kernel.
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

/** States in which a problem is still worked (and a published workaround is a known error). */
export const openProblemStates: readonly ProblemState[] = [
  'new',
  'assess',
  'root_cause_analysis',
  'fix_in_progress',
  'resolved',
];

export const Problem = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  /** The problem statement in one line, and in full. */
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(10_000),
  category: Label.optional(),
  /** Affected services and configuration items: references until the CMDB exists. */
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  state: ProblemState,
  impact: Level,
  urgency: Level,
  priority: Priority,
  assignmentGroup: Label.optional(),
  assignee: Person.optional(),
  rootCause: z.string().max(10_000).optional(),
  workaround: z.string().max(10_000).optional(),
  /** A published workaround makes the problem a known error, shown to the incidents' requesters. */
  workaroundPublished: z.boolean().default(false),
  fix: z.string().max(10_000).optional(),
  cancelReason: z.string().max(4000).optional(),
  watchers: z.array(z.email().max(254)).max(50).default([]),
  openedBy: Person,
  resolvedAt: z.iso.datetime().optional(),
  closedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Problem = z.infer<typeof Problem>;

/** A known error as listed and offered to agents and, for its workaround, to requesters. */
export const KnownError = Problem.pick({
  id: true,
  number: true,
  shortDescription: true,
  category: true,
  services: true,
  configurationItems: true,
  workaround: true,
  state: true,
  updatedAt: true,
});
export type KnownError = z.infer<typeof KnownError>;

export const isKnownError = (p: Problem): boolean =>
  p.workaroundPublished && Boolean(p.workaround) && openProblemStates.includes(p.state);

export const ProblemAuditEntry = z.object({
  problemId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: z.object({ id: z.string(), email: z.string() }),
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(200).optional(),
});
export type ProblemAuditEntry = z.infer<typeof ProblemAuditEntry>;

/** A work note (internal) or a reply on a problem: the article model of the conversation. */
export const ProblemArticle = z.object({
  id: z.string().min(1).max(64),
  problemId: z.string().min(1).max(64),
  type: z.enum(['reply', 'note', 'system']),
  author: Person.partial({ id: true }),
  body: z.string().max(100_000),
  createdAt: z.iso.datetime(),
});
export type ProblemArticle = z.infer<typeof ProblemArticle>;

// ——— lifecycle ———

/**
 * `worker`: an agent of the problem's group, its assignee or an admin; `manager`: a problem
 * manager; `system`: Spoke itself (a linked change closed successfully).
 */
export type ProblemRole = 'worker' | 'manager' | 'system';

const byPeople: Readonly<Record<ProblemState, readonly ProblemState[]>> = {
  new: ['assess', 'cancelled'],
  assess: ['root_cause_analysis', 'cancelled'],
  root_cause_analysis: ['fix_in_progress', 'resolved', 'cancelled'],
  fix_in_progress: ['root_cause_analysis', 'resolved', 'cancelled'],
  resolved: ['fix_in_progress', 'closed'],
  closed: [],
  cancelled: [],
};

/** What each move needs filled in; a resolved problem has its root cause and its fix. */
const requires: Partial<Record<ProblemState, readonly string[]>> = {
  fix_in_progress: ['rootCause'],
  resolved: ['rootCause', 'fix'],
  cancelled: ['cancelReason'],
};

export const problemLifecycle: LifecycleTable<ProblemState, ProblemRole> = {
  states: ProblemState.options,
  initial: 'new',
  roles: ['worker', 'manager', 'system'],
  moves: [
    ...movesFrom(byPeople, ['worker', 'manager'], requires),
    { from: 'fix_in_progress', to: 'resolved', roles: ['system'], requires: requires.resolved ?? [] },
  ],
};

export const nextProblemStates = (state: ProblemState, role: ProblemRole): ProblemState[] =>
  allowedMoves(problemLifecycle, state, role);

/** What a move may bring with it: the fields it requires, filled in on the way. */
export interface ProblemMove {
  readonly to: ProblemState;
  readonly rootCause?: string | undefined;
  readonly fix?: string | undefined;
  readonly cancelReason?: string | undefined;
}

/**
 * The record after a move: refused (400, naming the state or the missing fields) when the
 * table does not let this role make it.
 */
export function applyMove(current: Problem, move: ProblemMove, role: ProblemRole, at: string): Problem {
  if (
    isFinalState(problemLifecycle, current.state) ||
    !mayMove(problemLifecycle, current.state, move.to, role)
  )
    throw new ValidationError(`A problem cannot move from ${current.state} to ${move.to}`, [
      {
        path: 'to',
        message: `from ${current.state} only ${nextProblemStates(current.state, role).join(', ') || 'nothing'}`,
      },
    ]);
  const next: Problem = {
    ...current,
    ...(move.rootCause ? { rootCause: move.rootCause } : {}),
    ...(move.fix ? { fix: move.fix } : {}),
    ...(move.cancelReason ? { cancelReason: move.cancelReason } : {}),
    state: move.to,
  };
  const missing = requiredFields(problemLifecycle, current.state, move.to).filter(
    (field) => !next[field as keyof Problem],
  );
  if (missing.length > 0)
    throw new ValidationError(`Moving to ${move.to} needs ${missing.join(', ')}`, [
      ...missing.map((path) => ({ path, message: `is required to move to ${move.to}` })),
    ]);
  if (move.to === 'resolved') next.resolvedAt = at;
  if (move.to === 'closed') next.closedAt = at;
  if (move.to === 'fix_in_progress' || move.to === 'root_cause_analysis') delete next.resolvedAt;
  return next;
}

/** The fields the history follows (and `problem.updated` announces). */
export const problemAudit: AuditSpec<Problem> = [
  'state',
  'shortDescription',
  'description',
  'category',
  'services',
  'configurationItems',
  'impact',
  'urgency',
  'priority',
  'assignmentGroup',
  { field: 'assignee', value: (p) => p.assignee?.email },
  'rootCause',
  'workaround',
  'workaroundPublished',
  'fix',
  'cancelReason',
  'watchers',
];

export const diffProblems = (
  before: Problem,
  after: Problem,
  write: { readonly actor: ActorRef; readonly at: string; readonly reason?: string | undefined },
): AuditDraft[] => auditDiff(problemAudit, before, after, write);

// ——— known-error matching ———

/** What an incident offers to match known errors on. */
export interface IncidentFacts {
  readonly service?: string | undefined;
  readonly category?: string | undefined;
  readonly configurationItems?: readonly string[];
  readonly text?: string;
}

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'not', 'does', 'cannot', 'from', 'this', 'that']);
export const wordsOf = (text: string): Set<string> =>
  new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 3 && !STOP_WORDS.has(w)),
  );

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * How well a known error fits an incident: 3 for each shared service or configuration item,
 * 2 for the category, 1 per shared word of the statement; 0 means no match.
 */
export function matchScore(error: KnownError, facts: IncidentFacts): number {
  const services = error.services.filter((s) => same(s, facts.service)).length;
  const items = error.configurationItems.filter((ci) =>
    (facts.configurationItems ?? []).some((own) => same(ci, own)),
  ).length;
  const category = same(error.category, facts.category) ? 1 : 0;
  const words = facts.text ? wordsOf(facts.text) : new Set<string>();
  const shared = [...wordsOf(`${error.shortDescription} ${error.workaround ?? ''}`)].filter((w) =>
    words.has(w),
  ).length;
  return 3 * (services + items) + 2 * category + shared;
}

/** Known errors matching an incident, best first. */
export const matchKnownErrors = (errors: readonly KnownError[], facts: IncidentFacts): KnownError[] =>
  errors
    .map((error) => ({ error, score: matchScore(error, facts) }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || b.error.updatedAt.localeCompare(a.error.updatedAt))
    .map((m) => m.error);

// ——— proactive problem management ———

/** What incidents are counted by: each incident counts once per dimension it has. */
export type HitDimension = 'service' | 'category';

export interface ProactiveSettings {
  /** Incidents on one service or category within the window that suggest a problem. @default 5 */
  readonly threshold: number;
  /** @default 7 */
  readonly windowDays: number;
}

export const defaultProactiveSettings: ProactiveSettings = { threshold: 5, windowDays: 7 };

/** The days (`yyyy-mm-dd`, UTC) of a window ending on `at`'s day, oldest first. */
export function windowDays(at: string, days: number): string[] {
  const end = Date.parse(`${at.slice(0, 10)}T00:00:00.000Z`);
  return Array.from({ length: days }, (_, i) =>
    new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

export const ProblemSuggestion = z.object({
  dimension: z.enum(['service', 'category']),
  value: Label,
  incidents: z.number().int().min(1),
  windowDays: z.number().int().min(1),
  /** The day (UTC) the window ended when the threshold was crossed. */
  day: z.iso.date(),
  suggestedAt: z.iso.datetime(),
});
export type ProblemSuggestion = z.infer<typeof ProblemSuggestion>;

// ——— settings ———

export interface ProblemSettings {
  readonly priorityMatrix: PriorityMatrix;
  /** The group of problem managers (they see and move every problem). @default 'problem-managers' */
  readonly managersGroup: string;
  /** What a successful fix does to the linked incidents. @default 'notify' */
  readonly onFix: 'notify' | 'notify-and-resolve';
  readonly proactive: ProactiveSettings;
  /** Known errors read to match an incident. @default 500 */
  readonly knownErrorLimit: number;
}

export const defaultProblemSettings: ProblemSettings = {
  priorityMatrix: defaultPriorityMatrix,
  managersGroup: 'problem-managers',
  onFix: 'notify',
  proactive: defaultProactiveSettings,
  knownErrorLimit: 500,
};

import type { Problem, ProblemAuditEntry, ProblemState } from '#core/problem/problem.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';

export type ProblemList =
  | { readonly by: 'state'; readonly state: ProblemState }
  | { readonly by: 'group'; readonly group: string; readonly state: ProblemState };

/** Where problems and their history live. */
export interface ProblemStore {
  /** Stores a new problem under the next `PRB` number, with its first audit entries. */
  create(problem: Omit<Problem, 'number'>, audit: readonly AuditDraft[]): Promise<Problem>;
  get(id: string): Promise<Problem | undefined>;
  findByNumber(number: string): Promise<Problem | undefined>;
  /** Replaces a problem still at `expectedVersion`; else `ConflictError` with the current one. */
  update(problem: Problem, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void>;
  /** Most recently updated first. */
  list(list: ProblemList, page: PageRequest): Promise<Page<Problem>>;
  history(id: string, page: PageRequest): Promise<Page<ProblemAuditEntry>>;
}

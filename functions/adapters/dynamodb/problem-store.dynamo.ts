import { Problem, type ProblemAuditEntry } from '#core/problem/problem.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import type { ProblemList, ProblemStore } from '#ports/problem-store.ts';
import { problemAuditEntity, problemEntity } from './problem-entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { RecordTable, type RecordTableOptions } from './record-table.ts';

/** Problems on the record table (keys in `entities.ts`): the first record type born on the engine. */
export class DynamoProblemStore implements ProblemStore {
  readonly #table: RecordTable;
  readonly #problems: RecordCollection<Problem, ProblemAuditEntry>;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
    this.#problems = new RecordCollection(this.#table, {
      kind: 'problem',
      record: problemEntity as unknown as RecordEntity<Problem>,
      audit: problemAuditEntity as unknown as AuditEntity<ProblemAuditEntry>,
      idField: 'problemId',
    });
  }

  create(record: Omit<Problem, 'number'>, audit: readonly AuditDraft[]): Promise<Problem> {
    return this.#problems.create(record, audit, (r) => Problem.parse(r));
  }

  get(id: string): Promise<Problem | undefined> {
    return this.#problems.get(id);
  }

  findByNumber(number: string): Promise<Problem | undefined> {
    return this.#problems.findByNumber(number);
  }

  update(problem: Problem, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void> {
    return this.#problems.update(problem, expectedVersion, audit);
  }

  list(list: ProblemList, page: PageRequest): Promise<Page<Problem>> {
    const partition =
      list.by === 'state'
        ? problemEntity.partition('gsi2', { state: list.state })
        : problemEntity.partition('gsi3', { group: list.group, state: list.state });
    return this.#table.page(
      partition,
      { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) },
      problemEntity.parse,
    );
  }

  history(id: string, page: PageRequest): Promise<Page<ProblemAuditEntry>> {
    return this.#problems.history(id, page);
  }
}

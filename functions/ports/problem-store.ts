import type {
  HitDimension,
  Problem,
  ProblemArticle,
  ProblemAuditEntry,
  ProblemState,
  ProblemSuggestion,
} from '#core/problem/problem.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { NumberedKind, Page, PageRequest, RecordRef, StoredLink } from '#core/record/record.ts';

export type ProblemList =
  | { readonly by: 'state'; readonly state: ProblemState }
  | { readonly by: 'group'; readonly group: string };

export interface ProblemWithConversation {
  readonly problem: Problem;
  readonly articles: readonly ProblemArticle[];
  /** Every link of the problem (incidents, changes), read in the same Query. */
  readonly links: readonly StoredLink[];
}

/** Where problems live, with their conversation, history, links and the incident counters. */
export interface ProblemStore {
  /** Numbers (`PRB…`) and stores a problem with its audit entries and links in one transaction. */
  create(
    problem: Omit<Problem, 'number'>,
    audit: readonly AuditDraft[],
    links?: (problem: Problem) => readonly StoredLink[],
  ): Promise<Problem>;
  get(id: string): Promise<ProblemWithConversation | undefined>;
  findByNumber(number: string): Promise<Problem | undefined>;
  /** Writes a problem if it is still at `expectedVersion` (else `ConflictError` with the current one). */
  update(
    problem: Problem,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    articles?: readonly ProblemArticle[],
  ): Promise<void>;
  list(list: ProblemList, page: PageRequest): Promise<Page<Problem>>;
  history(id: string, page: PageRequest): Promise<Page<ProblemAuditEntry>>;
  /** Known errors, most recently updated first (at most `limit`). */
  knownErrors(limit: number): Promise<Problem[]>;

  /** Stores a link on both records with audit entries on the problem; false when it existed. */
  link(link: StoredLink, problemId: string, audit: readonly AuditDraft[]): Promise<boolean>;
  /** Removes a link from both records; false when there was none. */
  unlink(link: StoredLink, problemId: string, audit: readonly AuditDraft[]): Promise<boolean>;
  /** A record's links to records of one kind: one Query on its item collection. */
  linksOf(owner: Pick<RecordRef, 'kind' | 'id'>, kind: NumberedKind): Promise<StoredLink[]>;

  /**
   * Counts an incident once on each of its day's counters (service, category); false when the
   * event had been counted (events arrive at least once).
   */
  countIncident(
    eventId: string,
    day: string,
    hits: readonly { readonly dimension: HitDimension; readonly value: string }[],
  ): Promise<boolean>;
  /** Incidents counted on a service or category over the given days. */
  hits(dimension: HitDimension, value: string, days: readonly string[]): Promise<number>;
  /** Stores a suggestion unless one for the same service or category is newer than `since`. */
  suggest(suggestion: ProblemSuggestion, since: string): Promise<boolean>;
  suggestions(page: PageRequest): Promise<Page<ProblemSuggestion>>;
}

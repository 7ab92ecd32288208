import type {
  Audience,
  KnowledgeArticle,
  KnowledgeAuditEntry,
  KnowledgeFeedback,
  KnowledgeRevision,
  KnowledgeState,
  KnowledgeStats,
} from '#core/knowledge/knowledge.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';

/** The lists of articles a store serves, each one query. */
export type KnowledgeList =
  | { readonly by: 'state'; readonly state: KnowledgeState }
  | { readonly by: 'published'; readonly audience: Audience }
  | { readonly by: 'category'; readonly audience: Audience; readonly category: string }
  | { readonly by: 'review' };

/** A counter beside an article, raised atomically. */
export type KnowledgeCounter = 'views' | 'suggestionOpens' | 'deflections';

/** Where knowledge articles, their revisions, feedback, counters and history live. */
export interface KnowledgeStore {
  /** Stores a new article under the next `KB` number with its first revision and audit entries. */
  create(
    article: Omit<KnowledgeArticle, 'number'>,
    revision: KnowledgeRevision,
    audit: readonly AuditDraft[],
  ): Promise<KnowledgeArticle>;
  get(id: string): Promise<KnowledgeArticle | undefined>;
  findByNumber(number: string): Promise<KnowledgeArticle | undefined>;
  /** Replaces an article still at `expectedVersion` (else `ConflictError`), with a new revision when the content changed. */
  update(
    article: KnowledgeArticle,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    revision?: KnowledgeRevision,
  ): Promise<void>;
  /** Newest first; the review list by review-by date, soonest first. */
  list(list: KnowledgeList, page: PageRequest): Promise<Page<KnowledgeArticle>>;
  history(id: string, page: PageRequest): Promise<Page<KnowledgeAuditEntry>>;
  /** Newest first. */
  revisions(id: string, page: PageRequest): Promise<Page<KnowledgeRevision>>;
  revision(id: string, revision: number): Promise<KnowledgeRevision | undefined>;
  stats(id: string): Promise<KnowledgeStats>;
  count(id: string, counter: KnowledgeCounter): Promise<void>;
  /** Stores the feedback and raises its counter in one transaction. */
  addFeedback(feedback: KnowledgeFeedback): Promise<void>;
  /** Newest first. */
  feedback(id: string, page: PageRequest): Promise<Page<KnowledgeFeedback>>;
}

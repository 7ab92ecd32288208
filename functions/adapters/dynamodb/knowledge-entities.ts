import {
  KnowledgeArticle,
  KnowledgeAuditEntry,
  KnowledgeFeedback,
  KnowledgeRevision,
  KnowledgeStats,
} from '#core/knowledge/knowledge.ts';
import { AUDIT_SK, auditN } from './entities.ts';
import { defineEntity } from './entity.ts';

/**
 * The knowledge entities (see `entities.ts` for the conventions and `entity-list.ts` for the
 * list). An article's item collection `KB#{id}` holds the article (`#KB`), its counters
 * (`#STATS`, raised with atomic ADDs), its revisions (`REV#…`), its feedback (`FEEDBACK#…`)
 * and its history (`~AUDIT#…`). Readers' lists are sparse: only a published article is in
 * `KB_PUBLISHED#<audience>` (gsi1, newest published first), `KB_CATEGORY#<audience>#<category>`
 * (gsi3) and `KB_REVIEW` (gsi5, by review-by date); every article is in `KB_STATE#<state>`
 * (gsi2) and resolves by its number in gsi4.
 */
const published = (article: KnowledgeArticle) => article.state === 'published';

/** Revisions sort by number: `REV#0000012`. */
export const revisionKey = (revision: number): string => String(revision).padStart(7, '0');

export const knowledgeEntity = /* @__PURE__ */ defineEntity({
  name: 'knowledge',
  version: 1,
  table: 'domain',
  schema: KnowledgeArticle,
  indexes: {
    primary: { pk: 'KB#{id}', sk: '#KB' },
    gsi1: { pk: 'KB_PUBLISHED#{readers}', sk: '{publishedAt}#{id}' },
    gsi2: { pk: 'KB_STATE#{state}', sk: '{updatedAt}#{id}' },
    gsi3: { pk: 'KB_CATEGORY#{readers}#{category}', sk: '{updatedAt}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'knowledge' },
    gsi5: { pk: 'KB_REVIEW', sk: '{reviewBy}#{id}' },
  },
  facets: (article) => ({
    id: article.id,
    updatedAt: article.updatedAt,
    state: article.state,
    number: article.number,
    readers: published(article) ? article.audience : undefined,
    publishedAt: article.publishedAt,
    category: article.category,
    reviewBy: published(article) ? article.reviewBy : undefined,
  }),
});

export const knowledgeRevisionEntity = /* @__PURE__ */ defineEntity({
  name: 'knowledge-revision',
  version: 1,
  table: 'domain',
  schema: KnowledgeRevision,
  indexes: { primary: { pk: 'KB#{articleId}', sk: 'REV#{revision}' } },
  facets: (revision) => ({ articleId: revision.articleId, revision: revisionKey(revision.revision) }),
});

export const knowledgeFeedbackEntity = /* @__PURE__ */ defineEntity({
  name: 'knowledge-feedback',
  version: 1,
  table: 'domain',
  schema: KnowledgeFeedback,
  indexes: { primary: { pk: 'KB#{articleId}', sk: 'FEEDBACK#{at}#{id}' } },
  facets: (feedback) => ({ articleId: feedback.articleId, at: feedback.at, id: feedback.id }),
});

export const knowledgeStatsEntity = /* @__PURE__ */ defineEntity({
  name: 'knowledge-stats',
  version: 1,
  table: 'domain',
  schema: KnowledgeStats,
  indexes: { primary: { pk: 'KB#{articleId}', sk: '#STATS' } },
  facets: (stats) => ({ articleId: stats.articleId }),
});

export const knowledgeAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'knowledge-audit',
  version: 1,
  table: 'domain',
  schema: KnowledgeAuditEntry,
  indexes: { primary: { pk: 'KB#{articleId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    articleId: entry.articleId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

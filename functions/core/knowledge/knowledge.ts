import * as z from 'zod';
import type { AuditSpec } from '../record/audit.ts';
import { type LifecycleTable, movesFrom } from '../record/lifecycle.ts';
import { ActorRef, Label, Person, RecordNumber } from '../record/record.ts';

/**
 * The knowledge article (`KB0001001`): an answer written once and found before a ticket is
 * opened. A record on the engine like a problem: its schema, lifecycle table and audit spec are
 * all it declares. Its content changes are kept as numbered revisions (each a snapshot, so any
 * two can be compared); views and feedback are counted apart from the record, so counting a
 * reader never conflicts with an editor's versioned write.
 */
export const KnowledgeState = z.enum(['draft', 'review', 'published', 'retired']);
export type KnowledgeState = z.infer<typeof KnowledgeState>;

/** Who may read a published article: everyone (employees and agents) or agents only. */
export const Audience = z.enum(['employees', 'agents']);
export type Audience = z.infer<typeof Audience>;

/** Largest stored body (sanitized HTML). */
export const KNOWLEDGE_BODY_MAX = 100_000;

export const KnowledgeArticle = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  title: z.string().min(1).max(200),
  /** Sanitized HTML (the mail sanitizer's rules); never stored as given. */
  body: z.string().max(KNOWLEDGE_BODY_MAX),
  /** The body as plain text: what search indexes and a reply quotes. */
  text: z.string().max(KNOWLEDGE_BODY_MAX),
  category: Label.optional(),
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  audience: Audience,
  state: KnowledgeState,
  author: Person,
  /** Who published it (an agent other than the author). */
  approver: Person.optional(),
  /** The content revision: raised by every change of title or body. */
  revision: z.number().int().min(1),
  /** When the article should be checked again (a published article past it is listed as due). */
  reviewBy: z.iso.date().optional(),
  /** The ticket it was written from, when an agent turned a resolved ticket into an article. */
  sourceTicket: z.object({ id: z.string().min(1).max(64), number: RecordNumber }).optional(),
  publishedAt: z.iso.datetime().optional(),
  retiredAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type KnowledgeArticle = z.infer<typeof KnowledgeArticle>;

/** One content revision: the title and body as they were after that edit. */
export const KnowledgeRevision = z.object({
  articleId: z.string().min(1).max(64),
  revision: z.number().int().min(1),
  title: z.string().min(1).max(200),
  body: z.string().max(KNOWLEDGE_BODY_MAX),
  text: z.string().max(KNOWLEDGE_BODY_MAX),
  at: z.iso.datetime(),
  actor: ActorRef,
});
export type KnowledgeRevision = z.infer<typeof KnowledgeRevision>;

/** "Did this help?" with an optional comment. */
export const KnowledgeFeedback = z.object({
  articleId: z.string().min(1).max(64),
  id: z.string().min(1).max(64),
  helpful: z.boolean(),
  comment: z.string().max(2000).optional(),
  actor: ActorRef,
  at: z.iso.datetime(),
});
export type KnowledgeFeedback = z.infer<typeof KnowledgeFeedback>;

/** The counters of an article, kept beside it and raised atomically. */
export const KnowledgeStats = z.object({
  articleId: z.string().min(1).max(64),
  views: z.number().int().min(0).default(0),
  helpful: z.number().int().min(0).default(0),
  notHelpful: z.number().int().min(0).default(0),
  /** Opens from a suggestion shown while someone wrote a ticket (deflection). */
  suggestionOpens: z.number().int().min(0).default(0),
  /** "This solved it": someone opened it from a suggestion and did not open a ticket after all. */
  deflections: z.number().int().min(0).default(0),
});
export type KnowledgeStats = z.infer<typeof KnowledgeStats>;

/** An immutable history entry of an article. */
export const KnowledgeAuditEntry = z.object({
  articleId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: ActorRef,
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(2000).optional(),
});
export type KnowledgeAuditEntry = z.infer<typeof KnowledgeAuditEntry>;

/** Authors write and submit; approvers (agents other than the author) publish, send back, retire. */
export type KnowledgeRole = 'author' | 'approver';

/**
 * draft → review → published → retired. A reviewer sends an article back to draft; a
 * published article goes back to draft to be rewritten (it leaves the readers' lists until it
 * is published again); a retired one can be taken up again as a draft.
 */
export const knowledgeLifecycle: LifecycleTable<KnowledgeState, KnowledgeRole> = {
  states: KnowledgeState.options,
  initial: 'draft',
  roles: ['author', 'approver'],
  moves: [
    ...movesFrom<KnowledgeState, KnowledgeRole>(
      { draft: ['review'], published: ['draft'], retired: ['draft'] },
      ['author', 'approver'],
    ),
    ...movesFrom<KnowledgeState, KnowledgeRole>({ review: ['published', 'draft'], published: ['retired'] }, [
      'approver',
    ]),
  ],
};

/** What the history of an article follows (the body by its revision: revisions keep the text). */
export const knowledgeAudit: AuditSpec<KnowledgeArticle> = [
  'title',
  'revision',
  'category',
  'services',
  'configurationItems',
  'audience',
  'state',
  { field: 'approver', value: (article) => article.approver?.email },
  'reviewBy',
];

/** Whether an article may be read by someone who is not an agent: published, for employees. */
export const readableByEmployees = (article: Pick<KnowledgeArticle, 'state' | 'audience'>): boolean =>
  article.state === 'published' && article.audience === 'employees';

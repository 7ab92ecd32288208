import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { KnowledgeList, KnowledgeStore } from '#ports/knowledge-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { auditDiff, updatedEvent } from '../record/audit.ts';
import { mayMove } from '../record/lifecycle.ts';
import { Label, type Page, RecordNumber } from '../record/record.ts';
import { applyEdit, nextVersion, requireVersion } from '../record/version.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import {
  Audience,
  KNOWLEDGE_BODY_MAX,
  type KnowledgeArticle,
  type KnowledgeRevision,
  type KnowledgeRole,
  KnowledgeState,
  type KnowledgeStats,
  knowledgeAudit,
  knowledgeLifecycle,
  readableByEmployees,
} from './knowledge.ts';
import { type DiffLine, lineDiff } from './line-diff.ts';

/**
 * Knowledge management on the record engine: agents write articles, another agent reviews and
 * publishes them, employees read the published ones meant for them, say whether they helped,
 * and are shown them while they write a ticket. Bodies are sanitized on the way in with the
 * same rules as mail (injected: the core does not parse HTML itself).
 */

/** Rich text as stored: sanitized HTML and its plain text. */
export interface SanitizedBody {
  readonly html: string;
  readonly text: string;
}

/** What an agent turning a ticket into an article needs of it. */
export interface SourceTicket {
  readonly id: string;
  readonly number: string;
  readonly state: string;
  readonly shortDescription: string;
  readonly description: string;
  readonly resolutionNotes?: string;
  readonly category?: string;
  readonly service?: string;
}

export interface KnowledgeDeps {
  readonly knowledge: KnowledgeStore;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The mail sanitizer's rules, applied to every body before it is stored. */
  readonly sanitize: (html: string) => SanitizedBody;
  /** A ticket the actor may see, or `NotFoundError` (the ticket module's own gate). */
  readonly ticketOf: (actor: Actor, ticketId: string) => Promise<SourceTicket>;
}

const Title = z.string().trim().min(1, 'is required').max(200);
const Body = z.string().max(KNOWLEDGE_BODY_MAX);

export const CreateKnowledgeInput = z.strictObject({
  title: Title,
  body: Body.default(''),
  category: Label.optional(),
  services: z.array(Label).max(20).default([]),
  configurationItems: z.array(Label).max(50).default([]),
  audience: Audience.default('employees'),
  reviewBy: z.iso.date().optional(),
});
export type CreateKnowledgeInput = z.input<typeof CreateKnowledgeInput>;

export const UpdateKnowledgeInput = z.strictObject({
  version: z.number().int().min(1),
  title: Title.optional(),
  body: Body.optional(),
  category: Label.nullable().optional(),
  services: z.array(Label).max(20).optional(),
  configurationItems: z.array(Label).max(50).optional(),
  audience: Audience.optional(),
  reviewBy: z.iso.date().nullable().optional(),
  state: KnowledgeState.optional(),
  /** Why the article moves: the reviewer's note on approving, required when sending it back. */
  comment: z.string().trim().max(2000).optional(),
});
export type UpdateKnowledgeInput = z.input<typeof UpdateKnowledgeInput>;

export const KnowledgeListQuery = z.strictObject({
  /** Agents: articles in one state. Employees may only ask for `published`. */
  state: KnowledgeState.optional(),
  audience: Audience.optional(),
  category: Label.optional(),
  /** Published articles due for review, soonest first (agents). */
  due: z.enum(['true']).optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type KnowledgeListQuery = z.input<typeof KnowledgeListQuery>;

export const FeedbackInput = z.strictObject({
  helpful: z.boolean(),
  comment: z.string().trim().max(2000).optional(),
});
export type FeedbackInput = z.input<typeof FeedbackInput>;

export const ViewInput = z.strictObject({
  /** `suggestion`: opened from the suggestions shown while writing a ticket (deflection). */
  source: z.enum(['direct', 'suggestion']).default('direct'),
});

export interface KnowledgeView {
  readonly article: KnowledgeArticle;
  readonly stats: KnowledgeStats;
}

const actorRef = (actor: Actor) => ({ id: actor.id, email: actor.email });
const personOf = (actor: Actor) => ({
  id: actor.id,
  email: normalizeEmail(actor.email),
  ...(actor.name ? { name: actor.name } : {}),
});

function requireAgent(actor: Actor): void {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents write knowledge articles');
}

/** Object-level authorization: agents read every article, everyone else published employee articles only. */
const mayRead = (actor: Actor, article: KnowledgeArticle) => isAgent(actor) || readableByEmployees(article);

async function readable(
  deps: Pick<KnowledgeDeps, 'knowledge'>,
  actor: Actor,
  id: string,
): Promise<KnowledgeArticle> {
  const article = await deps.knowledge.get(id);
  if (!article || !mayRead(actor, article)) throw new NotFoundError(`No knowledge article ${id}`);
  return article;
}

/** The role an agent has on an article: the approver is any agent but its author (or an admin). */
const roleOn = (actor: Actor, article: KnowledgeArticle): KnowledgeRole =>
  isAdmin(actor) || normalizeEmail(actor.email) !== normalizeEmail(article.author.email)
    ? 'approver'
    : 'author';

const revisionOf = (
  article: Pick<KnowledgeArticle, 'id' | 'revision' | 'title' | 'body' | 'text'>,
  actor: Actor,
  at: string,
): KnowledgeRevision => ({
  articleId: article.id,
  revision: article.revision,
  title: article.title,
  body: article.body,
  text: article.text,
  at,
  actor: actorRef(actor),
});

export async function createArticle(
  deps: KnowledgeDeps,
  actor: Actor,
  raw: CreateKnowledgeInput,
  source?: KnowledgeArticle['sourceTicket'],
): Promise<KnowledgeArticle> {
  requireAgent(actor);
  const input = CreateKnowledgeInput.parse(raw);
  const now = deps.clock.now().toISOString();
  const { html, text } = deps.sanitize(input.body);
  const { reviewBy, category, ...fields } = input;
  const draft: Omit<KnowledgeArticle, 'number'> = {
    id: deps.ids.next(),
    ...fields,
    ...(category ? { category } : {}),
    ...(reviewBy ? { reviewBy } : {}),
    ...(source ? { sourceTicket: source } : {}),
    body: html,
    text,
    state: 'draft',
    author: personOf(actor),
    revision: 1,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const created = await deps.knowledge.create(draft, revisionOf(draft, actor, now), [
    { at: now, actor: actorRef(actor), field: 'state', newValue: 'draft' },
  ]);
  await deps.events.publish([
    {
      type: 'knowledge.created',
      id: deps.ids.next(),
      at: now,
      detail: { articleId: created.id, number: created.number },
    },
  ]);
  return created;
}

export async function viewArticle(deps: KnowledgeDeps, actor: Actor, id: string): Promise<KnowledgeView> {
  const article = await readable(deps, actor, id);
  return { article, stats: await deps.knowledge.stats(id) };
}

export async function findArticleByNumber(
  deps: KnowledgeDeps,
  actor: Actor,
  raw: string,
): Promise<KnowledgeView> {
  const number = RecordNumber.parse(raw.trim().toUpperCase());
  const article = await deps.knowledge.findByNumber(number);
  if (!article || !mayRead(actor, article)) throw new NotFoundError(`No knowledge article ${number}`);
  return { article, stats: await deps.knowledge.stats(article.id) };
}

/**
 * Edits an article or moves it along its lifecycle. Title and body change only while it is a
 * draft or in review (a published article goes back to draft to be rewritten); each content
 * change is a new revision. Publishing takes an agent other than the author, who is recorded
 * as the approver.
 */
export async function updateArticle(
  deps: KnowledgeDeps,
  actor: Actor,
  id: string,
  raw: UpdateKnowledgeInput,
): Promise<KnowledgeArticle> {
  requireAgent(actor);
  const input = UpdateKnowledgeInput.parse(raw);
  const current = await readable(deps, actor, id);
  requireVersion(current, input.version);
  const now = deps.clock.now().toISOString();
  const next: KnowledgeArticle = { ...current };
  applyEdit(next, input, ['title', 'category', 'services', 'configurationItems', 'audience', 'reviewBy']);
  if (input.body !== undefined) {
    const { html, text } = deps.sanitize(input.body);
    next.body = html;
    next.text = text;
  }
  const contentChanged = next.title !== current.title || next.body !== current.body;
  if (contentChanged && !['draft', 'review'].includes(current.state))
    throw new ValidationError(`Article is ${current.state}`, [
      {
        path: input.body !== undefined ? 'body' : 'title',
        message: `cannot change while ${current.state}; move it to draft first`,
      },
    ]);
  if (contentChanged) next.revision = current.revision + 1;
  if (input.state && input.state !== current.state) {
    const role = roleOn(actor, current);
    if (!mayMove(knowledgeLifecycle, current.state, input.state, role))
      throw new ValidationError('Transition not allowed', [
        {
          path: 'state',
          message:
            role === 'author' && mayMove(knowledgeLifecycle, current.state, input.state, 'approver')
              ? `moving from ${current.state} to ${input.state} needs an approver other than the author`
              : `cannot go from ${current.state} to ${input.state}`,
        },
      ]);
    if (current.state === 'review' && input.state === 'draft' && !input.comment)
      throw new ValidationError('Say why', [
        { path: 'comment', message: 'is required when an article is sent back to its author' },
      ]);
    next.state = input.state;
    if (input.state === 'published') {
      next.approver = personOf(actor);
      next.publishedAt = now;
      delete next.retiredAt;
    }
    if (input.state === 'retired') next.retiredAt = now;
  }
  const moved = next.state !== current.state;
  const audit = auditDiff(knowledgeAudit, current, next, {
    actor,
    at: now,
    ...(moved && input.comment ? { reason: input.comment } : {}),
  });
  if (audit.length === 0 && !contentChanged) return current;
  const stored = nextVersion(next, current, now);
  await deps.knowledge.update(
    stored,
    current.version,
    audit,
    contentChanged ? revisionOf(stored, actor, now) : undefined,
  );
  await deps.events.publish(
    updatedEvent('knowledge.updated', { articleId: stored.id, number: stored.number }, audit, {
      ids: deps.ids,
      at: now,
    }),
  );
  return stored;
}

/**
 * A list of articles. Employees get published articles for employees (newest first, or of one
 * category); agents any state, either audience, or the published ones due for review.
 */
export async function listArticles(
  deps: KnowledgeDeps,
  actor: Actor,
  raw: KnowledgeListQuery,
): Promise<Page<KnowledgeArticle>> {
  const query = KnowledgeListQuery.parse(raw);
  const agent = isAgent(actor);
  if (!agent && ((query.state && query.state !== 'published') || query.audience === 'agents' || query.due))
    throw new ForbiddenError('Employees read published articles for employees only');
  const audience: Audience = agent ? (query.audience ?? 'employees') : 'employees';
  let list: KnowledgeList;
  if (query.due) list = { by: 'review' };
  else if (query.category) list = { by: 'category', audience, category: query.category };
  else if (agent && query.state && query.state !== 'published') list = { by: 'state', state: query.state };
  else list = { by: 'published', audience };
  return deps.knowledge.list(list, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
}

export async function articleHistory(deps: KnowledgeDeps, actor: Actor, id: string, cursor?: string) {
  requireAgent(actor);
  await readable(deps, actor, id);
  return deps.knowledge.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

export async function articleRevisions(deps: KnowledgeDeps, actor: Actor, id: string, cursor?: string) {
  requireAgent(actor);
  await readable(deps, actor, id);
  return deps.knowledge.revisions(id, { limit: 50, ...(cursor ? { cursor } : {}) });
}

/** What changed between two revisions of an article: the title, and the body's text line by line. */
export async function revisionDiff(
  deps: KnowledgeDeps,
  actor: Actor,
  id: string,
  from: number,
  to: number,
): Promise<{ from: number; to: number; title: { before: string; after: string }; lines: DiffLine[] }> {
  requireAgent(actor);
  await readable(deps, actor, id);
  const [a, b] = await Promise.all([deps.knowledge.revision(id, from), deps.knowledge.revision(id, to)]);
  if (!a) throw new NotFoundError(`No revision ${from} of ${id}`);
  if (!b) throw new NotFoundError(`No revision ${to} of ${id}`);
  return { from, to, title: { before: a.title, after: b.title }, lines: lineDiff(a.text, b.text) };
}

/**
 * The gate of an article's files (its pictures): whoever may read the article may download
 * them; agents add them while it is a draft or in review, as they edit its body.
 */
export async function articleFiles(
  deps: Pick<KnowledgeDeps, 'knowledge'>,
  actor: Actor,
  id: string,
): Promise<{ readonly open: boolean }> {
  const article = await readable(deps, actor, id);
  return { open: isAgent(actor) && ['draft', 'review'].includes(article.state) };
}

/** What an article that takes no more files answers an upload. */
export const closedArticle = {
  path: 'state',
  message: 'only a draft or an article in review takes pictures; move it to draft first',
} as const;

/** "Did this help?": anyone who may read the article, once per answer. */
export async function giveFeedback(
  deps: KnowledgeDeps,
  actor: Actor,
  id: string,
  raw: FeedbackInput,
): Promise<void> {
  const input = FeedbackInput.parse(raw);
  const article = await readable(deps, actor, id);
  if (article.state !== 'published')
    throw new ValidationError('Not published', [
      { path: 'helpful', message: 'only published articles take feedback' },
    ]);
  const feedback = {
    articleId: id,
    id: deps.ids.next(),
    helpful: input.helpful,
    ...(input.comment ? { comment: input.comment } : {}),
    actor: actorRef(actor),
    at: deps.clock.now().toISOString(),
  };
  await deps.knowledge.addFeedback(feedback);
  // Reporting counts "it helped" as a question answered without a ticket (deflection).
  await deps.events.publish([
    {
      type: 'knowledge.feedback',
      id: `kb-feedback:${feedback.id}`,
      at: feedback.at,
      detail: { articleId: id, number: article.number, feedbackId: feedback.id, helpful: input.helpful },
    },
  ]);
}

export async function articleFeedback(deps: KnowledgeDeps, actor: Actor, id: string, cursor?: string) {
  requireAgent(actor);
  await readable(deps, actor, id);
  return deps.knowledge.feedback(id, { limit: 50, ...(cursor ? { cursor } : {}) });
}

/** Counts one read (an atomic counter), and one suggestion opened when it came from the ticket form. */
export async function recordView(
  deps: KnowledgeDeps,
  actor: Actor,
  id: string,
  raw: z.input<typeof ViewInput>,
): Promise<void> {
  const { source } = ViewInput.parse(raw);
  const article = await readable(deps, actor, id);
  await deps.knowledge.count(id, 'views');
  if (source !== 'suggestion') return;
  await deps.knowledge.count(id, 'suggestionOpens');
  await deps.events.publish([
    {
      type: 'knowledge.suggestion_opened',
      id: deps.ids.next(),
      at: deps.clock.now().toISOString(),
      detail: { articleId: id, number: article.number },
    },
  ]);
}

/**
 * "This solved it": a reader who opened a published article from the suggestions of the ticket
 * form says it answered the question, so the ticket is not sent (a deflection, counted).
 */
export async function recordSolved(deps: KnowledgeDeps, actor: Actor, id: string): Promise<void> {
  const article = await readable(deps, actor, id);
  if (article.state !== 'published')
    throw new ValidationError('Not published', [
      { path: 'id', message: 'only a published article solves a request' },
    ]);
  await deps.knowledge.count(id, 'deflections');
}

/** Turns a resolved (or closed) ticket into a draft article: its subject, its problem, its resolution. */
export async function draftFromTicket(
  deps: KnowledgeDeps,
  actor: Actor,
  ticketId: string,
): Promise<KnowledgeArticle> {
  requireAgent(actor);
  const ticket = await deps.ticketOf(actor, ticketId);
  if (!['resolved', 'closed'].includes(ticket.state))
    throw new ValidationError('Ticket not resolved', [
      {
        path: 'ticketId',
        message: `is ${ticket.state}; only a resolved or closed ticket becomes an article`,
      },
    ]);
  const paragraphs = (text: string) =>
    text
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p.trim()).replaceAll('\n', '<br>')}</p>`)
      .join('');
  const body = [
    '<h2>Problem</h2>',
    paragraphs(ticket.description || ticket.shortDescription),
    '<h2>Solution</h2>',
    paragraphs(ticket.resolutionNotes ?? ''),
  ].join('');
  return createArticle(
    deps,
    actor,
    {
      title: ticket.shortDescription,
      body,
      ...(ticket.category ? { category: ticket.category } : {}),
      ...(ticket.service ? { services: [ticket.service] } : {}),
    },
    { id: ticket.id, number: ticket.number },
  );
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

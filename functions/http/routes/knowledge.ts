import * as z from 'zod';
import {
  KnowledgeArticle,
  KnowledgeAuditEntry,
  KnowledgeFeedback,
  KnowledgeRevision,
  KnowledgeStats,
} from '#core/knowledge/knowledge.ts';
import {
  articleFeedback,
  articleHistory,
  articleRevisions,
  CreateKnowledgeInput,
  createArticle,
  draftFromTicket,
  FeedbackInput,
  findArticleByNumber,
  giveFeedback,
  type KnowledgeDeps,
  KnowledgeListQuery,
  listArticles,
  recordSolved,
  recordView,
  revisionDiff,
  UpdateKnowledgeInput,
  updateArticle,
  ViewInput,
  viewArticle,
} from '#core/knowledge/knowledge-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const RevisionNumber = z.coerce.number().int().min(1).max(1_000_000);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const View = z.object({ article: KnowledgeArticle, stats: KnowledgeStats });
const Diff = z.object({
  from: z.number(),
  to: z.number(),
  title: z.object({ before: z.string(), after: z.string() }),
  lines: z.array(z.object({ op: z.enum(['same', 'removed', 'added']), text: z.string() })),
});
const tags = ['Knowledge'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const noContent = () => ({ statusCode: 204, headers: { 'cache-control': 'no-store' } });

/**
 * Knowledge articles: agents write, review and publish; employees read published articles for
 * employees, count as views and say whether an article helped.
 */
export function knowledgeRoutes(deps: KnowledgeDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/knowledge',
      docs: {
        summary: 'Write a knowledge article as a draft (agents; the body is sanitized like mail)',
        tags,
        body: CreateKnowledgeInput,
        responses: { 201: KnowledgeArticle, ...errors },
      },
      async handle({ event, body }) {
        const article = await createArticle(
          deps,
          actorFromEvent(event),
          CreateKnowledgeInput.parse(body ?? {}),
        );
        return json(201, article, { location: `/api/knowledge/${article.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge',
      docs: {
        summary:
          'Articles: published for an audience (newest first), of a category, in a state or due for review (agents)',
        tags,
        query: KnowledgeListQuery,
        responses: { 200: page(KnowledgeArticle), ...errors },
      },
      async handle({ event }) {
        const query = KnowledgeListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listArticles(deps, actorFromEvent(event), query));
      },
    },
    {
      method: 'POST',
      path: '/api/knowledge/from-ticket/{ticketId}',
      docs: {
        summary: 'Turn a resolved ticket into a draft article (agents who may see the ticket)',
        tags,
        responses: { 201: KnowledgeArticle, ...errors },
      },
      async handle({ event, params }) {
        const article = await draftFromTicket(deps, actorFromEvent(event), Id.parse(params.ticketId));
        return json(201, article, { location: `/api/knowledge/${article.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge/by-number/{number}',
      docs: {
        summary: 'An article by its number, e.g. KB0001001',
        tags,
        responses: { 200: View, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findArticleByNumber(deps, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge/{id}',
      docs: { summary: 'An article with its counters', tags, responses: { 200: View, ...errors } },
      async handle({ event, params }) {
        return json(200, await viewArticle(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/knowledge/{id}',
      docs: {
        summary:
          'Edit an article or move it: draft → review → published (by an agent other than the author) → retired (send the version you saw)',
        tags,
        body: UpdateKnowledgeInput,
        responses: { 200: KnowledgeArticle, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = UpdateKnowledgeInput.parse(body ?? {});
        return json(200, await updateArticle(deps, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'POST',
      path: '/api/knowledge/{id}/views',
      docs: {
        summary: 'Count one read of an article (from a suggestion: also a deflection open)',
        tags,
        body: ViewInput,
        responses: { 204: undefined, ...errors },
      },
      async handle({ event, params, body }) {
        await recordView(deps, actorFromEvent(event), Id.parse(params.id), ViewInput.parse(body ?? {}));
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/api/knowledge/{id}/solved',
      docs: {
        summary: '"This solved it": the reader needs no ticket after all (counted as a deflection)',
        tags,
        responses: { 204: undefined, ...errors },
      },
      async handle({ event, params }) {
        await recordSolved(deps, actorFromEvent(event), Id.parse(params.id));
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/api/knowledge/{id}/feedback',
      docs: {
        summary: 'Did this help? (published articles; an optional comment)',
        tags,
        body: FeedbackInput,
        responses: { 204: undefined, ...errors },
      },
      async handle({ event, params, body }) {
        await giveFeedback(deps, actorFromEvent(event), Id.parse(params.id), FeedbackInput.parse(body ?? {}));
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge/{id}/feedback',
      docs: {
        summary: 'The feedback on an article, newest first (agents)',
        tags,
        query: CursorQuery,
        responses: { 200: page(KnowledgeFeedback), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await articleFeedback(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge/{id}/revisions',
      docs: {
        summary: 'The revisions of an article, newest first (agents)',
        tags,
        query: CursorQuery,
        responses: { 200: page(KnowledgeRevision), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await articleRevisions(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge/{id}/revisions/{from}/diff/{to}',
      docs: {
        summary: 'What changed between two revisions (agents)',
        tags,
        responses: { 200: Diff, ...errors },
      },
      async handle({ event, params }) {
        return json(
          200,
          await revisionDiff(
            deps,
            actorFromEvent(event),
            Id.parse(params.id),
            RevisionNumber.parse(params.from),
            RevisionNumber.parse(params.to),
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/knowledge/{id}/history',
      docs: {
        summary: 'The audit trail of an article (agents)',
        tags,
        query: CursorQuery,
        responses: { 200: page(KnowledgeAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await articleHistory(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
  ];
}

import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { BulkInput, bulkUpdate } from '#core/desk/bulk.ts';
import type { DeskDeps } from '#core/desk/desk.ts';
import { MergeInput, mergeTicket } from '#core/desk/merge.ts';
import {
  ApplyMacroInput,
  CannedResponse,
  CreateResponseInput,
  UpdateResponseInput,
} from '#core/desk/response.ts';
import {
  applyMacro,
  createResponse,
  deleteResponse,
  getResponse,
  listResponses,
  type ResponseDeps,
  updateResponse,
} from '#core/desk/response-service.ts';
import { deleteView, listViews, SavedView, SaveViewInput, saveView } from '#core/desk/saved-view.ts';
import { Article } from '#core/ticket/article.ts';
import { Ticket } from '#core/ticket/ticket.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody, problemOf } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const VersionQuery = z.strictObject({ version: z.coerce.number().int().min(1) });
const GroupQuery = z.strictObject({ group: z.string().max(64).optional() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const ListedResponse = CannedResponse.extend({ editable: z.boolean() });
const BulkResult = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      ticket: Ticket.optional(),
      error: ErrorBody.shape.error.optional(),
    }),
  ),
});

/**
 * The portal's own address, for `{link}` in templates: the API is reached only through the
 * portal's CloudFront distribution (or the local portal host), so the browser's `Origin` is it.
 */
export function portalUrlOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): string {
  const origin = event.headers.origin;
  if (origin && /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(origin)) return origin;
  const host = event.headers['x-forwarded-host'] ?? event.headers.host ?? 'localhost';
  return `https://${host}`;
}

/** Canned responses and macros, bulk actions, merging duplicates and saved queue views (agents). */
export function deskRoutes(deps: DeskDeps): Route[] {
  const responseDeps = (event: APIGatewayProxyEventV2WithJWTAuthorizer): ResponseDeps => ({
    ...deps.responses,
    ticket: deps.ticket,
    portalUrl: portalUrlOf(event),
  });
  const tags = ['Service desk'];
  return [
    {
      method: 'GET',
      path: '/api/responses',
      docs: {
        summary:
          "The canned responses and macros the agent may use: their own and their groups' (or one group's)",
        tags,
        query: GroupQuery,
        responses: { 200: z.object({ items: z.array(ListedResponse) }), ...errors },
      },
      async handle({ event }) {
        const { group } = GroupQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listResponses(responseDeps(event), actorFromEvent(event), group));
      },
    },
    {
      method: 'POST',
      path: '/api/responses',
      docs: {
        summary: "Save a personal response or macro, or a group's (its manager or an admin)",
        tags,
        body: CreateResponseInput,
        responses: { 201: CannedResponse, ...errors },
      },
      async handle({ event, body }) {
        const response = await createResponse(
          responseDeps(event),
          actorFromEvent(event),
          CreateResponseInput.parse(body ?? {}),
        );
        return json(201, response, { location: `/api/responses/${response.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/responses/{id}',
      docs: { summary: 'One canned response or macro', tags, responses: { 200: CannedResponse, ...errors } },
      async handle({ event, params }) {
        return json(200, await getResponse(responseDeps(event), actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/responses/{id}',
      docs: {
        summary: 'Change a response or macro (send the version you saw; 409 when it is stale)',
        tags,
        body: UpdateResponseInput,
        responses: { 200: CannedResponse, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await updateResponse(
            responseDeps(event),
            actorFromEvent(event),
            Id.parse(params.id),
            UpdateResponseInput.parse(body ?? {}),
          ),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/responses/{id}',
      docs: {
        summary: 'Delete a response or macro (`?version=` the one you saw)',
        tags,
        query: VersionQuery,
        responses: { 204: undefined, 409: ErrorBody, ...errors },
      },
      async handle({ event, params }) {
        const { version } = VersionQuery.parse(event.queryStringParameters ?? {});
        await deleteResponse(responseDeps(event), actorFromEvent(event), Id.parse(params.id), version);
        return { statusCode: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/tickets/{id}/macro',
      docs: {
        summary:
          'Apply a macro (or send a response) to a ticket: its fields and its text in one versioned, audited write',
        tags,
        body: ApplyMacroInput,
        responses: {
          200: z.object({ ticket: Ticket, article: Article.optional() }),
          409: ErrorBody,
          ...errors,
        },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await applyMacro(
            responseDeps(event),
            actorFromEvent(event),
            Id.parse(params.id),
            ApplyMacroInput.parse(body ?? {}),
          ),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/tickets/bulk',
      docs: {
        summary:
          'Change many tickets at once (assignee, state, priority, group); each is its own versioned write, with its own result',
        tags,
        body: BulkInput,
        responses: { 200: BulkResult, ...errors },
      },
      async handle({ event, body }) {
        const outcomes = await bulkUpdate(deps.ticket, actorFromEvent(event), BulkInput.parse(body ?? {}));
        const results = outcomes.map((outcome) => {
          if ('ticket' in outcome) return { id: outcome.id, status: 200, ticket: outcome.ticket };
          const problem = problemOf(outcome.error);
          if (problem.status >= 500)
            console.error(
              JSON.stringify({
                level: 'ERROR',
                message: 'Bulk change failed on a ticket',
                ticketId: outcome.id,
                error: String(outcome.error),
              }),
            );
          return { id: outcome.id, status: problem.status, error: problem.body.error };
        });
        return json(200, { results });
      },
    },
    {
      method: 'POST',
      path: '/api/tickets/{id}/merge',
      docs: {
        summary:
          'Merge this ticket (a duplicate) into another: conversation and watchers move, the duplicate closes with a link, its requester is told',
        tags,
        body: MergeInput,
        responses: { 200: z.object({ duplicate: Ticket, target: Ticket }), 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await mergeTicket(
            { ...deps.ticket, portalUrl: portalUrlOf(event) },
            actorFromEvent(event),
            Id.parse(params.id),
            MergeInput.parse(body ?? {}),
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/views',
      docs: {
        summary: "The agent's saved queue views",
        tags,
        responses: { 200: z.object({ items: z.array(SavedView) }), ...errors },
      },
      async handle({ event }) {
        return json(200, { items: await listViews(deps.views, actorFromEvent(event)) });
      },
    },
    {
      method: 'POST',
      path: '/api/views',
      docs: {
        summary: 'Save the filters of a queue under a name (the same name replaces the view)',
        tags,
        body: SaveViewInput,
        responses: { 200: SavedView, ...errors },
      },
      async handle({ event, body }) {
        return json(200, await saveView(deps.views, actorFromEvent(event), SaveViewInput.parse(body ?? {})));
      },
    },
    {
      method: 'DELETE',
      path: '/api/views/{id}',
      docs: { summary: 'Delete a saved view', tags, responses: { 204: undefined, ...errors } },
      async handle({ event, params }) {
        await deleteView(deps.views, actorFromEvent(event), Id.parse(params.id));
        return { statusCode: 204 };
      },
    },
  ];
}

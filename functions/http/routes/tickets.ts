import * as z from 'zod';
import { Article, AuditEntry } from '#core/ticket/article.ts';
import { type OpenTicketLimit, takeOpenAllowance } from '#core/ticket/open-limit.ts';
import { Ticket } from '#core/ticket/ticket.ts';
import {
  AddArticleInput,
  addArticle,
  findTicketByNumber,
  listTickets,
  OpenTicketInput,
  openTicket,
  type TicketDeps,
  TicketListQuery,
  ticketHistory,
  UpdateTicketInput,
  updateTicket,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(8)
    .max(128)
    .regex(/^[\w.:-]+$/, 'may hold letters, digits and . _ : - only')
    .optional(),
});
const TicketId = z.string().min(1).max(64);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const TicketView = z.object({
  ticket: Ticket,
  articles: z.array(Article),
  children: z.array(z.object({ id: z.string(), number: z.string() })),
});

const tags = ['Tickets'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** The ticket API: open, read, change, converse, list, look up, history. */
export function ticketRoutes(deps: TicketDeps & { readonly openLimit: OpenTicketLimit }): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/tickets',
      docs: {
        summary: 'Open an incident or service request',
        tags,
        body: OpenTicketInput,
        headers: IdempotencyHeaders,
        responses: { 201: Ticket, 200: Ticket, 429: ErrorBody, ...errors },
      },
      async handle({ event, body }) {
        const actor = actorFromEvent(event);
        await takeOpenAllowance(deps.openLimit, actor);
        const headers = IdempotencyHeaders.parse({ 'idempotency-key': event.headers['idempotency-key'] });
        const key = headers['idempotency-key'];
        const { ticket, created } = await openTicket(deps, actor, (body ?? {}) as OpenTicketInput, {
          channel: 'portal',
          ...(key ? { idempotencyKey: `api:${actor.id}:${key}` } : {}),
        });
        return json(created ? 201 : 200, ticket, { location: `/api/tickets/${ticket.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/tickets',
      docs: {
        summary:
          'List tickets: mine, assigned to me, a group queue by state, or a group’s unassigned tickets',
        tags,
        query: TicketListQuery,
        responses: { 200: page(Ticket), ...errors },
      },
      async handle({ event }) {
        return json(
          200,
          await listTickets(
            deps,
            actorFromEvent(event),
            (event.queryStringParameters ?? {}) as TicketListQuery,
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/by-number/{number}',
      docs: {
        summary: 'Find a ticket by its number, e.g. INC0001042',
        tags,
        responses: { 200: Ticket, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findTicketByNumber(deps, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/{id}',
      docs: {
        summary: 'A ticket with its conversation and child tickets',
        tags,
        responses: { 200: TicketView, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await viewTicket(deps, actorFromEvent(event), TicketId.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/tickets/{id}',
      docs: {
        summary: 'Change a ticket (send the version you saw; 409 with the current ticket when it is stale)',
        tags,
        body: UpdateTicketInput,
        responses: { 200: Ticket, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const ticket = await updateTicket(
          deps,
          actorFromEvent(event),
          TicketId.parse(params.id),
          (body ?? {}) as UpdateTicketInput,
        );
        return json(200, ticket);
      },
    },
    {
      method: 'POST',
      path: '/api/tickets/{id}/articles',
      docs: {
        summary: 'Add a public reply or an internal work note',
        tags,
        body: AddArticleInput,
        responses: { 201: z.object({ ticket: Ticket, article: Article }), ...errors },
      },
      async handle({ event, params, body }) {
        const result = await addArticle(
          deps,
          actorFromEvent(event),
          TicketId.parse(params.id),
          (body ?? {}) as AddArticleInput,
        );
        return json(201, result);
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/{id}/history',
      docs: {
        summary: 'The audit trail of a ticket (agents)',
        tags,
        query: CursorQuery,
        responses: { 200: page(AuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await ticketHistory(deps, actorFromEvent(event), TicketId.parse(params.id), cursor));
      },
    },
  ];
}

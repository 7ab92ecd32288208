import { z } from 'zod';
import { listMyTickets, openTicket, type TicketDeps, viewTicket } from '#core/ticket/ticket-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import type { Route } from '../router.ts';

const ListQuery = z.strictObject({
  view: z.enum(['mine']).default('mine'),
  cursor: z.string().max(2048).optional(),
});

const IdempotencyKey = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[\w.:-]+$/, 'may hold letters, digits and . _ : - only');

export function ticketRoutes(deps: TicketDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/tickets',
      async handle({ event, body }) {
        const actor = actorFromEvent(event);
        const header = event.headers['idempotency-key'];
        const key =
          header === undefined
            ? undefined
            : z.object({ 'Idempotency-Key': IdempotencyKey }).parse({ 'Idempotency-Key': header })[
                'Idempotency-Key'
              ];
        const { ticket, created } = await openTicket(deps, actor, (body ?? {}) as never, {
          channel: 'portal',
          ...(key ? { idempotencyKey: `api:${actor.id}:${key}` } : {}),
        });
        return json(created ? 201 : 200, ticket, { location: `/api/tickets/${ticket.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/tickets',
      async handle({ event }) {
        const actor = actorFromEvent(event);
        const query = ListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listMyTickets(deps, actor, query.cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/{id}',
      async handle({ event, params }) {
        const actor = actorFromEvent(event);
        return json(200, await viewTicket(deps, actor, z.string().max(64).parse(params.id)));
      },
    },
  ];
}

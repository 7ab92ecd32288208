import * as z from 'zod';
import { FullMailBody } from '#core/mail/full-body.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import { type TicketDeps, viewTicket } from '#core/ticket/ticket-service.ts';
import type { MailBodyStore } from '#ports/mail-body-store.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);

/**
 * The whole body of a large mail, whose article holds excerpts: read under the same rules as
 * the ticket (a requester never reaches a note's body; anyone else gets 404).
 */
export function mailBodyRoutes(deps: TicketDeps & { readonly mailBodies: MailBodyStore }): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/tickets/{id}/articles/{articleId}/full-body',
      docs: {
        summary: 'The whole text, quoted history and HTML of a mail too large for its article',
        tags: ['Tickets'],
        responses: { 200: FullMailBody, 401: ErrorBody, 404: ErrorBody },
      },
      async handle({ event, params }) {
        const ticketId = Id.parse(params.id);
        const articleId = Id.parse(params.articleId);
        const view = await viewTicket(deps, actorFromEvent(event), ticketId);
        const article = view.articles.find((a) => a.id === articleId);
        const body = article?.fullBodyKey ? await deps.mailBodies.get(article.fullBodyKey) : undefined;
        if (!body) throw new NotFoundError(`No full body for article ${articleId}`);
        return json(200, body);
      },
    },
  ];
}

import * as z from 'zod';
import { PortalRatingInput, Rating, RatingInput } from '#core/satisfaction/satisfaction.ts';
import {
  previewSurvey,
  rateByLink,
  rateTicket,
  type SatisfactionDeps,
  ticketRating,
} from '#core/satisfaction/satisfaction-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const tags = ['Satisfaction'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const linkErrors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody };
const SurveyToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{10,2000}~[A-Za-z0-9_-]{20,200}$/, 'is not a survey link');
const TicketId = z.string().min(1).max(64);

/**
 * Satisfaction surveys (docs/reporting.md): the mailed link's confirmation page (public: the
 * signed, single-use link is the credential) and the requester's rating in the portal.
 */
export function satisfactionRoutes(deps: SatisfactionDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/satisfaction-links/{token}',
      public: true,
      docs: {
        summary: 'What a mailed survey link rates, for its confirmation page (rates nothing)',
        tags,
        responses: { 200: z.unknown(), 404: ErrorBody, 410: ErrorBody },
      },
      async handle({ params }) {
        return json(200, await previewSurvey(deps, SurveyToken.parse(params.token)));
      },
    },
    {
      method: 'POST',
      path: '/api/satisfaction-links/{token}',
      public: true,
      docs: {
        summary:
          'Rate a resolved ticket through its mailed link: signed, single-use (409 used), expiring (410)',
        tags,
        body: RatingInput,
        responses: { 200: Rating, ...linkErrors },
      },
      async handle({ params, body }) {
        return json(200, await rateByLink(deps, SurveyToken.parse(params.token), body ?? {}));
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/{id}/satisfaction',
      docs: {
        summary: "A ticket's satisfaction rating and whether it can still be given or changed",
        tags,
        responses: { 200: z.unknown(), ...errors },
      },
      async handle({ event, params }) {
        return json(200, await ticketRating(deps, actorFromEvent(event), TicketId.parse(params.id)));
      },
    },
    {
      method: 'PUT',
      path: '/api/tickets/{id}/satisfaction',
      docs: {
        summary: 'Rate a resolved ticket, or change the rating, until the survey closes (its requester)',
        tags,
        body: PortalRatingInput,
        responses: { 200: Rating, ...errors, 409: ErrorBody, 410: ErrorBody },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await rateTicket(deps, actorFromEvent(event), TicketId.parse(params.id), body ?? {}),
        );
      },
    },
  ];
}

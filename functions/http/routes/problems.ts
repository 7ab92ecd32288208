import * as z from 'zod';
import {
  KnownError,
  Problem,
  ProblemArticle,
  ProblemAuditEntry,
  ProblemState,
  ProblemSuggestion,
} from '#core/problem/problem.ts';
import {
  addProblemNote,
  CreateProblemInput,
  createProblem,
  findKnownErrors,
  findProblemByNumber,
  KnownErrorQuery,
  LinkChangeInput,
  LinkIncidentInput,
  LinkProblemInput,
  linkChange,
  linkIncident,
  listProblems,
  listSuggestions,
  MoveProblemInput,
  moveProblem,
  type ProblemDeps,
  ProblemListQuery,
  ProblemNoteInput,
  problemHistory,
  problemOfTicket,
  UpdateProblemInput,
  unlinkIncident,
  updateProblem,
  viewProblem,
} from '#core/problem/problem-service.ts';
import { RecordRef } from '#core/record/record.ts';
import { ValidationError } from '#core/shared/errors.ts';
import { findTicketByNumber } from '#core/ticket/ticket-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const ProblemView = z.object({
  problem: Problem,
  articles: z.array(ProblemArticle),
  incidents: z.array(RecordRef),
  changes: z.array(RecordRef),
  nextStates: z.array(ProblemState),
});
const IncidentLinked = z.object({ problem: RecordRef, incident: RecordRef, linked: z.boolean() });
const ChangeLinked = z.object({ problem: RecordRef, change: RecordRef, linked: z.boolean() });
const TicketProblem = z.object({ problem: Problem.optional(), knownError: KnownError.optional() });

const tags = ['Problems'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...errors, 409: ErrorBody };

/** The one of id and number a link names; neither or both is a 400 naming the fields. */
function pointer(
  id: string | undefined,
  number: string | undefined,
  idField: string,
): { id?: string; number?: string } {
  if (Boolean(id) === Boolean(number))
    throw new ValidationError('Name the record by id or by number', [
      { path: idField, message: 'give this or number, not both' },
    ]);
  return id ? { id } : { number: number ?? '' };
}

/**
 * Problem management: problems and their lifecycle, conversation and history; links between
 * incidents and problems (from either side) and from a problem to the changes that fix it; the
 * known-error database; and the problem managers' suggestions.
 */
export function problemRoutes(deps: ProblemDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/problems',
      docs: {
        summary:
          'Open a problem (agents, problem managers); `fromTicketId` opens it from an incident and links it',
        tags,
        body: CreateProblemInput,
        responses: { 201: Problem, ...writeErrors },
      },
      async handle({ event, body }) {
        const problem = await createProblem(deps, actorFromEvent(event), (body ?? {}) as CreateProblemInput);
        return json(201, problem, { location: `/api/problems/${problem.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/problems',
      docs: {
        summary: 'List problems by state (default new) or by assignment group, most recently updated first',
        tags,
        query: ProblemListQuery,
        responses: { 200: page(Problem), ...errors },
      },
      async handle({ event }) {
        return json(
          200,
          await listProblems(deps, actorFromEvent(event), (event.queryStringParameters ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/problems/by-number/{number}',
      docs: {
        summary: 'Find a problem by its number, e.g. PRB0001042',
        tags,
        responses: { 200: Problem, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findProblemByNumber(deps, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/problems/{id}',
      docs: {
        summary:
          'A problem with its conversation, linked incidents and changes, and where the caller may move it',
        tags,
        responses: { 200: ProblemView, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await viewProblem(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/problems/{id}',
      docs: {
        summary: 'Change a problem’s fields (its group and problem managers); a stale version gets 409',
        tags,
        body: UpdateProblemInput,
        responses: { 200: Problem, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await updateProblem(deps, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/problems/{id}/transitions',
      docs: {
        summary:
          'Move a problem along its lifecycle (resolving needs root cause and fix; cancelling a reason)',
        tags,
        body: MoveProblemInput,
        responses: { 200: Problem, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await moveProblem(deps, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/problems/{id}/articles',
      docs: {
        summary: 'Add a work note or a reply to a problem’s conversation',
        tags,
        body: ProblemNoteInput,
        responses: { 201: ProblemArticle, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          201,
          await addProblemNote(deps, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/problems/{id}/history',
      docs: {
        summary: 'A problem’s audit trail, oldest first',
        tags,
        query: CursorQuery,
        responses: { 200: page(ProblemAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await problemHistory(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/problems/{id}/incidents',
      docs: {
        summary:
          'Link an incident (by id or number) to this problem; optionally reply with its published workaround',
        tags,
        body: LinkIncidentInput,
        responses: { 200: IncidentLinked, ...writeErrors },
      },
      async handle({ event, params, body }) {
        const actor = actorFromEvent(event);
        const input = LinkIncidentInput.parse(body ?? {});
        const which = pointer(input.ticketId, input.number, 'ticketId');
        const ticketId = which.id ?? (await findTicketByNumber(deps, actor, which.number ?? '')).id;
        return json(
          200,
          await linkIncident(deps, actor, Id.parse(params.id), ticketId, input.insertWorkaround),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/problems/{id}/incidents/{ticketId}',
      docs: {
        summary: 'Unlink an incident from this problem',
        tags,
        responses: { 204: undefined, ...errors },
      },
      async handle({ event, params }) {
        await unlinkIncident(deps, actorFromEvent(event), Id.parse(params.id), Id.parse(params.ticketId));
        return json(204, undefined);
      },
    },
    {
      method: 'POST',
      path: '/api/problems/{id}/changes',
      docs: {
        summary: 'Link a change (by id or number) that delivers this problem’s fix',
        tags,
        body: LinkChangeInput,
        responses: { 200: ChangeLinked, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await linkChange(deps, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/{id}/problem',
      docs: {
        summary:
          'The problem behind a ticket: the whole problem for agents, only a published workaround for the requester',
        tags,
        responses: { 200: TicketProblem, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await problemOfTicket(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'POST',
      path: '/api/tickets/{id}/problem',
      docs: {
        summary:
          'Link this incident to a problem (by id or number); optionally reply with its published workaround',
        tags,
        body: LinkProblemInput,
        responses: { 200: IncidentLinked, ...writeErrors },
      },
      async handle({ event, params, body }) {
        const actor = actorFromEvent(event);
        const input = LinkProblemInput.parse(body ?? {});
        const which = pointer(input.problemId, input.number, 'problemId');
        const problemId = which.id ?? (await findProblemByNumber(deps, actor, which.number ?? '')).id;
        return json(
          200,
          await linkIncident(deps, actor, problemId, Id.parse(params.id), input.insertWorkaround),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/known-errors',
      docs: {
        summary:
          'Known errors (published workarounds) matching a service, CI, category, words or an incident',
        tags,
        query: KnownErrorQuery,
        responses: { 200: z.object({ items: z.array(KnownError) }), ...errors },
      },
      async handle({ event }) {
        return json(200, {
          items: await findKnownErrors(
            deps,
            actorFromEvent(event),
            (event.queryStringParameters ?? {}) as never,
          ),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/problem-suggestions',
      docs: {
        summary: 'Suggested problems: services and categories with many incidents lately (problem managers)',
        tags,
        query: CursorQuery,
        responses: { 200: page(ProblemSuggestion), ...errors },
      },
      async handle({ event }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listSuggestions(deps, actorFromEvent(event), cursor));
      },
    },
  ];
}

import * as z from 'zod';
import { Problem, ProblemAuditEntry } from '#core/problem/problem.ts';
import {
  CreateProblemInput,
  createProblem,
  findProblemByNumber,
  listProblems,
  type ProblemDeps,
  ProblemListQuery,
  problemHistory,
  UpdateProblemInput,
  updateProblem,
  viewProblem,
} from '#core/problem/problem-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const tags = ['Problems'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** Problem management (agents): problems, their lifecycle and history. */
export function problemRoutes(deps: ProblemDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/problems',
      docs: {
        summary: 'Raise a problem (agents)',
        tags,
        body: CreateProblemInput,
        responses: { 201: Problem, ...errors },
      },
      async handle({ event, body }) {
        const problem = await createProblem(
          deps,
          actorFromEvent(event),
          CreateProblemInput.parse(body ?? {}),
        );
        return json(201, problem, { location: `/api/problems/${problem.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/problems',
      docs: {
        summary: 'List problems in one state, all or of one group, most recently updated first (agents)',
        tags,
        query: ProblemListQuery,
        responses: { 200: page(Problem), ...errors },
      },
      async handle({ event }) {
        const query = ProblemListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listProblems(deps, actorFromEvent(event), query));
      },
    },
    {
      method: 'GET',
      path: '/api/problems/by-number/{number}',
      docs: {
        summary: 'Find a problem by its number, e.g. PRB0001001',
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
      docs: { summary: 'A problem', tags, responses: { 200: Problem, ...errors } },
      async handle({ event, params }) {
        return json(200, await viewProblem(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/problems/{id}',
      docs: {
        summary:
          'Edit a problem or move it along its lifecycle (root cause before fix in progress, fix before resolved; send the version you saw)',
        tags,
        body: UpdateProblemInput,
        responses: { 200: Problem, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = UpdateProblemInput.parse(body ?? {});
        return json(200, await updateProblem(deps, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'GET',
      path: '/api/problems/{id}/history',
      docs: {
        summary: 'The audit trail of a problem',
        tags,
        query: CursorQuery,
        responses: { 200: page(ProblemAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await problemHistory(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
  ];
}

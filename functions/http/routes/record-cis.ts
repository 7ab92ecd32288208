import * as z from 'zod';
import { CiClass, CiRef, CiStatus, Criticality } from '#core/cmdb/ci.ts';
import {
  ciRecords,
  LinkableKind,
  LinkCiInput,
  linkCi,
  type RecordCiDeps,
  recordCis,
  recordImpact,
  unlinkCi,
} from '#core/cmdb/record-cis.ts';
import { ValidationError } from '#core/shared/errors.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
/** The record kind of the path, or a 400 naming `kind`. */
function kindOf(raw: string | undefined): LinkableKind {
  const parsed = LinkableKind.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError('Unknown record kind', [
      { path: 'kind', message: `must be one of ${LinkableKind.options.join(', ')}` },
    ]);
  return parsed.data;
}
const tags = ['CMDB'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const RecordCi = z.object({
  ci: z.object({
    id: z.string(),
    number: z.string(),
    name: z.string(),
    class: CiClass,
    status: CiStatus,
    criticality: Criticality,
  }),
  linkedAt: z.string(),
  linkedBy: z.string(),
});

const RecordImpactBody = z.object({
  from: z.array(RecordCi.shape.ci),
  services: z.array(
    z.object({
      ci: CiRef,
      criticality: Criticality,
      status: CiStatus,
      owner: z.string().optional(),
      supportGroup: z.string().optional(),
      depth: z.number(),
    }),
  ),
  people: z.array(z.object({ email: z.string(), why: z.string() })),
  groups: z.array(z.string()),
  truncated: z.boolean(),
});

/** Services and CIs on incidents, requests, problems and changes: references, not text. */
export function recordCiRoutes(deps: RecordCiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/cis/{id}/records',
      docs: {
        summary: 'The incidents, requests, problems and changes linked to a CI, newest link first',
        tags,
        responses: {
          200: z.object({
            items: z.array(
              z.object({ kind: LinkableKind, id: z.string(), number: z.string(), linkedAt: z.string() }),
            ),
          }),
          ...errors,
        },
      },
      async handle({ event, params }) {
        return json(200, await ciRecords(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'GET',
      path: '/api/records/{kind}/{id}/cis',
      docs: {
        summary: 'The services and configuration items linked to an incident, request, problem or change',
        tags,
        responses: { 200: z.object({ items: z.array(RecordCi) }), ...errors },
      },
      async handle({ event, params }) {
        const kind = kindOf(params.kind);
        return json(200, { items: await recordCis(deps, actorFromEvent(event), kind, Id.parse(params.id)) });
      },
    },
    {
      method: 'GET',
      path: '/api/records/{kind}/{id}/impact',
      docs: {
        summary:
          'The blast radius of a record: the business services, people and groups its linked CIs affect (downstream, depth 3)',
        tags,
        responses: { 200: RecordImpactBody, ...errors },
      },
      async handle({ event, params }) {
        const kind = kindOf(params.kind);
        return json(200, await recordImpact(deps, actorFromEvent(event), kind, Id.parse(params.id)));
      },
    },
    {
      method: 'POST',
      path: '/api/records/{kind}/{id}/cis',
      docs: {
        summary:
          'Link a service or configuration item from the CMDB to a record (agents); announces record.linked',
        tags,
        body: LinkCiInput,
        responses: { 201: RecordCi, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const kind = kindOf(params.kind);
        const input = LinkCiInput.parse(body ?? {});
        return json(201, await linkCi(deps, actorFromEvent(event), kind, Id.parse(params.id), input));
      },
    },
    {
      method: 'DELETE',
      path: '/api/records/{kind}/{id}/cis/{ciId}',
      docs: {
        summary: 'Take a service or CI off a record (agents)',
        tags,
        responses: { 204: undefined, ...errors },
      },
      async handle({ event, params }) {
        const kind = kindOf(params.kind);
        await unlinkCi(deps, actorFromEvent(event), kind, Id.parse(params.id), Id.parse(params.ciId));
        return { statusCode: 204 };
      },
    },
  ];
}

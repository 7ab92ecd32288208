import * as z from 'zod';
import { CiAuditEntry, CiRef, CiRelation, CiStatus, ConfigurationItem, Criticality } from '#core/cmdb/ci.ts';
import {
  CiListQuery,
  type CmdbDeps,
  CreateCiInput,
  ciHistory,
  createCi,
  findCiByExternalId,
  findCiByNumber,
  listCis,
  listMyDevices,
  RelateInput,
  relateCis,
  UpdateCiInput,
  unrelateCis,
  updateCi,
  viewCi,
} from '#core/cmdb/cmdb-service.ts';
import { ImpactDirection } from '#core/cmdb/impact.ts';
import { analyseImpact, ImpactQuery } from '#core/cmdb/impact-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const ExternalIdQuery = z.strictObject({ externalId: z.string().min(1).max(1000) });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const tags = ['CMDB'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const CiView = z.object({
  ci: ConfigurationItem,
  outgoing: z.array(CiRelation),
  incoming: z.array(CiRelation),
});
const ImpactBody = z.object({
  ci: CiRef,
  direction: ImpactDirection,
  depth: z.number(),
  nodes: z.array(
    z.object({
      ci: CiRef,
      depth: z.number(),
      direction: z.enum(['downstream', 'upstream']),
      via: CiRelation,
    }),
  ),
  relations: z.number(),
  truncated: z.boolean(),
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
});

/** The CMDB (agents, approvers and admins read; admins, configuration managers and support groups edit). */
export function cmdbRoutes(deps: CmdbDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/my-devices',
      docs: {
        summary:
          'The devices assigned to me (laptops, desktops, phones, tablets I own), for anyone signed in',
        tags,
        query: CursorQuery,
        responses: { 200: page(ConfigurationItem), 401: ErrorBody },
      },
      async handle({ event }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listMyDevices(deps, actorFromEvent(event), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/cis',
      docs: {
        summary:
          'Add a configuration item (admins and configuration managers); attributes must fit its class',
        tags,
        body: CreateCiInput,
        responses: { 201: ConfigurationItem, 409: ErrorBody, ...errors },
      },
      async handle({ event, body }) {
        const ci = await createCi(deps, actorFromEvent(event), CreateCiInput.parse(body ?? {}));
        return json(201, ci, { location: `/api/cis/${ci.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/cis',
      docs: {
        summary:
          'List configuration items: of one class (and status), of one owner, or of one status (in service by default) with a name prefix `q`',
        tags,
        query: CiListQuery,
        responses: { 200: page(ConfigurationItem), ...errors },
      },
      async handle({ event }) {
        const query = CiListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listCis(deps, actorFromEvent(event), query));
      },
    },
    {
      method: 'GET',
      path: '/api/cis/by-number/{number}',
      docs: {
        summary: 'Find a CI by its number, e.g. CFG0001001',
        tags,
        responses: { 200: ConfigurationItem, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findCiByNumber(deps, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/cis/by-external-id',
      docs: {
        summary: 'Find a CI by its external id (an ARN, a serial number)',
        tags,
        query: ExternalIdQuery,
        responses: { 200: ConfigurationItem, ...errors },
      },
      async handle({ event }) {
        const { externalId } = ExternalIdQuery.parse(event.queryStringParameters ?? {});
        return json(200, await findCiByExternalId(deps, actorFromEvent(event), externalId));
      },
    },
    {
      method: 'GET',
      path: '/api/cis/{id}',
      docs: { summary: 'A CI with its relations both ways', tags, responses: { 200: CiView, ...errors } },
      async handle({ event, params }) {
        return json(200, await viewCi(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/cis/{id}',
      docs: {
        summary: 'Edit a CI or move its status (retired CIs are kept; send the version you saw)',
        tags,
        body: UpdateCiInput,
        responses: { 200: ConfigurationItem, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = UpdateCiInput.parse(body ?? {});
        return json(200, await updateCi(deps, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'GET',
      path: '/api/cis/{id}/history',
      docs: {
        summary: 'The audit trail of a CI',
        tags,
        query: CursorQuery,
        responses: { 200: page(CiAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await ciHistory(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/cis/{id}/relations',
      docs: {
        summary: 'Relate this CI to another: `{type, to}` reads "this <type> to" (a missing CI is refused)',
        tags,
        body: RelateInput,
        responses: { 201: CiRelation, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = RelateInput.parse(body ?? {});
        return json(201, await relateCis(deps, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'DELETE',
      path: '/api/cis/{id}/relations/{type}/{to}',
      docs: { summary: 'Remove a relation of this CI', tags, responses: { 204: undefined, ...errors } },
      async handle({ event, params }) {
        await unrelateCis(
          deps,
          actorFromEvent(event),
          Id.parse(params.id),
          params.type ?? '',
          Id.parse(params.to),
        );
        return { statusCode: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/cis/{id}/impact',
      docs: {
        summary:
          'Impact analysis: the CIs, business services and people affected (downstream) or relied on (upstream), to a depth of 1–6',
        tags,
        query: ImpactQuery,
        responses: { 200: ImpactBody, ...errors },
      },
      async handle({ event, params }) {
        const query = ImpactQuery.parse(event.queryStringParameters ?? {});
        return json(200, await analyseImpact(deps, actorFromEvent(event), Id.parse(params.id), query));
      },
    },
  ];
}

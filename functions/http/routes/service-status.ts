import * as z from 'zod';
import { CiRef, Criticality } from '#core/cmdb/ci.ts';
import { ServiceHealth, StatusIncident, StatusOverride } from '#core/cmdb/service-status.ts';
import {
  clearOverride,
  currentOutages,
  MeTooInput,
  OverrideInput,
  overrideStatus,
  pressMeToo,
  type ServiceStatusDeps,
  statusPage,
} from '#core/cmdb/service-status-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const tags = ['Service status'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const StatusView = z.object({
  service: CiRef.pick({ id: true, number: true, name: true }).extend({ criticality: Criticality }),
  status: ServiceHealth,
  derived: ServiceHealth,
  since: z.string().optional(),
  incidents: z.array(StatusIncident),
  override: StatusOverride.optional(),
});
const OutageView = StatusView.extend({
  incident: StatusIncident.optional(),
  presses: z.number(),
  pressed: z.boolean(),
});

/** The service status page: read by anyone signed in; agents speak for a service; employees say "me too". */
export function serviceStatusRoutes(deps: ServiceStatusDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/service-status',
      docs: {
        summary:
          'Every business service with its status (operational, degraded, outage), its open major incidents and any agent message; for anyone signed in',
        tags,
        responses: { 200: z.object({ items: z.array(StatusView) }), 401: ErrorBody },
      },
      async handle({ event }) {
        return json(200, { items: await statusPage(deps, actorFromEvent(event)) });
      },
    },
    {
      method: 'GET',
      path: '/api/service-status/outages',
      docs: {
        summary:
          'The services not operational now, each with the incident to follow, its "me too" count and whether I pressed it (the portal home banner)',
        tags,
        responses: { 200: z.object({ items: z.array(OutageView) }), 401: ErrorBody },
      },
      async handle({ event }) {
        return json(200, { items: await currentOutages(deps, actorFromEvent(event)) });
      },
    },
    {
      method: 'PUT',
      path: '/api/service-status/{serviceId}/override',
      docs: {
        summary:
          "Speak for a service: a status and/or a message with the time of the next update (admins, configuration managers, the service's support group)",
        tags,
        body: OverrideInput,
        responses: { 200: StatusView, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = OverrideInput.parse(body ?? {});
        return json(
          200,
          await overrideStatus(deps, actorFromEvent(event), Id.parse(params.serviceId), input),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/service-status/{serviceId}/override',
      docs: {
        summary: "Take the agent's word off a service: its status is the derived one again",
        tags,
        responses: { 200: StatusView, 409: ErrorBody, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await clearOverride(deps, actorFromEvent(event), Id.parse(params.serviceId)));
      },
    },
    {
      method: 'POST',
      path: '/api/service-status/{serviceId}/me-too',
      docs: {
        summary:
          '"Me too": follow an open major incident of this service instead of opening a duplicate; counted once per person',
        tags,
        body: MeTooInput,
        responses: {
          200: z.object({ presses: z.number(), pressed: z.literal(true), watching: z.boolean() }),
          ...errors,
        },
      },
      async handle({ event, params, body }) {
        const input = MeTooInput.parse(body ?? {});
        return json(200, await pressMeToo(deps, actorFromEvent(event), Id.parse(params.serviceId), input));
      },
    },
  ];
}

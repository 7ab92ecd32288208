import * as z from 'zod';
import { type Actor, normalizeEmail } from '#core/identity/actor.ts';
import {
  CreateDefinitionInput,
  createDefinition,
  definitionVersions,
  listCalendars,
  listDefinitions,
  SaveCalendarInput,
  StoredCalendar,
  saveCalendar,
  UpdateDefinitionInput,
  updateDefinition,
} from '#core/sla/sla-admin.ts';
import { SlaDefinition } from '#core/sla/sla-definition.ts';
import {
  dueAcrossGroups,
  dueQueue,
  MAX_DUE_GROUPS,
  recordSla,
  type SlaReadDeps,
  slaOfRecords,
} from '#core/sla/sla-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

export interface SlaRouteDeps {
  readonly sla: SlaReadDeps;
  /** Throws `NotFoundError` unless the actor may see the record (by its type). */
  readonly authorizeRecord: (actor: Actor, recordType: string, recordId: string) => Promise<void>;
  /** The assignment groups of an agent. */
  readonly groupsOf: (email: string) => Promise<readonly string[]>;
  /** Whether agents see every group's records (`AGENT_VISIBILITY=all`). */
  readonly agentsSeeAll: boolean;
}

const Id = z.string().min(1).max(64);
const tags = ['Service levels'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const ClockView = z.object({
  name: z.string(),
  kind: z.enum(['sla', 'ola']),
  target: z.enum(['response', 'resolution']),
  status: z.enum(['running', 'paused', 'met', 'breached', 'cancelled']),
  breached: z.boolean(),
  warned: z.boolean(),
  dueAt: z.string().optional(),
  budgetMs: z.number(),
  elapsedMs: z.number(),
  priority: z.number(),
  stoppedAt: z.string().optional(),
});
export const SlaViewBody = z.object({
  recordId: z.string(),
  recordType: z.string(),
  number: z.string(),
  dueAt: z.string().optional(),
  breached: z.boolean(),
  clocks: z.array(ClockView),
  assignmentGroup: z.string().optional(),
  assignee: z.string().optional(),
});
const DueQueueQuery = z.strictObject({
  group: z.string().min(1).max(64),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const DueQuery = z.strictObject({
  /** Comma-separated groups; the agent's own groups when left out. */
  groups: z
    .string()
    .max(MAX_DUE_GROUPS * 65)
    .transform((text) => text.split(',').filter(Boolean))
    .pipe(z.array(Id).min(1).max(MAX_DUE_GROUPS))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const RecordsQuery = z.strictObject({
  /** Comma-separated record ids (a queue page), at most 100. */
  ids: z
    .string()
    .max(100 * 65)
    .transform((text) => text.split(',').filter(Boolean))
    .pipe(z.array(Id).min(1).max(100)),
});

/** Service levels: definitions and calendars (admins edit, agents read), a record's clocks, the due queue. */
export function slaRoutes(deps: SlaRouteDeps): Route[] {
  const viewerGroups = (actor: Actor) => deps.groupsOf(normalizeEmail(actor.email));
  return [
    {
      method: 'GET',
      path: '/api/sla/definitions',
      docs: {
        summary: 'Service-level definitions in force (their current versions)',
        tags,
        responses: { 200: z.object({ items: z.array(SlaDefinition) }), ...errors },
      },
      async handle({ event }) {
        return json(200, { items: await listDefinitions(deps.sla, actorFromEvent(event)) });
      },
    },
    {
      method: 'POST',
      path: '/api/sla/definitions',
      docs: {
        summary: 'Create a service-level definition (admins)',
        tags,
        body: CreateDefinitionInput,
        responses: { 201: SlaDefinition, 409: ErrorBody, ...errors },
      },
      async handle({ event, body }) {
        const definition = await createDefinition(
          deps.sla,
          actorFromEvent(event),
          CreateDefinitionInput.parse(body ?? {}),
        );
        return json(201, definition, { location: `/api/sla/definitions/${definition.id}` });
      },
    },
    {
      method: 'PUT',
      path: '/api/sla/definitions/{id}',
      docs: {
        summary:
          'Save a new version of a definition (admins; send the version you saw). Records already running keep the version they started with.',
        tags,
        body: UpdateDefinitionInput,
        responses: { 200: SlaDefinition, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = UpdateDefinitionInput.parse(body ?? {});
        return json(200, await updateDefinition(deps.sla, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'GET',
      path: '/api/sla/definitions/{id}/versions',
      docs: {
        summary: 'Every version of a definition, newest first',
        tags,
        responses: { 200: z.object({ items: z.array(SlaDefinition) }), ...errors },
      },
      async handle({ event, params }) {
        const items = await definitionVersions(deps.sla, actorFromEvent(event), Id.parse(params.id));
        return json(200, { items });
      },
    },
    {
      method: 'GET',
      path: '/api/sla/calendars',
      docs: {
        summary: 'Business calendars (`default` is the deployment’s hours, `24x7` around the clock)',
        tags,
        responses: { 200: z.object({ items: z.array(StoredCalendar) }), ...errors },
      },
      async handle() {
        return json(200, { items: await listCalendars(deps.sla) });
      },
    },
    {
      method: 'PUT',
      path: '/api/sla/calendars/{id}',
      docs: {
        summary: 'Create or change a business calendar (admins; version 0 for a new one)',
        tags,
        body: SaveCalendarInput,
        responses: { 200: StoredCalendar, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = SaveCalendarInput.parse(body ?? {});
        return json(200, await saveCalendar(deps.sla, actorFromEvent(event), params.id ?? '', input));
      },
    },
    {
      method: 'GET',
      path: '/api/sla/records/{id}',
      docs: {
        summary: 'The service levels of a record you may see: targets, due times, elapsed business time',
        tags,
        responses: { 200: SlaViewBody, ...errors },
      },
      async handle({ event, params }) {
        const actor = actorFromEvent(event);
        const view = await recordSla(deps.sla, Id.parse(params.id), (type, id) =>
          deps.authorizeRecord(actor, type, id),
        );
        return json(200, view);
      },
    },
    {
      method: 'GET',
      path: '/api/sla/records',
      docs: {
        summary: 'The service levels of several records (a queue page; agents, their groups’ records only)',
        tags,
        query: RecordsQuery,
        responses: { 200: z.object({ items: z.array(SlaViewBody) }), ...errors },
      },
      async handle({ event }) {
        const actor = actorFromEvent(event);
        const { ids } = RecordsQuery.parse(event.queryStringParameters ?? {});
        const items = await slaOfRecords(deps.sla, actor, await viewerGroups(actor), ids, deps.agentsSeeAll);
        return json(200, { items });
      },
    },
    {
      method: 'GET',
      path: '/api/sla/queue',
      docs: {
        summary: 'A group’s records with a running clock, soonest due first (agents of the group)',
        tags,
        query: DueQueueQuery,
        responses: {
          200: z.object({ items: z.array(SlaViewBody), cursor: z.string().optional() }),
          ...errors,
        },
      },
      async handle({ event }) {
        const actor = actorFromEvent(event);
        const query = DueQueueQuery.parse(event.queryStringParameters ?? {});
        const result = await dueQueue(
          deps.sla,
          actor,
          await viewerGroups(actor),
          query.group,
          { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) },
          deps.agentsSeeAll,
        );
        return json(200, result);
      },
    },
    {
      method: 'GET',
      path: '/api/sla/due',
      docs: {
        summary:
          'What breaches next across your groups (or the groups named): one Query per group on the due index, merged by due time',
        tags,
        query: DueQuery,
        responses: {
          200: z.object({ groups: z.array(z.string()), items: z.array(SlaViewBody) }),
          ...errors,
        },
      },
      async handle({ event }) {
        const actor = actorFromEvent(event);
        const query = DueQuery.parse(event.queryStringParameters ?? {});
        const result = await dueAcrossGroups(
          deps.sla,
          actor,
          await viewerGroups(actor),
          { limit: query.limit, ...(query.groups ? { groups: query.groups } : {}) },
          deps.agentsSeeAll,
        );
        return json(200, result);
      },
    },
  ];
}

import * as z from 'zod';
import { AddMemberInput, CreateGroupInput, Group, GroupMember, UpdateGroupInput } from '#core/group/group.ts';
import {
  addMember,
  createGroup,
  type GroupDeps,
  getGroup,
  getRoutingConfig,
  listGroups,
  listMembers,
  removeMember,
  saveRoutingConfig,
  updateGroup,
} from '#core/group/group-service.ts';
import { RoutingConfig, SaveRoutingInput } from '#core/routing/routing-rules.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const ListQuery = z.strictObject({ cursor: z.string().max(2048).optional() });

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });

/** Path parameters are checked by the core: an id that cannot exist is a 404 like any unknown one. */
const param = (value: string | undefined) =>
  z
    .string()
    .max(254)
    .parse(value ?? '');

const refused = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } as const;

/**
 * Assignment groups, their members and the routing rules. Agents read them; only admins
 * change them (the core decides, these routes only translate HTTP).
 */
export function groupRoutes(deps: GroupDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/groups',
      docs: {
        summary: 'List assignment groups by name',
        tags: ['groups'],
        query: ListQuery,
        responses: { 200: pageOf(Group), ...refused },
      },
      async handle({ event }) {
        const actor = actorFromEvent(event);
        const { cursor } = ListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listGroups(deps, actor, cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/groups',
      docs: {
        summary: 'Create an assignment group (admins)',
        tags: ['groups'],
        body: CreateGroupInput,
        responses: { 201: Group, ...refused, 409: ErrorBody },
      },
      async handle({ event, body }) {
        const group = await createGroup(deps, actorFromEvent(event), (body ?? {}) as never);
        return json(201, group, { location: `/api/groups/${group.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/groups/{id}',
      docs: {
        summary: 'One assignment group',
        tags: ['groups'],
        responses: { 200: Group, ...refused, 404: ErrorBody },
      },
      async handle({ event, params }) {
        return json(200, await getGroup(deps, actorFromEvent(event), param(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/groups/{id}',
      docs: {
        summary: 'Change an assignment group (admins); `version` is the version it was edited from',
        tags: ['groups'],
        body: UpdateGroupInput,
        responses: { 200: Group, ...refused, 404: ErrorBody, 409: ErrorBody },
      },
      async handle({ event, params, body }) {
        const actor = actorFromEvent(event);
        return json(200, await updateGroup(deps, actor, param(params.id), (body ?? {}) as never));
      },
    },
    {
      method: 'GET',
      path: '/api/groups/{id}/members',
      docs: {
        summary: 'Members of an assignment group by address',
        tags: ['groups'],
        query: ListQuery,
        responses: { 200: pageOf(GroupMember), ...refused, 404: ErrorBody },
      },
      async handle({ event, params }) {
        const actor = actorFromEvent(event);
        const { cursor } = ListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listMembers(deps, actor, param(params.id), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/groups/{id}/members',
      docs: {
        summary: 'Add a person to an assignment group (admins); 200 when they were a member already',
        tags: ['groups'],
        body: AddMemberInput,
        responses: { 201: GroupMember, 200: GroupMember, ...refused, 404: ErrorBody },
      },
      async handle({ event, params, body }) {
        const actor = actorFromEvent(event);
        const { member, added } = await addMember(deps, actor, param(params.id), (body ?? {}) as never);
        const location = `/api/groups/${member.groupId}/members/${encodeURIComponent(member.email)}`;
        return json(added ? 201 : 200, member, { location });
      },
    },
    {
      method: 'DELETE',
      path: '/api/groups/{id}/members/{email}',
      docs: {
        summary: 'Take a person out of an assignment group (admins)',
        tags: ['groups'],
        responses: { 204: undefined, ...refused, 404: ErrorBody },
      },
      async handle({ event, params }) {
        const actor = actorFromEvent(event);
        await removeMember(deps, actor, param(params.id), param(params.email));
        return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
      },
    },
    {
      method: 'GET',
      path: '/api/routing',
      docs: {
        summary: 'The routing rules in order and the default group',
        tags: ['routing'],
        responses: { 200: RoutingConfig, ...refused },
      },
      async handle({ event }) {
        return json(200, await getRoutingConfig(deps, actorFromEvent(event)));
      },
    },
    {
      method: 'PUT',
      path: '/api/routing',
      docs: {
        summary:
          'Replace the routing rules and the default group (admins); `version` is the version they were edited from',
        tags: ['routing'],
        body: SaveRoutingInput,
        responses: { 200: RoutingConfig, ...refused, 409: ErrorBody },
      },
      async handle({ event, body }) {
        return json(200, await saveRoutingConfig(deps, actorFromEvent(event), (body ?? {}) as never));
      },
    },
  ];
}

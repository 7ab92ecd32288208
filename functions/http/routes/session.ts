import { normalizeEmail } from '#core/identity/actor.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import type { Route } from '../router.ts';

/**
 * Health (the one route without a token) and who the caller is. `assignmentGroups` are the
 * groups whose queues the caller works, so the portal can offer them without probing each one.
 */
export function sessionRoutes(deps: { readonly groups: GroupDirectory }): Route[] {
  return [
    { method: 'GET', path: '/api/health', public: true, handle: async () => json(200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/api/me',
      async handle({ event }) {
        const actor = actorFromEvent(event);
        const assignmentGroups = await deps.groups.groupsOf(normalizeEmail(actor.email));
        return json(200, {
          id: actor.id,
          email: actor.email,
          name: actor.name,
          groups: actor.groups,
          assignmentGroups,
        });
      },
    },
  ];
}

import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import type { Route } from '../router.ts';

/** Health (the one route without a token) and who the caller is. */
export const sessionRoutes: Route[] = [
  { method: 'GET', path: '/api/health', public: true, handle: async () => json(200, { status: 'ok' }) },
  {
    method: 'GET',
    path: '/api/me',
    async handle({ event }) {
      const actor = actorFromEvent(event);
      return json(200, { id: actor.id, email: actor.email, name: actor.name, groups: actor.groups });
    },
  },
];

import * as z from 'zod';
import { isAdmin } from '#core/identity/actor.ts';
import { ForbiddenError } from '#core/shared/errors.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import type { Route } from '../router.ts';

const ListQuery = z.strictObject({ cursor: z.string().max(2048).optional() });

/** Quarantined mail, newest first: for admins only. */
export function quarantineRoutes(quarantine: QuarantineStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/quarantine',
      async handle({ event }) {
        if (!isAdmin(actorFromEvent(event))) throw new ForbiddenError('Only admins see quarantined mail');
        const { cursor } = ListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await quarantine.list({ limit: 50, ...(cursor ? { cursor } : {}) }));
      },
    },
  ];
}

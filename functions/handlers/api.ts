import { apiServices } from '#config/composition-root.ts';
import { apiEnv, parseEnv } from '#config/env.ts';
import { createHttpApi } from '#http/api.ts';
import { openApiRoute } from '#http/openapi.ts';
import type { Route } from '#http/router.ts';
import { groupRoutes } from '#http/routes/groups.ts';
import { quarantineRoutes } from '#http/routes/quarantine.ts';
import { sessionRoutes } from '#http/routes/session.ts';
import { ticketRoutes } from '#http/routes/tickets.ts';

const services = apiServices(parseEnv(apiEnv));

const routes: Route[] = [
  ...sessionRoutes,
  ...ticketRoutes(services),
  ...groupRoutes({ groups: services.groupStore, clock: services.clock }),
  ...quarantineRoutes(services.quarantine),
];
routes.push(openApiRoute(() => routes));

/** Lambda entry of the HTTP API (behind API Gateway's JWT authorizer, but for health and the API description). */
export const handler = createHttpApi(routes);

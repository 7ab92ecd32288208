import { apiServices } from '#config/composition-root.ts';
import { apiEnv, parseEnv } from '#config/env.ts';
import { createHttpApi } from '#http/api.ts';
import { quarantineRoutes } from '#http/routes/quarantine.ts';
import { sessionRoutes } from '#http/routes/session.ts';
import { ticketRoutes } from '#http/routes/tickets.ts';

const services = apiServices(parseEnv(apiEnv));

/** Lambda entry of the HTTP API (behind API Gateway's JWT authorizer). */
export const handler = createHttpApi([
  ...sessionRoutes,
  ...ticketRoutes(services),
  ...quarantineRoutes(services.quarantine),
]);

import { apiServices, loadChangeSettings, telemetry } from '#config/composition-root.ts';
import { apiEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { createHttpApi } from '#http/api.ts';
import { openApiRoute } from '#http/openapi.ts';
import { PUBLIC_ROUTES } from '#http/public-routes.ts';
import type { Route } from '#http/router.ts';
import { assetImportRoutes } from '#http/routes/asset-imports.ts';
import { assetRoutes } from '#http/routes/assets.ts';
import { attachmentRoutes } from '#http/routes/attachments.ts';
import { catalogRoutes } from '#http/routes/catalog.ts';
import { changeRoutes } from '#http/routes/changes.ts';
import { cmdbRoutes } from '#http/routes/cmdb.ts';
import { deskRoutes } from '#http/routes/desk.ts';
import { groupRoutes } from '#http/routes/groups.ts';
import { knowledgeRoutes } from '#http/routes/knowledge.ts';
import { mailBodyRoutes } from '#http/routes/mail-bodies.ts';
import { problemRoutes } from '#http/routes/problems.ts';
import { quarantineRoutes } from '#http/routes/quarantine.ts';
import { recordCiRoutes } from '#http/routes/record-cis.ts';
import { reportRoutes } from '#http/routes/reports.ts';
import { satisfactionRoutes } from '#http/routes/satisfaction.ts';
import { serviceStatusRoutes } from '#http/routes/service-status.ts';
import { sessionRoutes } from '#http/routes/session.ts';
import { slaRoutes } from '#http/routes/sla.ts';
import { ticketRoutes } from '#http/routes/tickets.ts';

const env = parseEnv(apiEnv);
const services = apiServices(env, await loadChangeSettings(env));

const routes: Route[] = [
  ...sessionRoutes(services),
  ...ticketRoutes(services),
  ...mailBodyRoutes(services),
  ...attachmentRoutes(services.attachments),
  ...groupRoutes({ groups: services.groupStore, clock: services.clock }),
  ...quarantineRoutes(services),
  ...changeRoutes(services.change),
  ...problemRoutes(services.problems),
  ...deskRoutes(services.desk),
  ...slaRoutes(services.slaRoutes),
  ...cmdbRoutes(services.cmdb),
  ...assetRoutes(services.assets),
  ...assetImportRoutes(services.assetImports),
  ...serviceStatusRoutes(services.serviceStatus),
  ...recordCiRoutes(services.recordCis),
  ...reportRoutes(services.reports),
  ...satisfactionRoutes(services.satisfaction),
  ...catalogRoutes(services.catalog),
  ...knowledgeRoutes(services.knowledge),
  ...attachmentRoutes(services.knowledgeFiles, '/api/knowledge'),
];
routes.push(openApiRoute(() => routes));

/** Routes API Gateway serves without a token: exactly the list the CDK API and the local gateway use. */
export const publicRoutes = routes
  .filter((route) => route.public)
  .map((route) => `${route.method} ${route.path}`);
if (JSON.stringify([...publicRoutes].sort()) !== JSON.stringify([...PUBLIC_ROUTES].sort()))
  throw new Error(`Routes marked public (${publicRoutes.join(', ')}) differ from PUBLIC_ROUTES`);

/** Lambda entry of the HTTP API, behind API Gateway's JWT authorizer on every route but the public ones. */
export const handler = instrumented(telemetry(), createHttpApi(routes, { fromOrigin: services.fromOrigin }));

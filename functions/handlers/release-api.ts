import { originCheck, telemetry } from '#config/composition-root.ts';
import { parseEnv, releaseApiEnv } from '#config/env.ts';
import { gateServices, releaseServices } from '#config/release.ts';
import { instrumented } from '#config/telemetry.ts';
import { createHttpApi } from '#http/api.ts';
import { openApiRoute } from '#http/openapi.ts';
import { RELEASE_PUBLIC_ROUTES } from '#http/public-routes.ts';
import type { Route } from '#http/router.ts';
import { releaseRoutes } from '#http/routes/releases.ts';

const env = parseEnv(releaseApiEnv);
const release = releaseServices(env, env.RELEASE_WORKFLOW_ARN);

/**
 * The release API: releases, go/no-go, notes, the release calendar and the pipeline gate, in
 * their own function behind the same HTTP API (the api function stays within its bundle budget).
 * Its OpenAPI document is `GET /api/releases/openapi.json` (signed in).
 */
const routes: Route[] = releaseRoutes({ release, gate: gateServices(env, release) });
// First, so `/api/releases/{id}` does not take it.
routes.unshift({
  ...openApiRoute(() => routes, { title: 'Spoke release API', version: '0.1.0' }),
  path: '/api/releases/openapi.json',
  public: false,
});

const publicRoutes = routes.filter((route) => route.public).map((route) => `${route.method} ${route.path}`);
if (JSON.stringify([...publicRoutes].sort()) !== JSON.stringify([...RELEASE_PUBLIC_ROUTES].sort()))
  throw new Error(
    `Release routes marked public (${publicRoutes.join(', ')}) differ from RELEASE_PUBLIC_ROUTES`,
  );

export const handler = instrumented(
  telemetry(),
  createHttpApi(routes, { fromOrigin: originCheck(env.ORIGIN_VERIFY_SECRET) }),
);

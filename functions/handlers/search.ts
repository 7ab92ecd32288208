import { originCheck, searchServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, searchEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { createHttpApi } from '#http/api.ts';
import { searchRoutes } from '#http/routes/search.ts';

const env = parseEnv(searchEnv);
const services = searchServices(env);

/**
 * `GET /api/search`: its own function so the index it keeps in memory (loaded from S3 on a
 * cold start, refreshed from the manifest) costs only searches, never the rest of the API.
 */
export const handler = instrumented(
  telemetry(),
  createHttpApi(searchRoutes(services), { fromOrigin: originCheck(env.ORIGIN_VERIFY_SECRET) }),
);

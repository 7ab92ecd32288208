import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#http/openapi.ts';
import { RELEASE_PUBLIC_ROUTES } from '#http/public-routes.ts';
import { releaseRoutes } from '#http/routes/releases.ts';

/**
 * The release API describes itself: every route has its OpenAPI entry (summary, body and
 * responses from the zod schemas that parse the traffic), and exactly the listed public routes
 * (mailed go/no-go links, the token-guarded gate) go without the Cognito token.
 */
describe('the release API’s OpenAPI document', () => {
  const routes = releaseRoutes({ release: {} as never, gate: {} as never });
  const document = openApiDocument(routes) as {
    paths: Record<string, Record<string, { summary?: string; security?: unknown[]; requestBody?: unknown }>>;
  };

  it('documents every release route, with the bodies the routes parse', () => {
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.summary, `${route.method} ${route.path}`).toBeTruthy();
    }
    expect(document.paths['/api/releases/{id}/transitions']?.post?.requestBody).toBeDefined();
    expect(JSON.stringify(document.paths['/api/pipeline-gate/{pipeline}/runs']?.post?.requestBody)).toContain(
      'executionId',
    );
  });

  it('asks for the Cognito token everywhere but the listed public routes', () => {
    const open = routes
      .filter((route) => document.paths[route.path]?.[route.method.toLowerCase()]?.security?.length === 0)
      .map((route) => `${route.method} ${route.path}`);
    expect(open.sort()).toEqual([...RELEASE_PUBLIC_ROUTES].sort());
  });
});

import { describe, expect, it } from 'vitest';
import type { CmdbDeps } from '#core/cmdb/cmdb-service.ts';
import type { RecordCiDeps } from '#core/cmdb/record-cis.ts';
import type { ServiceStatusDeps } from '#core/cmdb/service-status-service.ts';
import { openApiDocument } from '#http/openapi.ts';
import { cmdbRoutes } from '#http/routes/cmdb.ts';
import { recordCiRoutes } from '#http/routes/record-cis.ts';
import { serviceStatusRoutes } from '#http/routes/service-status.ts';

/** Every CMDB route (CIs, record–CI links and impact, the status page) is in the OpenAPI document, documented. */
const routes = [
  ...cmdbRoutes({} as CmdbDeps),
  ...recordCiRoutes({} as RecordCiDeps),
  ...serviceStatusRoutes({} as ServiceStatusDeps),
];
type Operation = { summary?: string; responses: Record<string, unknown>; requestBody?: unknown };
const document = openApiDocument(routes) as { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI of the CMDB', () => {
  it('documents every route with a summary, a success response and the body it parses', () => {
    expect(routes.length).toBeGreaterThanOrEqual(19);
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.summary, `${route.method} ${route.path}`).toBeTruthy();
      expect(
        Object.keys(operation?.responses ?? {}).some((status) => status.startsWith('2')),
        `${route.method} ${route.path} has a 2xx response`,
      ).toBe(true);
      if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH')
        expect(operation?.requestBody, `${route.method} ${route.path} body`).toBeDefined();
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/service-status',
        '/api/service-status/outages',
        '/api/service-status/{serviceId}/override',
        '/api/service-status/{serviceId}/me-too',
        '/api/records/{kind}/{id}/cis',
        '/api/records/{kind}/{id}/impact',
        '/api/cis/{id}/impact',
      ]),
    );
  });

  it('refuses an unknown record kind with a 400 naming kind', async () => {
    const route = routes.find((r) => r.method === 'GET' && r.path === '/api/records/{kind}/{id}/cis');
    const refused = await Promise.resolve()
      .then(() =>
        route?.handle({ event: {} as never, params: { kind: 'laptop', id: 'x' }, body: undefined } as never),
      )
      .catch((error: unknown) => error as { name: string; fields: { path: string }[] });
    expect(refused).toMatchObject({ name: 'ValidationError', fields: [{ path: 'kind' }] });
  });
});

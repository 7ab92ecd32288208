import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { originCheck } from '#config/composition-root.ts';
import { createHttpApi, json } from '#http/api.ts';
import { ORIGIN_VERIFY_HEADER } from '#http/origin.ts';

const secret = 'k3Jd8sQw0PzXv7LmN2bR5tYc9HfG4aUe1iOo6pVy';

const healthRequest = (headers: Record<string, string>) =>
  ({
    headers,
    rawPath: '/api/health',
    routeKey: 'GET /api/health',
    requestContext: { http: { method: 'GET' } },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('only CloudFront reaches the API function', () => {
  const api = createHttpApi(
    [{ method: 'GET', path: '/api/health', public: true, handle: async () => json(200, { ok: true }) }],
    { fromOrigin: originCheck(secret) },
  );
  const call = (headers: Record<string, string>) =>
    api(healthRequest(headers), { awsRequestId: 'r-1' } as Context) as Promise<{ statusCode: number }>;

  it('answers a request that carries CloudFront’s origin header', async () => {
    const response = await call({ [ORIGIN_VERIFY_HEADER]: secret });

    expect(response.statusCode).toBe(200);
  });

  it('refuses with 403 a request straight to execute-api, without the header or with a wrong one', async () => {
    const statuses = await Promise.all([
      call({}),
      call({ [ORIGIN_VERIFY_HEADER]: 'guess' }),
      call({ [ORIGIN_VERIFY_HEADER]: `${secret.slice(0, -1)}x` }),
    ]);

    expect(statuses.map((response) => response.statusCode)).toEqual([403, 403, 403]);
  });

  it('refuses to start in AWS without the secret rather than serve requests unchecked', () => {
    expect(() => originCheck(undefined)).toThrow(/ORIGIN_VERIFY_SECRET/);
  });
});

/**
 * The routes API Gateway serves without a token, as `METHOD /path/{param}` route keys. The CDK
 * API gives each its own route without the JWT authorizer, the local gateway lets them through,
 * and the API refuses to start when the routes marked `public` differ from this list.
 */
export const PUBLIC_ROUTES = [
  /** The liveness probe. */
  'GET /api/health',
  /** The API description. */
  'GET /api/openapi.json',
  /** An approval link's confirmation page: the signed, single-use link is the credential. */
  'GET /api/approval-links/{token}',
  'POST /api/approval-links/{token}',
  'GET /api/request-approval-links/{token}',
  'POST /api/request-approval-links/{token}',
  /** A satisfaction survey link's confirmation page: the signed, single-use link is the credential. */
  'GET /api/satisfaction-links/{token}',
  'POST /api/satisfaction-links/{token}',
] as const;

/**
 * The release API's public routes (its own function behind the same HTTP API, infra/release.ts):
 * go/no-go links from mail, and the pipeline gate, whose credential is a per-pipeline token
 * (stored hashed) that the function checks before anything else.
 */
export const RELEASE_PUBLIC_ROUTES = [
  'GET /api/release-approval-links/{token}',
  'POST /api/release-approval-links/{token}',
  'POST /api/pipeline-gate/{pipeline}/runs',
  'POST /api/pipeline-gate/{pipeline}/runs/{executionId}/outcome',
] as const;

/** Whether a request (method and concrete path) hits one of the given public route keys. */
export function isPublicRequest(routeKeys: readonly string[], method: string, path: string): boolean {
  return routeKeys.some((key) => {
    const [keyMethod, keyPath = ''] = key.split(' ');
    if (keyMethod !== method) return false;
    const pattern = keyPath
      .split('/')
      .map((segment) =>
        /^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    return new RegExp(`^${pattern}$`).test(path);
  });
}

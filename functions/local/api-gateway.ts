import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Throttle } from './local-template.ts';

/** API Gateway's own payload limit for HTTP APIs. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type ApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<unknown>;

/** One route of the HTTP API, as the template declares it. */
export interface GatewayRoute {
  /** `METHOD /path` (`{name}` one segment, `{name+}` the rest), `ANY /path` or `$default`. */
  readonly routeKey: string;
  /** The JWT authorizer; a route without one is public. */
  readonly authorizer?: { readonly issuer: string; readonly audience: readonly string[] };
  /** Calls the integration's function with the event; resolves to its result. */
  readonly invoke: (event: APIGatewayProxyEventV2WithJWTAuthorizer, requestId: string) => Promise<unknown>;
}

export interface ApiGatewayOptions {
  readonly port: number;
  readonly host?: string;
  readonly routes: readonly GatewayRoute[];
  /** The stage's default route throttle (`DefaultRouteSettings`); none means unthrottled. */
  readonly throttle?: Throttle;
  /** Per-route throttles (`RouteSettings`) by route key. */
  readonly routeThrottles?: Readonly<Record<string, Throttle>>;
}

/** Routes for one in-process handler behind one authorizer: every path, some public (benchmarks). */
export function routesForHandler(options: {
  readonly handler: ApiHandler;
  readonly issuer: string;
  readonly audience: string;
  readonly publicRoutes: readonly string[];
}): GatewayRoute[] {
  const invoke = (event: APIGatewayProxyEventV2WithJWTAuthorizer, requestId: string) =>
    options.handler(event, lambdaContext(requestId));
  return [
    {
      routeKey: 'ANY /api/{proxy+}',
      authorizer: { issuer: options.issuer, audience: [options.audience] },
      invoke,
    },
    ...options.publicRoutes.map((routeKey) => ({ routeKey, invoke })),
  ];
}

interface CompiledRoute extends GatewayRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Higher wins: literal paths over variables over greedy variables, a method over ANY. */
  readonly rank: number;
}

function compileRoute(route: GatewayRoute): CompiledRoute {
  if (route.routeKey === '$default') return { ...route, method: 'ANY', pattern: /^/, names: [], rank: -1 };
  const [method = '', path = ''] = route.routeKey.split(' ');
  const names: string[] = [];
  let literals = 0;
  let greedy = false;
  const source = path
    .split('/')
    .map((segment) => {
      const variable = /^\{(\w+)(\+)?\}$/.exec(segment);
      if (!variable) {
        literals++;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(variable[1] as string);
      if (variable[2]) {
        greedy = true;
        return '(.+)';
      }
      return '([^/]+)';
    })
    .join('/');
  const rank = (greedy ? 0 : 1_000_000) + literals * 10 + (method === 'ANY' ? 0 : 1);
  return { ...route, method, pattern: new RegExp(`^${source}$`), names, rank };
}

/** The route API Gateway selects: the most specific match, then `$default`; none is its 404. */
export function selectRoute<T extends GatewayRoute>(
  routes: readonly T[],
  method: string,
  path: string,
): { route: T; pathParameters: Record<string, string> } | undefined {
  let best: { route: T; pathParameters: Record<string, string>; rank: number } | undefined;
  for (const route of routes) {
    const compiled = compileRoute(route);
    if (compiled.method !== 'ANY' && compiled.method !== method) continue;
    const match = compiled.pattern.exec(path);
    if (!match || (best && best.rank >= compiled.rank)) continue;
    const pathParameters = Object.fromEntries(
      compiled.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
    );
    best = { route, pathParameters, rank: compiled.rank };
  }
  return best && { route: best.route, pathParameters: best.pathParameters };
}

/** API Gateway's token bucket: `burstLimit` requests at once, refilled at `rateLimit` a second. */
function tokenBucket({ rateLimit, burstLimit }: Throttle): () => boolean {
  let tokens = burstLimit;
  let last = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(burstLimit, tokens + ((now - last) / 1000) * rateLimit);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/**
 * API Gateway's JWT authorizer passes claims as strings; lists become `[a b]`. Doing the
 * same here means the handler's claim parsing is exercised exactly as in AWS.
 */
export function flattenClaims(
  payload: Record<string, unknown>,
): Record<string, string | number | boolean | string[]> {
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [
      key,
      Array.isArray(value)
        ? `[${value.join(' ')}]`
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value),
    ]),
  );
}

/** aws-jwt-verify fetches keys over HTTPS only; the local identity provider serves them on loopback HTTP. */
const loopbackFetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(uri))
      throw new Error(`Refusing to fetch keys from ${uri}`);
    const response = await fetch(uri);
    if (!response.ok) throw new Error(`JWKS ${uri} answered ${response.status}`);
    return response.arrayBuffer();
  },
};

const textTypes = /^(application\/(json|.+\+json|x-www-form-urlencoded|xml)|text\/)/i;

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'spoke-local-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:spoke-local-api',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/spoke-local-api',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > API_GATEWAY_MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Builds the `APIGatewayProxyEventV2` API Gateway would hand the Lambda for this request. */
export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  claims: Record<string, string | number | boolean | string[]> | undefined,
  requestId: string,
  route: { routeKey: string; pathParameters: Record<string, string> } = {
    routeKey: 'ANY /api/{proxy+}',
    pathParameters: { proxy: new URL(req.url ?? '/', 'http://local').pathname.replace(/^\/api\/?/, '') },
  },
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.length === 0 || textTypes.test(headers['content-type'] ?? '');
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** Where a JWT authorizer finds the issuer's keys: its discovery document, as API Gateway does. */
async function discoveredJwksUri(issuer: string): Promise<string> {
  const discovery = JSON.parse(
    Buffer.from(await loopbackFetcher.fetch(`${issuer}/.well-known/openid-configuration`)).toString('utf8'),
  ) as { jwks_uri?: string; issuer?: string };
  if (discovery.issuer !== issuer || !discovery.jwks_uri)
    throw new Error(`The discovery document of ${issuer} names another issuer or no jwks_uri`);
  return discovery.jwks_uri;
}

/**
 * The local API Gateway, configured by the HTTP API of the template: it selects the route,
 * applies the stage's throttles, verifies the bearer token the way the route's JWT authorizer
 * does (issuer, audience, the issuer's keys), builds the real event shape and invokes the
 * route's function. A function that fails becomes API Gateway's bare 500; the server never goes down.
 */
export async function startApiGateway(
  options: ApiGatewayOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const verifiers = new Map<string, Promise<{ verify(token: string): Promise<unknown> }>>();
  const verifierFor = ({ issuer, audience }: NonNullable<GatewayRoute['authorizer']>) => {
    const key = JSON.stringify([issuer, audience]);
    let verifier = verifiers.get(key);
    if (!verifier) {
      verifier = discoveredJwksUri(issuer).then((jwksUri) =>
        JwtVerifier.create(
          { issuer, audience: [...audience], jwksUri },
          { jwksCache: new SimpleJwksCache({ fetcher: loopbackFetcher }) },
        ),
      );
      verifier.catch(() => verifiers.delete(key));
      verifiers.set(key, verifier);
    }
    return verifier;
  };
  const buckets = new Map<string, () => boolean>();
  const admit = (routeKey: string): boolean => {
    const throttle = options.routeThrottles?.[routeKey] ?? options.throttle;
    if (!throttle) return true;
    let bucket = buckets.get(routeKey);
    if (!bucket) {
      bucket = tokenBucket(throttle);
      buckets.set(routeKey, bucket);
    }
    return bucket();
  };
  const server = createServer(async (req, res) => {
    const requestId = randomUUID();
    res.setHeader('apigw-requestid', requestId);
    try {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const selected = selectRoute(options.routes, req.method ?? 'GET', path);
      if (!selected) return send(res, 404, { message: 'Not Found' });
      const { route, pathParameters } = selected;
      if (!admit(route.routeKey)) return send(res, 429, { message: 'Too Many Requests' });
      let claims: Record<string, string | number | boolean | string[]> | undefined;
      if (route.authorizer) {
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (!token) return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
        const verifier = await verifierFor(route.authorizer);
        try {
          claims = flattenClaims((await verifier.verify(token)) as Record<string, unknown>);
        } catch {
          return send(
            res,
            401,
            { message: 'Unauthorized' },
            { 'www-authenticate': 'Bearer error="invalid_token"' },
          );
        }
      }
      const body = await readBody(req);
      if (body === 'too-large')
        return send(res, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
      const event = toEvent(req, body, claims, requestId, { routeKey: route.routeKey, pathParameters });
      const result = (await route.invoke(event, requestId)) as APIGatewayProxyStructuredResultV2 | undefined;
      const headers = Object.fromEntries(
        Object.entries(result?.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      if (result?.cookies?.length) res.setHeader('set-cookie', result.cookies);
      res.writeHead(result?.statusCode ?? 200, headers);
      res.end(
        result?.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined,
      );
    } catch (error) {
      console.error(`[api] handler failed for ${req.method} ${req.url}: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    }
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { isPublicRequest } from '#http/public-routes.ts';

/** API Gateway's own payload limit for HTTP APIs. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type ApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<unknown>;

export interface ApiGatewayOptions {
  readonly port: number;
  readonly host?: string;
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly handler: ApiHandler;
  /** Routes without the JWT authorizer, as `METHOD /path`. @default ['GET /api/health'] */
  readonly publicRoutes?: readonly string[];
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
    routeKey: 'ANY /api/{proxy+}',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    pathParameters: { proxy: url.pathname.replace(/^\/api\/?/, '') },
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
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/**
 * The local API Gateway: verifies the bearer token the way the JWT authorizer does, builds
 * the real event shape, invokes the same handler module Lambda runs and writes its result.
 * A handler that throws becomes API Gateway's bare 500; the server itself never goes down.
 */
export async function startApiGateway(
  options: ApiGatewayOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const verifier = JwtVerifier.create(
    { issuer: options.issuer, audience: options.audience, jwksUri: options.jwksUri },
    { jwksCache: new SimpleJwksCache({ fetcher: loopbackFetcher }) },
  );
  const publicRoutes = options.publicRoutes ?? ['GET /api/health'];
  const server = createServer(async (req, res) => {
    const requestId = randomUUID();
    res.setHeader('apigw-requestid', requestId);
    try {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      let claims: Record<string, string | number | boolean | string[]> | undefined;
      if (!isPublicRequest(publicRoutes, req.method ?? 'GET', path)) {
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (!token) return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
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
      const result = (await options.handler(
        toEvent(req, body, claims, requestId),
        lambdaContext(requestId),
      )) as APIGatewayProxyStructuredResultV2 | undefined;
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

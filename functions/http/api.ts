import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { ForbiddenError, PayloadTooLargeError } from '#core/shared/errors.ts';
import type { OriginCheck } from './origin.ts';
import { MalformedBodyError, problemOf, UnsupportedMediaTypeError } from './problems.ts';
import { compileRoutes, matchRoute, type Route } from './router.ts';

/** Largest JSON body the API accepts; files travel through presigned S3 URLs instead. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

const baseHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { ...baseHeaders, ...headers }, body: JSON.stringify(body) };
}

export function readJsonBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_JSON_BODY_BYTES) {
    throw new PayloadTooLargeError(`Request body is larger than ${MAX_JSON_BODY_BYTES} bytes`);
  }
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new UnsupportedMediaTypeError('Request body must be JSON (content-type: application/json)');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedBodyError(`Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The HTTP API as one Lambda handler: route, parse, call the route, and map any error to
 * its status through `problemOf`. Unexpected errors are logged with the request id and
 * answered with a bare 500. With `fromOrigin`, a request that did not come through CloudFront
 * is refused with 403 before any route runs (the JWT authorizer, where a route has one, ran
 * before the function already).
 */
export function createHttpApi(routes: readonly Route[], options: { readonly fromOrigin?: OriginCheck } = {}) {
  const compiled = compileRoutes(routes);
  const dispatch = async (
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    if (options.fromOrigin && !options.fromOrigin(event.headers)) {
      throw new ForbiddenError('Requests reach this API through the portal only');
    }
    const { route, params } = matchRoute(compiled, event.requestContext.http.method, event.rawPath);
    return route.handle({ event, params, body: readJsonBody(event) });
  };
  return middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Error, Context>(
    dispatch,
  ).onError((request) => {
    const problem = problemOf(request.error);
    if (problem.status >= 500) {
      console.error(
        JSON.stringify({
          level: 'ERROR',
          message: 'Unhandled error in API',
          requestId: request.context?.awsRequestId,
          route: request.event.routeKey,
          error:
            request.error instanceof Error
              ? { name: request.error.name, stack: request.error.stack }
              : String(request.error),
        }),
      );
    }
    request.response = json(problem.status, problem.body, problem.headers);
  });
}

import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { Actor } from '#core/identity/actor.ts';
import { createHttpApi } from '#http/api.ts';
import type { Route } from '#http/router.ts';

/** The ID-token claims API Gateway's JWT authorizer hands the API for an actor. */
export const tokenOf = (actor: Actor) => ({
  sub: actor.id,
  email: actor.email,
  token_use: 'id',
  email_verified: 'true',
  'cognito:groups': `[${actor.groups.join(' ')}]`,
});

/** Calls routes through the real HTTP layer with the event API Gateway would send; JSON bodies parsed. */
export async function callRoutes(
  routes: readonly Route[],
  method: string,
  path: string,
  as: Actor,
  body?: unknown,
) {
  const api = createHttpApi(routes);
  const [rawPath, rawQueryString = ''] = path.split('?');
  const event = {
    rawPath,
    rawQueryString,
    queryStringParameters: rawQueryString
      ? Object.fromEntries(new URLSearchParams(rawQueryString))
      : undefined,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    routeKey: '$default',
    requestContext: { http: { method }, authorizer: { jwt: { claims: tokenOf(as), scopes: [] } } },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  const response = await api(event, { awsRequestId: 'test' } as Context);
  const type = String(response.headers?.['content-type'] ?? '');
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: type.startsWith('application/json') ? JSON.parse(response.body || 'null') : response.body,
  };
}

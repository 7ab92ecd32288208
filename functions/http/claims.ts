import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { Actor } from '#core/identity/actor.ts';
import { UnauthorizedError } from '#core/shared/errors.ts';

/**
 * API Gateway's JWT authorizer hands the claims over as strings: a list claim such as
 * `cognito:groups` arrives as `"[agents admins]"`. This reads both that and a real array.
 */
export function listClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(/[\s,]+/).filter(Boolean);
}

/** The actor behind a request whose token API Gateway (or the local emulator) has verified. */
export function actorFromEvent(event: APIGatewayProxyEventV2WithJWTAuthorizer): Actor {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims) throw new UnauthorizedError('No verified token');
  if (claims.token_use !== 'id') throw new UnauthorizedError('An ID token is required');
  if (String(claims.email_verified) !== 'true')
    throw new UnauthorizedError('The email address is not verified');
  const parsed = Actor.safeParse({
    id: claims.sub,
    email: claims.email,
    name: claims.name ?? claims['cognito:username'],
    groups: listClaim(claims['cognito:groups']),
  });
  if (!parsed.success) throw new UnauthorizedError('The token lacks the subject or email claims');
  return parsed.data;
}

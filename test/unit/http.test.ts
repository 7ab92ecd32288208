import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConflictError, NotFoundError } from '#core/shared/errors.ts';
import { actorFromEvent, listClaim } from '#http/claims.ts';
import { fieldPath, problemOf } from '#http/problems.ts';
import { compileRoutes, matchRoute } from '#http/router.ts';

const eventWithClaims = (claims: Record<string, string> | undefined) =>
  ({
    requestContext: { authorizer: claims ? { jwt: { claims, scopes: [] } } : undefined },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('claims from the JWT authorizer', () => {
  it('reads list claims in API Gateway’s "[a b]" form and as real arrays', () => {
    expect(listClaim('[agents admins]')).toEqual(['agents', 'admins']);
    expect(listClaim(['agents'])).toEqual(['agents']);
    expect(listClaim('')).toEqual([]);
    expect(listClaim(undefined)).toEqual([]);
  });

  it('builds the actor from an ID token and refuses access tokens or missing claims', () => {
    const actor = actorFromEvent(
      eventWithClaims({
        sub: 's-1',
        email: 'a@example.com',
        email_verified: 'true',
        'cognito:groups': '[agents]',
        token_use: 'id',
      }),
    );
    expect(actor).toEqual({ id: 's-1', email: 'a@example.com', groups: ['agents'] });
    expect(() =>
      actorFromEvent(
        eventWithClaims({ sub: 's-1', email: 'a@example.com', email_verified: 'false', token_use: 'id' }),
      ),
    ).toThrow(/not verified/);
    expect(() =>
      actorFromEvent(eventWithClaims({ sub: 's-1', email: 'a@example.com', email_verified: 'true' })),
    ).toThrow(/ID token/);
    expect(() =>
      actorFromEvent(eventWithClaims({ sub: 's-1', email: 'a@example.com', token_use: 'access' })),
    ).toThrow(/ID token/);
    expect(() =>
      actorFromEvent(eventWithClaims({ sub: 's-1', token_use: 'id', email_verified: 'true' })),
    ).toThrow(/email/);
    expect(() => actorFromEvent(eventWithClaims(undefined))).toThrow(/No verified token/);
  });
});

describe('errors to HTTP problems', () => {
  it('names every invalid field with its path and reason', () => {
    const schema = z.strictObject({
      requester: z.object({ email: z.email() }),
      watchers: z.array(z.string().min(2)),
    });
    const error = schema.safeParse({ requester: { email: 'nope' }, watchers: ['ok', 'x'], extra: 1 }).error;
    const problem = problemOf(error);

    expect(problem.status).toBe(400);
    expect(problem.body.error.fields?.map((f) => f.path)).toEqual([
      'requester.email',
      'watchers[1]',
      '(request)',
    ]);
    expect(problem.body.error.fields?.[2]?.message).toBe('unknown field(s): extra');
  });

  it('maps domain errors to their status and keeps the current record on a conflict', () => {
    expect(problemOf(new NotFoundError('No ticket x')).status).toBe(404);
    const conflict = problemOf(new ConflictError('stale', { version: 3 }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.current).toEqual({ version: 3 });
  });

  it('answers anything unexpected with a bare 500 that leaks nothing', () => {
    const problem = problemOf(new TypeError('secret table name spoke-prod-domain'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem.body)).not.toMatch(/secret|spoke-prod/);
  });

  it('writes field paths as people read them', () => {
    expect(fieldPath(['a', 0, 'b'])).toBe('a[0].b');
    expect(fieldPath([])).toBe('');
  });
});

describe('routing', () => {
  const routes = compileRoutes([
    { method: 'GET', path: '/api/tickets/{id}', handle: async () => ({ statusCode: 200 }) },
    { method: 'POST', path: '/api/tickets', handle: async () => ({ statusCode: 201 }) },
  ]);

  it('extracts decoded path parameters', () => {
    expect(matchRoute(routes, 'GET', '/api/tickets/a%20b').params).toEqual({ id: 'a b' });
  });

  it('answers a broken percent-encoding in a path parameter with 404, not a crash', () => {
    expect(() => matchRoute(routes, 'GET', '/api/tickets/%E0%A4%A')).toThrow(NotFoundError);
  });

  it('tells an unknown path (404) from a known path with the wrong method (405 with Allow)', () => {
    expect(() => matchRoute(routes, 'GET', '/api/unknown')).toThrow(NotFoundError);
    expect(() => matchRoute(routes, 'DELETE', '/api/tickets')).toThrow(
      expect.objectContaining({ allow: ['POST'] }),
    );
  });
});

import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { NotFoundError } from '#core/shared/errors.ts';
import { MethodNotAllowedError } from './problems.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest {
  readonly event: APIGatewayProxyEventV2WithJWTAuthorizer;
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body (undefined when there was none). */
  readonly body: unknown;
}

export type RouteHandler = (request: RouteRequest) => Promise<APIGatewayProxyStructuredResultV2>;

/** What the OpenAPI document says about a route; the same zod schemas validate the traffic. */
export interface RouteDocs {
  readonly summary: string;
  readonly tags?: readonly string[];
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly headers?: z.ZodType;
  /** Response schema by status code; `undefined` for a response without a body. */
  readonly responses: Readonly<Record<number, z.ZodType | undefined>>;
}

export interface Route {
  readonly method: HttpMethod;
  /** Path with `{name}` parameters, e.g. `/api/tickets/{id}`. */
  readonly path: string;
  /** Whether the route answers without a token (only health does). @default false */
  readonly public?: boolean;
  readonly handle: RouteHandler;
  readonly docs?: RouteDocs;
}

interface CompiledRoute extends Route {
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** A path segment without its percent-encoding; a broken encoding names no record, so it is a 404. */
function decodePathSegment(segment: string, path: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new NotFoundError(`No route for ${path}`);
  }
}

export function compileRoutes(routes: readonly Route[]): readonly CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1] as string);
        return '([^/]+)';
      })
      .join('/');
    return { ...route, pattern: new RegExp(`^${source}/?$`), names };
  });
}

/** Finds the route for a method and path: 404 for an unknown path, 405 (with Allow) for a known path and wrong method. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; params: Record<string, string> } {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params = Object.fromEntries(
      route.names.map((name, i) => [name, decodePathSegment(match[i + 1] ?? '', path)]),
    );
    return { route, params };
  }
  if (allowed.length > 0)
    throw new MethodNotAllowedError(`${method} is not allowed on ${path}`, allowed.sort());
  throw new NotFoundError(`No route for ${method} ${path}`);
}

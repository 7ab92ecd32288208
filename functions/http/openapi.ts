import * as z from 'zod';
import { json } from './api.ts';
import { ErrorBody } from './problems.ts';
import type { Route } from './router.ts';

/** Where the API describes itself; public, like the health probe. */
export const OPENAPI_PATH = '/api/openapi.json';

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

const defaultInfo: OpenApiInfo = { title: 'Spoke API', version: '0.1.0' };
const SECURITY_SCHEME = 'cognitoIdToken';
const errorResponse = { $ref: '#/components/responses/Error' };

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without its `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** Query or header parameters from an object schema: one parameter per property. */
function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'header') {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: required.has(name),
    schema: property,
  }));
}

function operationId(route: Route): string {
  const words = `${route.method.toLowerCase()} ${route.path.replace(/^\/api\//, '')}`
    .replace(/[{}]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((word, i) => (i === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join('');
}

function operation(route: Route) {
  const docs = route.docs;
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(docs?.responses ?? { 200: undefined })) {
    responses[status] = {
      description: Number(status) < 300 ? 'Success' : 'See the response body',
      ...(schema ? { content: { 'application/json': { schema: jsonSchema(schema, 'output') } } } : {}),
    };
  }
  responses['4XX'] = errorResponse;
  responses['5XX'] = errorResponse;
  const parameters = [
    ...pathParameters,
    ...parametersOf(docs?.query, 'query'),
    ...parametersOf(docs?.headers, 'header'),
  ];
  return {
    operationId: operationId(route),
    ...(docs?.summary ? { summary: docs.summary } : {}),
    ...(docs?.tags?.length ? { tags: [...docs.tags] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(docs?.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(docs.body, 'input') } },
          },
        }
      : {}),
    responses,
    security: route.public ? [] : [{ [SECURITY_SCHEME]: [] }],
  };
}

/**
 * The OpenAPI 3.1 document of a route table, generated from the same zod schemas that
 * validate the traffic, so the description cannot drift from the behaviour. Every route is
 * listed (those without `docs` with their path, method and error responses only); every
 * route but the public ones requires the Cognito ID token as a bearer JWT.
 */
export function openApiDocument(routes: readonly Route[], info: OpenApiInfo = defaultInfo): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { ...info },
    paths,
    components: {
      schemas: { ErrorBody: jsonSchema(ErrorBody, 'output') },
      responses: {
        Error: {
          description: 'An error; `error.code` is stable, `error.fields` names each invalid field',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The Cognito ID token (not the access token): the API needs the email and groups claims.',
        },
      },
    },
  };
}

/**
 * `GET /api/openapi.json`, public. Takes the routes lazily so it can describe a table that
 * includes itself; the document is built once per cold start.
 */
export function openApiRoute(getRoutes: () => readonly Route[], info: OpenApiInfo = defaultInfo): Route {
  let document: object | undefined;
  return {
    method: 'GET',
    path: OPENAPI_PATH,
    public: true,
    docs: { summary: 'This OpenAPI 3.1 document', tags: ['meta'], responses: { 200: undefined } },
    async handle() {
      document ??= openApiDocument(getRoutes(), info);
      return json(200, document);
    },
  };
}

import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { json } from '#http/api.ts';
import { OPENAPI_PATH, openApiDocument, openApiRoute } from '#http/openapi.ts';
import type { Route } from '#http/router.ts';

const ok = async () => json(200, {});
const Ticket = z.object({ id: z.string(), shortDescription: z.string() });
const NewTicket = z.strictObject({
  shortDescription: z.string().min(3).max(160),
  description: z.string().optional(),
});

const routes: Route[] = [
  { method: 'GET', path: '/api/health', public: true, handle: ok },
  {
    method: 'POST',
    path: '/api/tickets',
    handle: ok,
    docs: {
      summary: 'Open a ticket',
      tags: ['tickets'],
      body: NewTicket,
      headers: z.object({ 'Idempotency-Key': z.string().optional() }),
      responses: { 201: Ticket, 200: Ticket },
    },
  },
  {
    method: 'GET',
    path: '/api/tickets',
    handle: ok,
    docs: {
      summary: 'My tickets',
      query: z.strictObject({ cursor: z.string().optional(), view: z.enum(['mine']).default('mine') }),
      responses: { 200: z.object({ items: z.array(Ticket) }) },
    },
  },
  { method: 'GET', path: '/api/tickets/{id}', handle: ok },
  {
    method: 'DELETE',
    path: '/api/tickets/{id}/watchers/{email}',
    handle: ok,
    docs: { summary: 'Stop watching', responses: { 204: undefined } },
  },
];

type Operation = {
  summary?: string;
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: unknown; $ref?: string }>;
  security?: unknown[];
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, string>> };
};

const document = openApiDocument(routes, { title: 'Test API', version: '1.2.3' }) as Document;
const op = (path: string, method: string) => document.paths[path]?.[method] as Operation;

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with every path and method of the route table', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({ title: 'Test API', version: '1.2.3' });
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('describes request bodies from the zod schema where the route documents one', () => {
    const body = op('/api/tickets', 'post').requestBody?.content['application/json']?.schema;

    expect(body).toMatchObject({
      type: 'object',
      properties: { shortDescription: { type: 'string', minLength: 3, maxLength: 160 } },
      required: ['shortDescription'],
      additionalProperties: false,
    });
    expect(body).not.toHaveProperty('$schema');
    expect(op('/api/tickets', 'get').requestBody).toBeUndefined();
  });

  it('turns path, query and header schemas into parameters', () => {
    expect(op('/api/tickets/{id}/watchers/{email}', 'delete').parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
      expect.objectContaining({ name: 'email', in: 'path', required: true }),
    ]);
    expect(op('/api/tickets', 'get').parameters).toEqual([
      expect.objectContaining({ name: 'cursor', in: 'query', required: false }),
      expect.objectContaining({ name: 'view', in: 'query', required: false }),
    ]);
    expect(op('/api/tickets', 'post').parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
  });

  it('requires the bearer JWT everywhere except on public routes', () => {
    expect(document.components.securitySchemes.cognitoIdToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    for (const route of routes) {
      const security = op(route.path, route.method.toLowerCase()).security;
      expect(security, `${route.method} ${route.path}`).toEqual(route.public ? [] : [{ cognitoIdToken: [] }]);
    }
  });

  it('lists undocumented routes without a summary, and refers every error to the one ErrorBody', () => {
    const undocumented = op('/api/tickets/{id}', 'get');

    expect(undocumented.summary).toBeUndefined();
    expect(undocumented.responses['200']).toBeDefined();
    expect(op('/api/tickets', 'post').responses['201']?.content).toBeDefined();
    expect(op('/api/tickets/{id}/watchers/{email}', 'delete').responses['204']?.content).toBeUndefined();
    expect(document.components.schemas.ErrorBody).toMatchObject({ type: 'object', required: ['error'] });
    for (const methods of Object.values(document.paths))
      for (const operation of Object.values(methods)) {
        expect(operation.responses['4XX']).toEqual({ $ref: '#/components/responses/Error' });
        expect(operation.responses['5XX']).toEqual({ $ref: '#/components/responses/Error' });
      }
  });

  it('serves itself publicly at /api/openapi.json, describing a table that includes it', async () => {
    const table: Route[] = [...routes];
    const route = openApiRoute(() => table);
    table.push(route);

    const response = await route.handle({ event: {} as never, params: {}, body: undefined });
    const served = JSON.parse(String(response.body)) as Document;

    expect(route).toMatchObject({ method: 'GET', path: OPENAPI_PATH, public: true });
    expect(response.statusCode).toBe(200);
    expect(served.paths[OPENAPI_PATH]?.get?.security).toEqual([]);
  });
});

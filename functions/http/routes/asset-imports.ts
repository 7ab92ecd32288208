import * as z from 'zod';
import {
  AssetImport,
  type AssetImportDeps,
  assetImportErrors,
  ImportRowError,
  importColumns,
  listAssetImports,
  NewImportInput,
  newAssetImport,
  startAssetImport,
  viewAssetImport,
} from '#core/cmdb/asset-import.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const tags = ['Assets'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Upload = z.object({
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  expiresAt: z.string(),
});

/** CSV imports of assets (admins and configuration managers): open, upload to S3, start, follow, read the error report. */
export function assetImportRoutes(deps: AssetImportDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/asset-imports',
      docs: {
        summary: `Open a CSV import of assets: PUT the file to the returned URL with its headers, then start it. Columns: ${importColumns.join(', ')}`,
        tags,
        body: NewImportInput,
        responses: { 201: z.object({ job: AssetImport, upload: Upload }), ...errors },
      },
      async handle({ event, body }) {
        const opened = await newAssetImport(deps, actorFromEvent(event), NewImportInput.parse(body ?? {}));
        return json(201, opened, { location: `/api/asset-imports/${opened.job.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/asset-imports',
      docs: {
        summary: 'Asset imports, newest first',
        tags,
        query: CursorQuery,
        responses: { 200: page(AssetImport), ...errors },
      },
      async handle({ event }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listAssetImports(deps, actorFromEvent(event), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/asset-imports/{id}/start',
      docs: {
        summary: 'Start an uploaded import: it runs asynchronously; follow it with GET',
        tags,
        responses: { 202: AssetImport, 409: ErrorBody, ...errors },
      },
      async handle({ event, params }) {
        return json(202, await startAssetImport(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'GET',
      path: '/api/asset-imports/{id}',
      docs: { summary: 'An import: its status and counts', tags, responses: { 200: AssetImport, ...errors } },
      async handle({ event, params }) {
        return json(200, await viewAssetImport(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'GET',
      path: '/api/asset-imports/{id}/errors',
      docs: {
        summary:
          'The error report of an import: each refused row with its problems (column and reason), in row order',
        tags,
        query: CursorQuery,
        responses: { 200: page(ImportRowError), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await assetImportErrors(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
  ];
}

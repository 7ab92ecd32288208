import * as z from 'zod';
import { AssetAssignment, AssetInfo } from '#core/cmdb/asset.ts';
import {
  AssetMoveInput,
  AssignFromStockInput,
  assignFromStock,
  CheckOutInput,
  checkOutAsset,
  type DeviceReportDeps,
  listStock,
  ReportDeviceInput,
  reportDeviceProblem,
  retireAsset,
  returnAsset,
  StockQuery,
  sendAssetToRepair,
  viewAsset,
} from '#core/cmdb/asset-service.ts';
import { ConfigurationItem } from '#core/cmdb/ci.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const tags = ['Assets'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const AssetBody = z.object({
  ci: ConfigurationItem,
  asset: AssetInfo,
  assignments: z.array(AssetAssignment),
});

/** The asset moves, one route each: the same shape, a different state. */
const moves = [
  {
    path: 'return',
    summary: 'Take an asset back into stock (from its person, or back from repair)',
    run: returnAsset,
  },
  {
    path: 'repair',
    summary: 'Send an asset to repair (an assigned one is taken back first)',
    run: sendAssetToRepair,
  },
  {
    path: 'retire',
    summary: 'Retire an asset in stock or in repair (final; kept with its history)',
    run: retireAsset,
  },
] as const;

/** Assets people carry: the asset page, check-out, return, repair, retire, stock, fulfilment and device reports. */
export function assetRoutes(deps: DeviceReportDeps): Route[] {
  const { cmdb } = deps;
  return [
    {
      method: 'GET',
      path: '/api/assets/stock',
      docs: {
        summary: 'Assets in stock of one model (agents)',
        tags,
        query: StockQuery,
        responses: {
          200: z.object({ items: z.array(ConfigurationItem), cursor: z.string().optional() }),
          ...errors,
        },
      },
      async handle({ event }) {
        const query = StockQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listStock(cmdb, actorFromEvent(event), query));
      },
    },
    {
      method: 'POST',
      path: '/api/assets/assign-from-stock',
      docs: {
        summary:
          'Fulfilment: check an asset of a model out of stock to a person (agents); 404 when none of the model is in stock',
        tags,
        body: AssignFromStockInput,
        responses: { 200: ConfigurationItem, ...errors },
      },
      async handle({ event, body }) {
        const input = AssignFromStockInput.parse(body ?? {});
        const ci = await assignFromStock(cmdb, actorFromEvent(event), input);
        if (!ci) throw new NotFoundError(`No ${input.model} in stock`);
        return json(200, ci);
      },
    },
    {
      method: 'GET',
      path: '/api/assets/{id}',
      docs: {
        summary: 'An asset with its state and check-out history (agents; the person it is assigned to)',
        tags,
        responses: { 200: AssetBody, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await viewAsset(cmdb, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'POST',
      path: '/api/assets/{id}/check-out',
      docs: {
        summary: 'Check an asset in stock out to a person (send the version you saw)',
        tags,
        body: CheckOutInput,
        responses: { 200: ConfigurationItem, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = CheckOutInput.parse(body ?? {});
        return json(200, await checkOutAsset(cmdb, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    ...moves.map(
      (move): Route => ({
        method: 'POST',
        path: `/api/assets/{id}/${move.path}`,
        docs: {
          summary: move.summary,
          tags,
          body: AssetMoveInput,
          responses: { 200: ConfigurationItem, 409: ErrorBody, ...errors },
        },
        async handle({ event, params, body }) {
          const input = AssetMoveInput.parse(body ?? {});
          return json(200, await move.run(cmdb, actorFromEvent(event), Id.parse(params.id), input));
        },
      }),
    ),
    {
      method: 'POST',
      path: '/api/my-devices/{id}/report',
      docs: {
        summary: 'Report a problem with one of my devices: an incident linked to the device',
        tags,
        body: ReportDeviceInput,
        responses: {
          201: z.object({ incident: z.object({ id: z.string(), number: z.string() }), ci: z.string() }),
          ...errors,
        },
      },
      async handle({ event, params, body }) {
        const input = ReportDeviceInput.parse(body ?? {});
        const reported = await reportDeviceProblem(deps, actorFromEvent(event), Id.parse(params.id), input);
        return json(201, reported, { location: `/api/tickets/${reported.incident.id}` });
      },
    },
  ];
}

import { DynamoAssetImportStore } from '#adapters/dynamodb/asset-import-store.dynamo.ts';
import type { RecordTableOptions } from '#adapters/dynamodb/record-table.ts';
import type { AssetImportDeps, ImportFiles } from '#core/cmdb/asset-import.ts';
import type { DeviceReportDeps } from '#core/cmdb/asset-service.ts';
import type { CmdbDeps } from '#core/cmdb/cmdb-service.ts';
import { type OpenTicketLimit, takeOpenAllowance } from '#core/ticket/open-limit.ts';
import { openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';

/**
 * Assets on the CMDB: a device problem opens an incident through the ticket engine, as the
 * person, under the same per-person open limit as the portal's new-ticket form.
 */
export function assetServices(
  cmdb: CmdbDeps,
  tickets: TicketDeps,
  openLimit: OpenTicketLimit,
): DeviceReportDeps {
  return {
    cmdb,
    async openIncident(actor, input) {
      await takeOpenAllowance(openLimit, actor);
      const { ticket } = await openTicket(
        tickets,
        actor,
        { kind: 'incident', ...input },
        { channel: 'portal' },
      );
      return { id: ticket.id, number: ticket.number };
    },
  };
}

/** CSV imports of assets: jobs and row errors on the domain table, files in S3 (the attachments bucket). */
export function assetImportWiring(
  cmdb: CmdbDeps,
  table: RecordTableOptions,
  files: ImportFiles,
): AssetImportDeps {
  return {
    cmdb,
    imports: new DynamoAssetImportStore(table),
    files,
    events: cmdb.events,
    clock: cmdb.clock,
    ids: cmdb.ids,
  };
}

import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { assetImportServices, telemetry } from '#config/composition-root.ts';
import { assetImportEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { runAssetImport } from '#core/cmdb/asset-import-run.ts';

const services = assetImportServices(parseEnv(assetImportEnv));
const log = telemetry();
const Detail = z.object({ importId: z.string().min(1).max(64) });

/**
 * Lambda entry of `asset_import.requested` (the domain bus): runs one CSV import of assets. A
 * detail that does not parse, or a failure outside a row (DynamoDB or S3 unreachable), throws:
 * the event is retried, then kept in the function's dead-letter queue with its body.
 */
export const handler = instrumented(log, async (event: EventBridgeEvent<string, unknown>) => {
  const { importId } = Detail.parse(event.detail);
  const job = await runAssetImport(services, importId);
  if (!job) {
    log.warn('no such asset import: nothing to run', { importId });
    return { importId, status: 'missing' };
  }
  log.count('AssetRowsImported', job.created + job.updated);
  log.info('asset import finished', {
    importId,
    status: job.status,
    rows: job.rows,
    created: job.created,
    updated: job.updated,
    unchanged: job.unchanged,
    failed: job.failed,
  });
  return { importId, status: job.status, rows: job.rows, failed: job.failed };
});

import { AssetAssignment } from '#core/cmdb/asset.ts';
import { AssetImport, ImportRowError } from '#core/cmdb/asset-import.ts';
import { defineEntity } from './entity.ts';

/**
 * The asset entities (see `entities.ts` for the conventions). An assignment lives in its
 * asset's item collection `CI#{id}` (`ASSIGN#{checkedOutAt}`), so the asset page reads the CI,
 * its relations and its check-out history with the same Query as the CI page.
 */
export const assetAssignmentEntity = /* @__PURE__ */ defineEntity({
  name: 'asset-assignment',
  version: 1,
  table: 'domain',
  schema: AssetAssignment,
  indexes: { primary: { pk: 'CI#{ciId}', sk: 'ASSIGN#{checkedOutAt}' } },
  facets: (assignment) => ({ ciId: assignment.ciId, checkedOutAt: assignment.checkedOutAt }),
});

/** An asset import job; the newest first in `ASSET_IMPORTS` (gsi1). */
export const assetImportEntity = /* @__PURE__ */ defineEntity({
  name: 'asset-import',
  version: 1,
  table: 'domain',
  schema: AssetImport,
  indexes: {
    primary: { pk: 'ASSET_IMPORT#{id}', sk: '#IMPORT' },
    gsi1: { pk: 'ASSET_IMPORTS', sk: '{createdAt}#{id}' },
  },
  facets: (job) => ({ id: job.id, createdAt: job.createdAt }),
});

/** A row's errors, under its import in row order (one item per row: a repeated run overwrites it). */
export const assetImportErrorEntity = /* @__PURE__ */ defineEntity({
  name: 'asset-import-error',
  version: 1,
  table: 'domain',
  schema: ImportRowError,
  indexes: { primary: { pk: 'ASSET_IMPORT#{importId}', sk: 'ERR#{row}' } },
  facets: (error) => ({ importId: error.importId, row: String(error.row).padStart(7, '0') }),
});

import { AssetAssignment } from '#core/cmdb/asset.ts';
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

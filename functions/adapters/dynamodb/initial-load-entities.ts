import { InitialLoadCursor } from '#core/cmdb/initial-load.ts';
import { defineEntity } from './entity.ts';

/**
 * Where the initial load of an account and region from AWS Config stands
 * (`core/cmdb/initial-load.ts`; conventions in `entities.ts`). In a file of its own so that the
 * API, which never runs a load, does not bundle the load's schema.
 */
export const cmdbInitialLoadEntity = /* @__PURE__ */ defineEntity({
  name: 'cmdb-initial-load',
  version: 1,
  table: 'domain',
  schema: InitialLoadCursor,
  indexes: { primary: { pk: 'CMDB_LOAD#{accountId}#{region}', sk: '#CURSOR' } },
  facets: (cursor) => ({ accountId: cursor.accountId, region: cursor.region }),
});

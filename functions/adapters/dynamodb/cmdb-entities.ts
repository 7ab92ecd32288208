import * as z from 'zod';
import { modelKey } from '#core/cmdb/asset.ts';
import { CiAuditEntry, CiRelation, ConfigurationItem } from '#core/cmdb/ci.ts';
import { AUDIT_SK, auditN } from './entities.ts';
import { defineEntity } from './entity.ts';

/**
 * The CMDB entities (see `entities.ts` for the conventions and `entity-list.ts` for the list).
 * A CI's item collection `CI#{id}` holds the CI (`#CI`), its outgoing relations (`OUT#…`) and
 * its history (`~AUDIT#…`): the CI page reads the CI and its outgoing relations with one
 * Query (sort keys below `~`). Incoming relations are the same relation items seen through
 * gsi1 (`CI_IN#{toId}`): one item per relation, readable both ways with one Query each.
 */

/** A CI's name as its list sort keys hold it: lower case, for a case-insensitive prefix search. */
export const nameKey = (name: string): string => name.toLowerCase();

export const ciEntity = /* @__PURE__ */ defineEntity({
  name: 'ci',
  version: 1,
  table: 'domain',
  schema: ConfigurationItem,
  indexes: {
    primary: { pk: 'CI#{id}', sk: '#CI' },
    gsi1: { pk: 'CI_OWNER#{owner}', sk: '{nameKey}#{id}' },
    gsi2: { pk: 'CIS#{class}', sk: '{status}#{nameKey}#{id}' },
    gsi3: { pk: 'CI_STATUS#{status}', sk: '{nameKey}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'ci' },
    /** Assets in stock by model (sparse): what fulfilment hands out. */
    gsi5: { pk: 'CI_STOCK#{stockModel}', sk: '{nameKey}#{id}' },
  },
  facets: (ci) => ({
    id: ci.id,
    owner: ci.owner?.email,
    nameKey: nameKey(ci.name),
    class: ci.class,
    status: ci.status,
    number: ci.number,
    stockModel: stockModelOf(ci),
  }),
});

/** The model key of an asset in stock (with a model), else nothing: the stock index is sparse. */
function stockModelOf(ci: ConfigurationItem): string | undefined {
  const model = ci.attributes.model;
  return ci.asset?.state === 'in_stock' && typeof model === 'string' ? modelKey(model) : undefined;
}

export const ciAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'ci-audit',
  version: 1,
  table: 'domain',
  schema: CiAuditEntry,
  indexes: { primary: { pk: 'CI#{ciId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({ ciId: entry.ciId, at: entry.at, n: context.n }),
  contextOf: auditN,
});

export const ciRelationEntity = /* @__PURE__ */ defineEntity({
  name: 'ci-relation',
  version: 1,
  table: 'domain',
  schema: CiRelation,
  indexes: {
    primary: { pk: 'CI#{fromId}', sk: 'OUT#{type}#{toId}' },
    gsi1: { pk: 'CI_IN#{toId}', sk: '{type}#{fromId}' },
  },
  facets: (relation) => ({ fromId: relation.from.id, type: relation.type, toId: relation.to.id }),
});

/** The one CI holding an external id (an ARN, a serial number): written with the CI, so a second is refused. */
export const ciExternalIdEntity = /* @__PURE__ */ defineEntity({
  name: 'ci-external-id',
  version: 1,
  table: 'domain',
  schema: z.object({ externalId: z.string().min(1).max(1000), ciId: z.string().min(1).max(64) }),
  indexes: { primary: { pk: 'CI_EXTERNAL#{externalId}', sk: '#EXTERNAL' } },
  facets: (claim) => ({ externalId: claim.externalId, ciId: claim.ciId }),
});

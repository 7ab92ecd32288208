import * as z from 'zod';
import { RecordFacts } from '#core/reporting/facts.ts';
import { defineEntity } from './entity.ts';

/**
 * The reporting entities (docs/reporting.md): one counter item per cut and local day (plus the
 * backlog gauge, slot `~NOW`), reporting's facts per record, and the marker of each counted
 * event in the idempotency table (gone by TTL after the archive's replay window).
 */
export const reportCounterEntity = /* @__PURE__ */ defineEntity({
  name: 'report-counter',
  version: 1,
  table: 'domain',
  schema: z.record(z.string(), z.number()),
  indexes: { primary: { pk: 'RPT#{cut}', sk: '{slot}' } },
  facets: (_, context: { readonly cut: string; readonly slot: string }) => context,
  contextOf: (item) => ({ cut: String(item.pk).slice('RPT#'.length), slot: String(item.sk) }),
});

export const reportFactsEntity = /* @__PURE__ */ defineEntity({
  name: 'report-facts',
  version: 1,
  table: 'domain',
  schema: RecordFacts,
  indexes: { primary: { pk: 'RPT_FACTS#{recordId}', sk: '#FACTS' } },
  facets: (_, context: { readonly recordId: string }) => context,
  contextOf: (item) => ({ recordId: String(item.pk).slice('RPT_FACTS#'.length) }),
});

export const reportEventEntity = /* @__PURE__ */ defineEntity({
  name: 'report-event',
  version: 1,
  table: 'idempotency',
  schema: z.object({ expiresAt: z.number().int() }),
  indexes: { primary: { pk: 'RPT_EVENT#{eventId}' } },
  facets: (_, context: { readonly eventId: string }) => context,
  contextOf: (item) => ({ eventId: String(item.pk).slice('RPT_EVENT#'.length) }),
});

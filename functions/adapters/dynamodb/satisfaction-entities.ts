import { Rating } from '#core/satisfaction/satisfaction.ts';
import { defineEntity } from './entity.ts';

/** A ticket's satisfaction rating (docs/reporting.md, "Satisfaction"): one item per ticket. */
export const ratingEntity = /* @__PURE__ */ defineEntity({
  name: 'satisfaction-rating',
  version: 1,
  table: 'domain',
  schema: Rating,
  indexes: { primary: { pk: 'CSAT#{ticketId}', sk: '#CSAT' } },
  facets: (rating) => ({ ticketId: rating.ticketId }),
});

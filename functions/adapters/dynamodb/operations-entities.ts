import { Signal } from '#core/operations/signal.ts';
import { defineEntity } from './entity.ts';

/** Cloud operations' entities (see `entities.ts` for the conventions, `entity-list.ts` for the list). */
export const signalEntity = /* @__PURE__ */ defineEntity({
  name: 'ops-signal',
  version: 1,
  table: 'domain',
  schema: Signal,
  indexes: { primary: { pk: 'SIGNAL#{key}', sk: '#SIGNAL' } },
  facets: (signal) => ({ key: signal.key }),
});

export const operationsEntities = [signalEntity] as const;

import type { Count } from './counters.ts';
import {
  type CountContext,
  type CounterMapping,
  dimensionsOf,
  type RecordFacts,
  requireFacts,
  stringOf,
} from './facts.ts';

/**
 * Counting service levels from the SLA engine's `sla.*` events (docs/sla.md), under the
 * record's own dimensions (its facts: the ticket's group, service, priority, channel).
 *
 * Each clock — one per kind (`sla`, `ola`) and target (`response`, `resolution`), since one
 * definition per kind applies to a record — counts one outcome at a time:
 * - **met** on `sla.met` (the target reached in time);
 * - **breached** on `sla.breached` (the moment it was missed) or on `sla.stopped` with status
 *   `breached` (stopped late before the breach timer fired) — once per clock;
 * - `sla.reopened` of a met clock takes its met back on the day it was counted: the reopened
 *   clock counts again when it stops. A breach stays counted (a breached clock stays breached).
 *
 * SLA met % = met / (met + breached), per target and overall; OLAs the same, apart.
 */

/** The record types reporting keeps facts for; SLA events of others are not counted. */
const COUNTED_RECORD_TYPES = new Set(['incident', 'request', 'problem']);

const levelOf = (kind: unknown): 'sla' | 'ola' => (kind === 'ola' ? 'ola' : 'sla');

/** The counters of an outcome: `slaMet_resolution`, `olaBreached_response`. */
export const slaCounter = (level: 'sla' | 'ola', outcome: 'Met' | 'Breached', target: string) =>
  `${level}${outcome}_${target}`;

function outcome({ event, ...rest }: CountContext) {
  const before = requireFacts({ event, ...rest });
  const target = stringOf(event.detail.target) ?? 'resolution';
  const level = levelOf(event.detail.kind);
  const key = `${level}:${target}`;
  const day = rest.dayOf(event.at);
  const counted = before.slaOutcomes?.[key];
  const outcomes = { ...before.slaOutcomes };
  const counts: Count[] = [];
  const takeBackMet = () => {
    if (counted?.outcome !== 'met') return;
    const { day: metDay, outcome: _, ...dims } = counted;
    counts.push({ day: metDay, dims, add: { [slaCounter(level, 'Met', target)]: -1 } });
    delete outcomes[key];
  };
  const record = (result: 'met' | 'breached') => {
    const dims = dimensionsOf(before);
    counts.push({
      day,
      dims,
      add: { [slaCounter(level, result === 'met' ? 'Met' : 'Breached', target)]: 1 },
    });
    outcomes[key] = { outcome: result, day, ...dims };
  };
  const breached =
    event.type === 'sla.breached' || (event.type === 'sla.stopped' && event.detail.status === 'breached');
  if (event.type === 'sla.met' && !counted) record('met');
  else if (breached && counted?.outcome !== 'breached') {
    takeBackMet();
    record('breached');
  } else if (event.type === 'sla.reopened') takeBackMet();
  const facts: RecordFacts = { ...before, slaOutcomes: outcomes };
  return { facts, counts };
}

/** `sla.met`, `sla.breached`, `sla.stopped` and `sla.reopened`: the record is the one the clock runs on. */
export const slaMapping: CounterMapping = {
  recordId: (detail) =>
    COUNTED_RECORD_TYPES.has(String(detail.recordType)) ? stringOf(detail.recordId) : undefined,
  count: outcome,
};

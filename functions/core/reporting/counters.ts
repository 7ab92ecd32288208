import { bucketCounter, bucketOf } from './histogram.ts';

/**
 * Pre-aggregated counters. Every counted event adds numbers to one item per local day and
 * dimension key ("cut"): the whole desk, each group, service, priority and channel, and a group
 * combined with each of the others (so a group manager can filter their groups by priority).
 * A report over any range reads one item per day of one cut — O(days), never the records.
 * Backlog is a gauge: an extra item per cut (`NOW`) holds what is open now, and each day keeps
 * its net change, so the backlog at the end of any day is `now − Σ changes after that day`.
 */

/** The dimensions a record is counted under; absent ones are not counted in their cuts. */
export interface Dimensions {
  readonly group?: string;
  readonly service?: string;
  readonly priority?: number;
  readonly channel?: string;
}

export const DIMENSIONS = ['group', 'service', 'priority', 'channel'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The filters a report may combine: one dimension, or a group with one other dimension. */
export const CUTS: readonly (readonly Dimension[])[] = [
  [],
  ['group'],
  ['service'],
  ['priority'],
  ['channel'],
  ['group', 'service'],
  ['group', 'priority'],
  ['group', 'channel'],
];

/** The key of one cut with its values: `all`, `group=network`, `group=network|priority=2`. */
export function cutKey(filter: Readonly<Partial<Record<Dimension, string | number>>>): string {
  const parts = DIMENSIONS.filter((d) => filter[d] !== undefined).map((d) => `${d}=${filter[d]}`);
  return parts.length === 0 ? 'all' : parts.join('|');
}

/** Whether a filter names one of the cuts that are counted. */
export const isCountedCut = (dimensions: readonly Dimension[]): boolean =>
  CUTS.some((cut) => cut.length === dimensions.length && cut.every((d) => dimensions.includes(d)));

/** Every cut key a record with these dimensions is counted under. */
export function cutKeysOf(dims: Dimensions): string[] {
  const keys: string[] = [];
  for (const cut of CUTS) {
    if (cut.some((d) => dims[d] === undefined)) continue;
    keys.push(cutKey(Object.fromEntries(cut.map((d) => [d, dims[d]]))));
  }
  return keys;
}

/** The slot of the backlog gauge, after every day in sort order. */
export const NOW_SLOT = '~NOW';
/** The counter that carries a day's net change of the backlog, and the gauge's counter. */
export const BACKLOG_DELTA = 'backlogDelta';
export const OPEN_NOW = 'open';

/** Numbers to add for one record on one local day, under its dimensions. */
export interface Count {
  readonly day: string;
  readonly dims: Dimensions;
  readonly add: Readonly<Record<string, number>>;
}

/** One counter item to update: a cut key, a day (or the gauge slot), the numbers to add. */
export interface CounterUpdate {
  readonly cut: string;
  readonly slot: string;
  readonly add: Readonly<Record<string, number>>;
}

/** Expands counts into the items to update, merged per item, zeros dropped. */
export function counterUpdates(counts: readonly Count[]): CounterUpdate[] {
  const merged = new Map<string, { cut: string; slot: string; add: Record<string, number> }>();
  const addTo = (cut: string, slot: string, name: string, value: number) => {
    const key = `${cut}\u0000${slot}`;
    let entry = merged.get(key);
    if (!entry) {
      entry = { cut, slot, add: {} };
      merged.set(key, entry);
    }
    entry.add[name] = (entry.add[name] ?? 0) + value;
  };
  for (const count of counts) {
    for (const cut of cutKeysOf(count.dims)) {
      for (const [name, value] of Object.entries(count.add)) {
        addTo(cut, count.day, name, value);
        if (name === BACKLOG_DELTA) addTo(cut, NOW_SLOT, OPEN_NOW, value);
      }
    }
  }
  const updates: CounterUpdate[] = [];
  for (const entry of merged.values()) {
    const add = Object.fromEntries(Object.entries(entry.add).filter(([, v]) => v !== 0));
    if (Object.keys(add).length > 0) updates.push({ cut: entry.cut, slot: entry.slot, add });
  }
  return updates;
}

/** The counters of one measured duration: count, sum and its histogram bucket. */
export const duration = (measure: string, minutes: number): Record<string, number> => ({
  [`${measure}Count`]: 1,
  [`${measure}Sum`]: Math.round(minutes),
  [bucketCounter(measure, bucketOf(minutes))]: 1,
});

/** The counter of one service among the top services (`svc:mail`), additive like any other. */
export const serviceCounter = (service: string): string => `svc:${service}`;

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
/** The local calendar day (`YYYY-MM-DD`) of an instant in the service desk's zone. */
export function localDay(at: string | Date, timeZone: string): string {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter.format(typeof at === 'string' ? new Date(at) : at);
}

import type { Change, ChangeCmdb, FreezeWindow } from './change.ts';
import { conflictRefs } from './cmdb-risk.ts';
import { plannedStates } from './lifecycle.ts';

/**
 * The change calendar's rules: two changes conflict when their windows overlap and they touch
 * the same service or configuration item — by label, by a linked CI, or by a business service
 * their CIs reach in the CMDB (`cmdb`, read by the caller); a freeze window blocks the standard and normal
 * changes planned inside it. Conflicts are computed when read, so both changes show the flag
 * and it disappears by itself when one of them moves or ends.
 */
type Window = Pick<Change, 'plannedStart' | 'plannedEnd'>;

export const overlaps = (a: { start: string; end: string }, b: { start: string; end: string }): boolean =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

const windowOf = (change: Window) => ({ start: change.plannedStart, end: change.plannedEnd });

export interface ChangeConflict {
  readonly changeId: string;
  readonly number: string;
  /** The services and configuration items both changes touch. */
  readonly shared: readonly string[];
}

export function conflictsOf(
  change: Pick<Change, 'id' | 'plannedStart' | 'plannedEnd' | 'services' | 'configurationItems' | 'state'>,
  others: readonly Change[],
  cmdb: ReadonlyMap<string, Pick<ChangeCmdb, 'cis' | 'services'>> = new Map(),
): ChangeConflict[] {
  if (!plannedStates.includes(change.state)) return [];
  const mine = conflictRefs(change, cmdb.get(change.id));
  return others
    .filter((other) => other.id !== change.id && plannedStates.includes(other.state))
    .filter((other) => overlaps(windowOf(change), windowOf(other)))
    .map((other) => ({
      changeId: other.id,
      number: other.number,
      shared: [...conflictRefs(other, cmdb.get(other.id))].filter((ref) => mine.has(ref)),
    }))
    .filter((conflict) => conflict.shared.length > 0);
}

/** The freeze windows a planned change falls into. */
export function freezesHit(
  change: Pick<Change, 'plannedStart' | 'plannedEnd' | 'services'>,
  freezes: readonly FreezeWindow[],
): FreezeWindow[] {
  return freezes.filter(
    (freeze) =>
      overlaps(windowOf(change), freeze) &&
      (freeze.services.length === 0 || freeze.services.some((s) => change.services.includes(s))),
  );
}

/** `2026-11` for every month from the one `days` before `from` to the one of `to`: the calendar partitions to read. */
export function monthsCovering(from: string, to: string, daysBefore: number): string[] {
  const start = new Date(Date.parse(from) - daysBefore * 24 * 3600 * 1000);
  const end = new Date(to);
  const months: string[] = [];
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  while (cursor <= end && months.length < 40) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

import { ConflictError } from '../shared/errors.ts';
import type { RecordBase } from './record.ts';

/**
 * Optimistic versions: every write of a record raises its `version` by one and is stored only
 * if the stored record still has the version the writer read. An editor who saw an older
 * version gets a conflict (409) carrying the record as it is now.
 */
export function requireVersion<R extends RecordBase>(record: R, seen: number): void {
  if (seen !== record.version)
    throw new ConflictError(`${record.number} was changed by someone else`, record);
}

/** The next stored version of a record: one higher, updated now. */
export const nextVersion = <R extends RecordBase>(next: R, current: RecordBase, at: string): R => ({
  ...next,
  updatedAt: at,
  version: current.version + 1,
});

/**
 * Copies the named fields of an edit onto the next record: a field the edit leaves undefined
 * stays, `null` removes it (an optional field cleared), anything else replaces it.
 */
export function applyEdit<R extends object>(
  next: R,
  edit: Readonly<Partial<Record<keyof R, unknown>>>,
  fields: readonly (keyof R)[],
): void {
  for (const field of fields) {
    const value = edit[field];
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value as R[keyof R];
  }
}

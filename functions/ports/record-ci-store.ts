import type { NumberedKind, RecordRef, StoredLink } from '#core/record/record.ts';

/** Links between records (incidents, problems, changes) and configuration items, on the engine's record links. */
export interface RecordCiStore {
  /** Stores the link on both records; `ConflictError` when it exists. */
  link(link: StoredLink): Promise<void>;
  /** Removes it; false when there was none. */
  unlink(link: Pick<StoredLink, 'source' | 'target'>): Promise<boolean>;
  /** The CI links of a record: one Query. */
  cisOf(record: Pick<RecordRef, 'kind' | 'id'>): Promise<StoredLink[]>;
  /** The records of one kind linked to a CI: one Query. */
  recordsOf(ciId: string, kind: NumberedKind): Promise<StoredLink[]>;
}

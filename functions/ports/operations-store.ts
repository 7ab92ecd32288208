import type { Signal } from '#core/operations/signal.ts';
import type { StoredLink } from '#core/record/record.ts';

/** Where cloud operations keeps its signals (alarms, Health events) and links incidents to CIs. */
export interface OperationsStore {
  /** A signal by key: one strongly consistent read. */
  signal(key: string): Promise<Signal | undefined>;
  /** Stores a signal if it is still at `expectedVersion` (0: new); false when another writer won. */
  saveSignal(signal: Signal, expectedVersion: number): Promise<boolean>;
  /** Stores a record link on both records; false when it exists already. */
  link(link: StoredLink): Promise<boolean>;
}

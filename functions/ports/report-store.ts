import type { CounterUpdate } from '#core/reporting/counters.ts';
import type { RecordFacts } from '#core/reporting/facts.ts';

/** One counter item as read: its slot (a local day `YYYY-MM-DD`, or the backlog gauge) and numbers. */
export interface CounterItem {
  readonly slot: string;
  readonly counters: Readonly<Record<string, number>>;
}

/** What counting one event writes, all or nothing. */
export interface CountWrite {
  readonly eventId: string;
  readonly recordId: string;
  readonly facts: RecordFacts;
  /** The facts' version as read (`undefined`: none existed). */
  readonly expectedVersion: number | undefined;
  readonly updates: readonly CounterUpdate[];
}

/** Another event of the same record was counted in between: read the facts again and retry. */
export class FactsChanged extends Error {
  override readonly name = 'FactsChanged';
}

/** The pre-aggregated report counters and reporting's facts per record. */
export interface ReportStore {
  facts(recordId: string): Promise<RecordFacts | undefined>;
  /**
   * Writes a counted event: a marker for its id (a replay finds it and counts nothing:
   * `duplicate`), the record's facts (conditioned on their version: `FactsChanged`) and the
   * counter additions, in one transaction.
   */
  apply(write: CountWrite): Promise<'counted' | 'duplicate'>;
  /** The items of one cut from a local day on (through today), and its backlog gauge. */
  read(cut: string, fromDay: string): Promise<CounterItem[]>;
}

import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import type { StoredCalendar } from '#core/sla/sla-admin.ts';
import type { SlaDefinition } from '#core/sla/sla-definition.ts';
import type { RecordSnapshot, SlaRecord } from '#core/sla/sla-record.ts';

/** Service-level definitions, calendars and the SLA state of each record. */
export interface SlaStore {
  /** The current version of every definition, in order of id. */
  definitions(): Promise<SlaDefinition[]>;
  definition(id: string): Promise<SlaDefinition | undefined>;
  /** Every stored version of a definition, newest first. */
  definitionVersions(id: string): Promise<SlaDefinition[]>;
  /**
   * Stores a new version of a definition (version 1: a new one). Throws `ConflictError` with the
   * stored definition when the current version is not `version - 1`.
   */
  saveDefinition(definition: SlaDefinition): Promise<void>;
  calendars(): Promise<StoredCalendar[]>;
  /** Stores a calendar's new version; `ConflictError` when the stored one is not `version - 1`. */
  saveCalendar(calendar: StoredCalendar): Promise<void>;

  /** The SLA state of a record. */
  record(recordId: string): Promise<SlaRecord | undefined>;
  /** The SLA state of several records (a queue page): one batch read. */
  records(recordIds: readonly string[]): Promise<SlaRecord[]>;
  /**
   * Writes the state with its history entries under the record (in the record's own history),
   * only if the stored version is `expectedVersion` (0: none yet). Throws `ConflictError` otherwise.
   */
  saveRecord(record: SlaRecord, expectedVersion: number, history: readonly AuditDraft[]): Promise<void>;
  /**
   * Notes that the timer of `version` is set and its owed record changes are done (clears
   * `pending`); nothing when the state moved on meanwhile (the next writer carries them).
   */
  markArmed(recordId: string, version: number): Promise<void>;
  /** Records of a group with a running clock, soonest due first: one Query. */
  dueQueue(group: string, page: PageRequest): Promise<Page<SlaRecord>>;
}

/** One one-time timer per record, for its next milestone (EventBridge Scheduler in AWS). */
export interface SlaTimers {
  /**
   * Creates or moves the record's timer; when it fires the SLA target receives `{ recordId, version }`.
   * `likelyNew` (a record whose timer was never set) tries creating first: one request, not two.
   */
  set(
    recordId: string,
    at: string,
    version: number,
    options?: { readonly likelyNew?: boolean },
  ): Promise<void>;
  /** Deletes the record's timer; none is fine. */
  clear(recordId: string): Promise<void>;
}

/**
 * What an escalation may change on a record of one type, as the system, in the record's own
 * history with `reason`. Each names the state to reach, so doing it again changes nothing.
 */
export interface SlaRecordActions {
  /** Raises the priority to `priority` (1 = critical); nothing when it is already that high or the record is closed. */
  raisePriority(recordId: string, priority: number, reason: string): Promise<void>;
  /** Hands the record to `group`, clearing its assignee; nothing when it is already there or closed. */
  reassign(recordId: string, group: string, reason: string): Promise<void>;
}

/** How the SLA engine reads a record of any type it follows. */
export interface SlaRecordSource {
  snapshot(recordId: string): Promise<RecordSnapshot | undefined>;
}

import * as z from 'zod';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { Count, Dimensions } from './counters.ts';

/**
 * What reporting remembers of each record between its events: the dimensions it is counted
 * under, when it opened, and the flags later figures need (was it transferred, put on hold,
 * reopened; is it in the backlog). Events carry only what changed; these facts let a
 * `ticket.updated` that says `state: in_progress → resolved` be counted under the ticket's
 * group, with its time to resolve. Kept by reporting alone (its own item per record).
 */
export const RecordFacts = z.object({
  kind: z.enum(['incident', 'request', 'change', 'problem', 'article']),
  openedAt: z.iso.datetime(),
  state: z.string().max(64),
  group: z.string().max(128).optional(),
  service: z.string().max(128).optional(),
  priority: z.number().int().min(1).max(5).optional(),
  channel: z.string().max(32).optional(),
  changeType: z.string().max(32).optional(),
  /** In the backlog (counted in the open gauge). */
  open: z.boolean().default(false),
  acknowledgedAt: z.iso.datetime().optional(),
  transferred: z.boolean().default(false),
  held: z.boolean().default(false),
  reopens: z.number().int().min(0).default(0),
  /** The day and dimensions of the last resolution counted as first-contact, so a reopen can take it back. */
  firstContact: z
    .object({
      day: z.string(),
      group: z.string().optional(),
      service: z.string().optional(),
      priority: z.number().optional(),
      channel: z.string().optional(),
    })
    .optional(),
  serviceCounted: z.boolean().default(false),
  authorizeAt: z.iso.datetime().optional(),
  knownError: z.boolean().default(false),
  /**
   * The counted outcome of each service-level clock (`sla:resolution`, `ola:response`: one
   * definition per kind applies to a record): where a met target was counted, so a reopen can
   * take it back; a breach is counted once per clock.
   */
  slaOutcomes: z
    .record(
      z.string().max(40),
      z.object({
        outcome: z.enum(['met', 'breached']),
        day: z.string(),
        group: z.string().optional(),
        service: z.string().optional(),
        priority: z.number().optional(),
        channel: z.string().optional(),
      }),
    )
    .optional(),
  /** The ticket's satisfaction rating as counted (where, so a changed rating replaces it). */
  csat: z
    .object({
      day: z.string(),
      score: z.number().int().min(1).max(5),
      agent: z.string().optional(),
      group: z.string().optional(),
      service: z.string().optional(),
      priority: z.number().optional(),
      channel: z.string().optional(),
    })
    .optional(),
  /** Optimistic concurrency: two events of one record never overwrite each other's facts. */
  version: z.number().int().min(0),
});
export type RecordFacts = z.infer<typeof RecordFacts>;

export const dimensionsOf = (facts: RecordFacts): Dimensions => ({
  ...(facts.group ? { group: facts.group } : {}),
  ...(facts.service ? { service: facts.service } : {}),
  ...(facts.priority ? { priority: facts.priority } : {}),
  ...(facts.channel ? { channel: facts.channel } : {}),
});

/** What a mapping gets: the event, the record's facts so far, and the desk's clock rules. */
export interface CountContext {
  readonly event: DomainEvent;
  readonly facts: RecordFacts | undefined;
  /** The local day of an instant in the desk's zone. */
  readonly dayOf: (at: string) => string;
  /** Business minutes between two instants (the desk's calendar). */
  readonly minutesBetween: (from: string, to: string) => number;
}

/** A counted event: the record's facts after it, and the numbers it adds. */
export interface Counted {
  readonly facts: RecordFacts;
  readonly counts: readonly Count[];
}

/**
 * How one event type is counted: the record it is about (whose facts it reads and writes) and
 * the counting itself. Adding an event kind to reporting is one of these in `mappings.ts`.
 */
export interface CounterMapping {
  readonly recordId: (detail: DomainEvent['detail']) => string | undefined;
  readonly count: (context: CountContext) => Counted;
}

/** The mapping of an event type whose detail names its record in `idField` (`ticketId`). */
export const mappingOf = (idField: string, count: CounterMapping['count']): CounterMapping => ({
  recordId: (detail) => stringOf(detail[idField]),
  count,
});

/**
 * An update of a record whose creation has not been counted yet (EventBridge does not keep
 * order): the consumer fails so that Lambda's retry brings it again after the creation.
 */
export class RecordNotYetCounted extends Error {
  override readonly name = 'RecordNotYetCounted';
}

/** The changes of an `*.updated` event: field, old and new value. */
export interface FieldChange {
  readonly field: string;
  readonly oldValue?: unknown;
  readonly newValue?: unknown;
}
export const changesOf = (detail: DomainEvent['detail']): readonly FieldChange[] =>
  Array.isArray(detail.changes)
    ? (detail.changes as FieldChange[]).filter((c) => typeof c?.field === 'string')
    : [];

export const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
export const numberOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The facts of an update event, or `RecordNotYetCounted` when its creation was not counted yet. */
export function requireFacts(context: CountContext): RecordFacts {
  if (!context.facts)
    throw new RecordNotYetCounted(
      `${context.event.type} ${context.event.id} came before its record's creation`,
    );
  return context.facts;
}

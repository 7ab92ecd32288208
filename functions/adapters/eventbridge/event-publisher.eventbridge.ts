import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';

/** The part of `EventBridgeClient` the publisher uses, so tests can hand in a fake. */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

export interface EventBridgePublisherOptions {
  readonly eventBusName: string;
  /** The events' `source`. @default `spoke.<stage>` for a bus named `spoke-<stage>-events`, else `spoke` */
  readonly source?: string;
  /** Attempts per entry, the first included, when PutEvents reports entries as failed. @default 4 */
  readonly maxAttempts?: number;
  /** Waits between attempts (exponential from this, with jitter), in ms. @default 100 */
  readonly backoffMs?: number;
  /** How to wait; tests pass one that does not. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** PutEvents takes at most 10 entries and 256 KB per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** The event source for a bus name built as `<prefix>-events` with prefix `spoke-<stage>`. */
export function defaultEventSource(eventBusName: string): string {
  const stage = /^spoke-(.+)-events$/.exec(eventBusName)?.[1];
  return stage ? `spoke.${stage}` : 'spoke';
}

/** EventBridge's size of an entry: the UTF-8 bytes of its strings, 14 for a time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

/**
 * Publishes domain events to the Spoke bus: `source` as configured, `detail-type` the event
 * type, `detail` the event's detail plus `eventId` (EventBridge delivers at least once:
 * consumers deduplicate on it) and `time` the moment the event happened. Entries go in batches
 * within PutEvents' limits; entries it reports as failed are retried with backoff, and the
 * call throws when some still fail, so the caller knows the events did not all leave.
 */
export class EventBridgeEventPublisher implements DomainEventPublisher {
  readonly #client: PutEventsClient;
  readonly #bus: string;
  readonly #source: string;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(client: PutEventsClient, options: EventBridgePublisherOptions) {
    this.#client = client;
    this.#bus = options.eventBusName;
    this.#source = options.source ?? defaultEventSource(options.eventBusName);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#backoffMs = options.backoffMs ?? 100;
    this.#sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const entries = events.map((event) => this.#entry(event));
    for (const batch of batches(entries)) await this.#send(batch);
  }

  #entry(event: DomainEvent): PutEventsRequestEntry {
    const entry: PutEventsRequestEntry = {
      EventBusName: this.#bus,
      Source: this.#source,
      DetailType: event.type,
      Detail: JSON.stringify({ ...event.detail, eventId: event.id }),
      Time: new Date(event.at),
    };
    if (entrySize(entry) > PUT_EVENTS_MAX_BYTES)
      throw new Error(`Domain event ${event.type} ${event.id} is larger than EventBridge's 256 KB`);
    return entry;
  }

  async #send(batch: readonly PutEventsRequestEntry[]): Promise<void> {
    // The EventBridge SDK is imported at first publish: a function that only reads never loads it.
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    let pending = batch;
    let errors: string[] = [];
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) await this.#sleep(this.#backoffMs * 2 ** (attempt - 2) * (0.5 + Math.random() / 2));
      const result = await this.#client.send(new PutEventsCommand({ Entries: [...pending] }));
      if (!result.FailedEntryCount) return;
      const results = result.Entries ?? [];
      errors = [];
      pending = pending.filter((_, i) => {
        const failed = results[i]?.ErrorCode !== undefined || results[i] === undefined;
        if (failed) errors.push(`${results[i]?.ErrorCode ?? 'Unknown'}: ${results[i]?.ErrorMessage ?? ''}`);
        return failed;
      });
      if (pending.length === 0) return;
    }
    throw new Error(
      `EventBridge refused ${pending.length} event(s) after ${this.#maxAttempts} attempts: ${[...new Set(errors)].join('; ')}`,
    );
  }
}

/** Splits entries into PutEvents calls of at most 10 entries and 256 KB. */
export function batches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = entrySize(entry);
    if (current.length === PUT_EVENTS_MAX_ENTRIES || size + bytes > PUT_EVENTS_MAX_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

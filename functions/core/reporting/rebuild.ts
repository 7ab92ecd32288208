import type { DomainEvent } from '#ports/domain-events.ts';
import type { BusinessCalendar } from '../sla/business-calendar.ts';
import { counterUpdates } from './counters.ts';
import { countRules } from './counting-service.ts';
import type { RecordFacts } from './facts.ts';
import { counterMappings } from './mappings.ts';

/**
 * Rebuilding the counters from the records (`npm run report:backfill`): each record's history
 * — its creation and its audit entries, grouped by instant, which is exactly what its
 * `*.created` and `*.updated` events carried — is replayed through the same mappings the live
 * consumer uses, in memory. So a backfill counts what live counting would have counted.
 */
export type RebuiltKind = 'incident' | 'request' | 'change' | 'problem';

/** One stored record and its history, as the backfill reads them. */
export interface RecordHistory {
  readonly kind: RebuiltKind;
  readonly record: Readonly<Record<string, unknown>>;
  /** Its audit entries in the order they were written. */
  readonly audit: readonly {
    readonly at: string;
    readonly field: string;
    readonly oldValue?: unknown;
    readonly newValue?: unknown;
  }[];
}

const idFieldOf = {
  incident: 'ticketId',
  request: 'ticketId',
  change: 'changeId',
  problem: 'problemId',
} as const;
const typeOf = { incident: 'ticket', request: 'ticket', change: 'change', problem: 'problem' } as const;

/** The events a record's history amounts to: its creation, then one update per audited instant. */
export function eventsOf(history: RecordHistory): DomainEvent[] {
  const { kind, record, audit } = history;
  const id = String(record.id);
  const createdAt = String(record.createdAt);
  const later = audit.filter((entry) => entry.at > createdAt);
  // A field's value at creation: the old value of its first later change, or its value now.
  const initial = (field: string) => {
    const first = later.find((entry) => entry.field === field);
    return first ? first.oldValue : record[field];
  };
  const subject = { [idFieldOf[kind]]: id, number: record.number };
  const created: Record<string, unknown> = { ...subject, assignmentGroup: initial('assignmentGroup') };
  if (kind === 'incident' || kind === 'request')
    Object.assign(created, {
      kind,
      channel: record.channel,
      priority: initial('priority'),
      service: initial('service'),
    });
  if (kind === 'change') created.type = record.type;
  if (kind === 'problem') created.priority = initial('priority');
  const type = typeOf[kind];
  const events: DomainEvent[] = [
    { type: `${type}.created`, id: `rebuild:${id}:0`, at: createdAt, detail: withoutUndefined(created) },
  ];
  const instants = [...new Set(later.map((entry) => entry.at))];
  for (const [n, at] of instants.entries()) {
    const changes = later
      .filter((entry) => entry.at === at)
      .map(({ field, oldValue, newValue }) => withoutUndefined({ field, oldValue, newValue }));
    events.push({
      type: `${type}.updated`,
      id: `rebuild:${id}:${n + 1}`,
      at,
      detail: { ...subject, changes },
    });
  }
  return events;
}

const withoutUndefined = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null));

/** Counter items and facts being rebuilt: totals per cut and slot, facts per record. */
export class CounterTotals {
  readonly counters = new Map<string, { cut: string; slot: string; counters: Record<string, number> }>();
  readonly facts = new Map<string, RecordFacts>();
  readonly #rules;

  constructor(calendar: BusinessCalendar) {
    this.#rules = countRules(calendar);
  }

  /** Counts one record's events (in order) as the live consumer would. */
  add(events: readonly DomainEvent[]): void {
    for (const event of events) {
      const mapping = counterMappings[event.type];
      const recordId = mapping?.recordId(event.detail);
      if (!mapping || !recordId) continue;
      const before = this.facts.get(recordId);
      const counted = mapping.count({ event, facts: before, ...this.#rules });
      this.facts.set(recordId, { ...counted.facts, version: (before?.version ?? 0) + 1 });
      for (const update of counterUpdates(counted.counts)) {
        const key = `${update.cut}\u0000${update.slot}`;
        const item = this.counters.get(key) ?? { cut: update.cut, slot: update.slot, counters: {} };
        for (const [name, value] of Object.entries(update.add))
          item.counters[name] = (item.counters[name] ?? 0) + value;
        this.counters.set(key, item);
      }
    }
  }
}

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
export type RebuiltKind = 'incident' | 'request' | 'change' | 'problem' | 'knowledge';

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
    readonly reason?: string;
  }[];
  /** A knowledge article's "did this help?" answers. */
  readonly feedback?: readonly { readonly id: string; readonly at: string; readonly helpful: boolean }[];
  /** The kind (`sla`, `ola`) of each service-level clock by its name, from the record's SLA state. */
  readonly slaKinds?: Readonly<Record<string, 'sla' | 'ola'>>;
}

const idFieldOf = {
  incident: 'ticketId',
  request: 'ticketId',
  change: 'changeId',
  problem: 'problemId',
} as const;
const typeOf = { incident: 'ticket', request: 'ticket', change: 'change', problem: 'problem' } as const;

/** An article's answers, as `knowledge.feedback` events (its suggestion opens are a total without days: not rebuilt). */
const feedbackEventsOf = (history: RecordHistory): DomainEvent[] =>
  (history.feedback ?? []).map((answer) => ({
    type: 'knowledge.feedback',
    id: `rebuild:${String(history.record.id)}:feedback:${answer.id}`,
    at: answer.at,
    detail: { articleId: history.record.id, number: history.record.number, helpful: answer.helpful },
  }));

/** The events a record's history amounts to: its creation, then one update per audited instant. */
export function eventsOf(history: RecordHistory): DomainEvent[] {
  const { kind, record, audit } = history;
  if (kind === 'knowledge') return feedbackEventsOf(history);
  const id = String(record.id);
  const createdAt = String(record.createdAt);
  const later = audit.filter((entry) => entry.at > createdAt && !isSlaEntry(entry.field));
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
  return [...events, ...slaEventsOf(history)].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** `sla.response`, `sla.resolution`: a clock's happening (not its escalation mail, `sla.resolution.escalation`). */
const SLA_ENTRY = /^sla\.(response|resolution)$/;
const isSlaEntry = (field: string) => field.startsWith('sla.');
const SLA_KINDS = new Set(['met', 'breached', 'stopped', 'reopened']);

/**
 * The `sla.*` events a record's SLA history entries stand for (the SLA engine writes one entry
 * per event: field `sla.<target>`, the happening as the new value, the clock's name as the
 * reason, with the outcome in brackets when it stopped). The level (SLA or OLA) comes from the
 * record's SLA state by the clock's name.
 */
function slaEventsOf(history: RecordHistory): DomainEvent[] {
  const id = String(history.record.id);
  const recordType = history.kind === 'problem' ? 'problem' : history.kind;
  return history.audit.flatMap((entry, n) => {
    const target = SLA_ENTRY.exec(entry.field)?.[1];
    const happening = String(entry.newValue);
    if (!target || !SLA_KINDS.has(happening)) return [];
    const reason = entry.reason ?? '';
    const status = /\((breached|cancelled)\)$/.exec(reason)?.[1];
    const name = happening === 'stopped' && status ? reason.slice(0, -` (${status})`.length) : reason;
    const event: DomainEvent = {
      type: `sla.${happening}` as DomainEvent['type'],
      id: `rebuild:${id}:sla:${n}`,
      at: entry.at,
      detail: {
        recordId: id,
        recordType,
        number: history.record.number,
        kind: history.slaKinds?.[name] ?? 'sla',
        target,
        ...(status ? { status } : {}),
      },
    };
    return [event];
  });
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

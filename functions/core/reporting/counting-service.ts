import type { DomainEvent } from '#ports/domain-events.ts';
import { FactsChanged, type ReportStore } from '#ports/report-store.ts';
import { type BusinessCalendar, businessTimeBetween } from '../sla/business-calendar.ts';
import { counterUpdates, localDay } from './counters.ts';
import type { CountContext } from './facts.ts';
import { counterMappings } from './mappings.ts';

export interface CountingDeps {
  readonly reports: ReportStore;
  /** The desk's calendar: its zone decides the day an event counts on; its hours, durations. */
  readonly calendar: BusinessCalendar;
}

/** Tries of one event that keeps losing its record's facts to a concurrent event. */
const ATTEMPTS = 5;

/** The clock rules a mapping counts with, from the desk's calendar. */
export function countRules(calendar: BusinessCalendar): Pick<CountContext, 'dayOf' | 'minutesBetween'> {
  return {
    dayOf: (at) => localDay(at, calendar.timeZone),
    minutesBetween: (from, to) => businessTimeBetween(calendar, new Date(from), new Date(to)) / 60_000,
  };
}

/**
 * Counts one domain event into the report counters, exactly once: the event id's marker, the
 * record's facts and the additions are one transaction, so a replayed or duplicated delivery
 * counts nothing, and two events of one record never both count from the same facts.
 */
export async function countEvent(
  deps: CountingDeps,
  event: DomainEvent,
): Promise<'counted' | 'duplicate' | 'ignored'> {
  const mapping = counterMappings[event.type];
  const recordId = mapping?.recordId(event.detail);
  if (!mapping || !recordId) return 'ignored';
  const rules = countRules(deps.calendar);
  for (let attempt = 1; ; attempt++) {
    const facts = await deps.reports.facts(recordId);
    const counted = mapping.count({ event, facts, ...rules });
    try {
      return await deps.reports.apply({
        eventId: event.id,
        recordId,
        facts: { ...counted.facts, version: (facts?.version ?? 0) + 1 },
        expectedVersion: facts?.version,
        updates: counterUpdates(counted.counts),
      });
    } catch (error) {
      if (!(error instanceof FactsChanged) || attempt >= ATTEMPTS) throw error;
    }
  }
}

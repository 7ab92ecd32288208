import { describe, expect, it } from 'vitest';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { figuresOf } from '#core/reporting/figures.ts';
import { CounterTotals } from '#core/reporting/rebuild.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { move, slaEvent, ticketCreated } from '../support/report-events.ts';

const calendar = deskCalendar('UTC', 'mon,tue,wed,thu,fri 08:00-18:00');

/** Counts events as the consumer does; the counters of one cut summed over all days. */
function totals(events: readonly DomainEvent[], cut = 'all') {
  const counted = new CounterTotals(calendar);
  counted.add(events);
  const sum: Record<string, number> = {};
  const perDay = new Map<string, Record<string, number>>();
  for (const item of counted.counters.values()) {
    if (item.cut !== cut) continue;
    perDay.set(item.slot, item.counters);
    for (const [name, value] of Object.entries(item.counters)) sum[name] = (sum[name] ?? 0) + value;
  }
  return { sum, perDay, figures: figuresOf(sum, 0).serviceLevels };
}

const opened = (id: string, group = 'network') =>
  ticketCreated(id, '2026-11-09T08:00:00.000Z', { group, priority: 2 });

describe('SLA met %, from the sla.* events', () => {
  it('counts met and breached targets per target and level, under the ticket’s dimensions', () => {
    const { figures } = totals([
      opened('A'),
      opened('B'),
      opened('C'),
      slaEvent('sla.met', 'A', '2026-11-09T08:10:00.000Z', { target: 'response' }),
      slaEvent('sla.met', 'A', '2026-11-09T09:00:00.000Z'),
      slaEvent('sla.met', 'B', '2026-11-09T08:10:00.000Z', { target: 'response' }),
      slaEvent('sla.breached', 'B', '2026-11-09T12:00:00.000Z'),
      slaEvent('sla.breached', 'C', '2026-11-09T08:30:00.000Z', { target: 'response' }),
      slaEvent('sla.met', 'C', '2026-11-09T09:00:00.000Z', { kind: 'ola' }),
    ]);
    // SLA: response met A, B; breached C → 2/3; resolution met A, breached B → 1/2; overall 3/5.
    expect(figures).toEqual({
      slaMet: 3,
      slaBreached: 2,
      slaMetRate: 0.6,
      responseMetRate: 0.6667,
      resolutionMetRate: 0.5,
      olaMet: 1,
      olaBreached: 0,
      olaMetRate: 1,
    });
    expect(
      totals([opened('A'), slaEvent('sla.met', 'A', '2026-11-09T09:00:00.000Z')], 'group=network|priority=2')
        .sum,
    ).toMatchObject({ slaMet_resolution: 1 });
  });

  it('counts a breach once per clock: the breach, then the late stop that says breached', () => {
    const { sum } = totals([
      opened('A'),
      slaEvent('sla.breached', 'A', '2026-11-09T12:00:00.000Z'),
      slaEvent('sla.stopped', 'A', '2026-11-09T13:00:00.000Z', { status: 'breached' }),
    ]);
    expect(sum.slaBreached_resolution).toBe(1);
  });

  it('counts a clock stopped late (its breach timer had not fired yet) as breached; a cancelled one not at all', () => {
    const { sum } = totals([
      opened('A'),
      opened('B'),
      slaEvent('sla.stopped', 'A', '2026-11-09T13:00:00.000Z', { status: 'breached' }),
      slaEvent('sla.stopped', 'B', '2026-11-09T13:00:00.000Z', { status: 'cancelled' }),
    ]);
    expect(sum).toMatchObject({ slaBreached_resolution: 1 });
    expect(sum.slaMet_resolution).toBeUndefined();
  });

  it('takes a met target back on the day it was counted when the ticket reopens; it counts again when it stops', () => {
    const { perDay, figures } = totals([
      opened('A'),
      slaEvent('sla.met', 'A', '2026-11-09T09:00:00.000Z'),
      slaEvent('sla.reopened', 'A', '2026-11-11T09:00:00.000Z'),
      slaEvent('sla.breached', 'A', '2026-11-12T09:00:00.000Z'),
    ]);
    expect(perDay.get('2026-11-09')?.slaMet_resolution).toBe(0);
    expect(perDay.get('2026-11-12')).toMatchObject({ slaBreached_resolution: 1 });
    expect(figures).toMatchObject({ slaMet: 0, slaBreached: 1, resolutionMetRate: 0 });
  });

  it('counts the same event delivered twice once per clock, and ignores clocks of records reporting does not follow', () => {
    const met = slaEvent('sla.met', 'A', '2026-11-09T09:00:00.000Z');
    const { sum } = totals([
      opened('A'),
      met,
      { ...met, id: 'another-delivery' },
      slaEvent('sla.met', 'T', '2026-11-09T09:00:00.000Z', { recordType: 'task' }),
    ]);
    expect(sum.slaMet_resolution).toBe(1);
  });

  it('has no rate without outcomes (null, not 0)', () => {
    expect(
      totals([opened('A'), move('A', '2026-11-09T09:00:00.000Z', 'new', 'resolved')]).figures,
    ).toMatchObject({
      slaMetRate: null,
      olaMetRate: null,
    });
  });
});

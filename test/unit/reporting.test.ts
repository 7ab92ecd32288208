import { describe, expect, it } from 'vitest';
import { counterUpdates, cutKeysOf, NOW_SLOT } from '#core/reporting/counters.ts';
import { countRules } from '#core/reporting/counting-service.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { RecordNotYetCounted } from '#core/reporting/facts.ts';
import { figuresOf } from '#core/reporting/figures.ts';
import { BUCKET_EDGES, bucketOf, quantile } from '#core/reporting/histogram.ts';
import { counterMappings } from '#core/reporting/mappings.ts';
import { CounterTotals } from '#core/reporting/rebuild.ts';
import { buildReport, periodOf, type ReportDeps } from '#core/reporting/report-service.ts';
import { problemOf } from '#http/problems.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { move, recordUpdated, ticketCreated } from '../support/report-events.ts';

const berlin = deskCalendar('Europe/Berlin', 'mon,tue,wed,thu,fri 08:00-18:00');
const rules = countRules(berlin);

/** Runs events through the mappings as the consumer does; the whole desk's counters per day. */
function countAll(events: readonly DomainEvent[]) {
  const totals = new CounterTotals(berlin);
  totals.add(events);
  const perDay = new Map<string, Record<string, number>>();
  for (const item of totals.counters.values()) if (item.cut === 'all') perDay.set(item.slot, item.counters);
  return { facts: totals.facts, perDay };
}

describe('report counting, against hand-computed figures', () => {
  it('measures time to acknowledge and resolve in business hours, on the desk’s local day', () => {
    // Opened Friday 17:00 Berlin (16:00Z); acknowledged Monday 09:00 (08:00Z): 60 + 60 staffed minutes.
    // Resolved Monday 23:30 Berlin (22:30Z): 60 + 600 staffed minutes, counted on Monday.
    const { perDay } = countAll([
      ticketCreated('A', '2026-11-06T16:00:00.000Z', { group: 'network' }),
      move('A', '2026-11-09T08:00:00.000Z', 'new', 'in_progress'),
      move('A', '2026-11-09T22:30:00.000Z', 'in_progress', 'resolved'),
    ]);
    expect(perDay.get('2026-11-06')).toMatchObject({ opened: 1, backlogDelta: 1 });
    expect(perDay.get('2026-11-09')).toMatchObject({
      acknowledged: 1,
      ackSum: 120,
      resolved: 1,
      resSum: 660,
      firstContact: 1,
      backlogDelta: -1,
    });
    expect(perDay.has('2026-11-10')).toBe(false);
  });

  it('counts a day by the desk’s zone: 23:30Z on 31 Dec is 1 January in Berlin', () => {
    const { perDay } = countAll([ticketCreated('B', '2026-12-31T23:30:00.000Z')]);
    expect([...perDay.keys()].filter((slot) => slot !== NOW_SLOT)).toEqual(['2027-01-01']);
  });

  it('does not count a transferred, held or reopened ticket as resolved at first contact', () => {
    const { perDay } = countAll([
      ticketCreated('C', '2026-11-09T08:00:00.000Z', { group: 'desk' }),
      recordUpdated('ticket.updated', 'C', '2026-11-09T08:05:00.000Z', [
        { field: 'assignmentGroup', oldValue: 'desk', newValue: 'network' },
      ]),
      move('C', '2026-11-09T09:00:00.000Z', 'new', 'resolved'),
      ticketCreated('D', '2026-11-09T08:00:00.000Z'),
      move('D', '2026-11-09T08:30:00.000Z', 'new', 'on_hold'),
      move('D', '2026-11-09T09:00:00.000Z', 'on_hold', 'resolved'),
    ]);
    expect(perDay.get('2026-11-09')).toMatchObject({ resolved: 2 });
    expect(perDay.get('2026-11-09')?.firstContact).toBeUndefined();
  });

  it('counts requests fulfilled with their lead time', () => {
    const { perDay } = countAll([
      ticketCreated('R', '2026-11-09T08:00:00.000Z', { kind: 'request' }),
      move('R', '2026-11-09T12:00:00.000Z', 'new', 'resolved'),
    ]);
    expect(perDay.get('2026-11-09')).toMatchObject({ opened_request: 1, fulCount: 1, fulSum: 240 });
  });

  it('counts changes by type, CAB lead time, outcomes; problems and known errors once', () => {
    const change = (changeId: string, type: string, at: string): DomainEvent => ({
      type: 'change.created',
      id: `c-${changeId}`,
      at,
      detail: { changeId, number: 'CHG0001001', type, assignmentGroup: 'network' },
    });
    const { perDay } = countAll([
      change('X', 'normal', '2026-11-09T08:00:00.000Z'),
      change('Y', 'emergency', '2026-11-09T08:00:00.000Z'),
      move('X', '2026-11-09T09:00:00.000Z', 'assess', 'authorize', 'change.updated'),
      move('X', '2026-11-10T09:00:00.000Z', 'authorize', 'scheduled', 'change.updated'),
      recordUpdated('change.updated', 'X', '2026-11-10T15:00:00.000Z', [
        { field: 'state', oldValue: 'review', newValue: 'closed' },
        { field: 'closeCode', newValue: 'successful' },
      ]),
      move('Y', '2026-11-10T10:00:00.000Z', 'implement', 'backed_out', 'change.updated'),
      {
        type: 'problem.created',
        id: 'p-1',
        at: '2026-11-10T10:00:00.000Z',
        detail: { problemId: 'P', number: 'PRB0001001', priority: 2 },
      },
      recordUpdated('problem.updated', 'P', '2026-11-10T11:00:00.000Z', [
        { field: 'workaroundPublished', oldValue: false, newValue: true },
      ]),
      recordUpdated('problem.updated', 'P', '2026-11-10T12:00:00.000Z', [
        { field: 'workaroundPublished', oldValue: true, newValue: true },
      ]),
    ]);
    const figures = figuresOf(
      { ...perDay.get('2026-11-09'), ...perDay.get('2026-11-10') } as Record<string, number>,
      0,
    );
    expect(figures.changes).toMatchObject({
      created: 2,
      normal: 1,
      emergency: 1,
      emergencyShare: 0.5,
      closed: 1,
      successful: 1,
      successRate: 1,
      backedOut: 1,
      cabLeadMeanMinutes: 600, // Monday 10:00 → Tuesday 10:00 Berlin: one staffed day
    });
    expect(figures.problems).toEqual({ opened: 1, knownErrors: 1, resolved: 0 });
  });

  it('refuses an update that overtook its record’s creation, so the consumer’s retry brings it again', () => {
    const mapping = counterMappings['ticket.updated'];
    expect(() =>
      mapping?.count({
        event: move('Z', '2026-11-09T08:00:00.000Z', 'new', 'in_progress'),
        facts: undefined,
        ...rules,
      }),
    ).toThrow(RecordNotYetCounted);
  });
});

describe('counter items', () => {
  it('counts a record with every dimension under the eight cuts, and the backlog in each cut’s gauge too', () => {
    const dims = { group: 'network', service: 'vpn', priority: 2, channel: 'email' };
    expect(cutKeysOf(dims)).toEqual([
      'all',
      'group=network',
      'service=vpn',
      'priority=2',
      'channel=email',
      'group=network|service=vpn',
      'group=network|priority=2',
      'group=network|channel=email',
    ]);
    const updates = counterUpdates([{ day: '2026-11-09', dims, add: { opened: 1, backlogDelta: 1 } }]);
    expect(updates).toHaveLength(16);
    expect(updates.filter((u) => u.slot === NOW_SLOT).every((u) => u.add.open === 1)).toBe(true);
  });

  it('drops additions that cancel out (a ticket moved within the same cut)', () => {
    const updates = counterUpdates([
      { day: '2026-11-09', dims: { group: 'a' }, add: { backlogDelta: -1 } },
      { day: '2026-11-09', dims: { group: 'b' }, add: { backlogDelta: 1 } },
    ]);
    expect(updates.map((u) => u.cut).sort()).toEqual(['group=a', 'group=a', 'group=b', 'group=b']);
  });
});

describe('median from histogram buckets', () => {
  it('interpolates inside the bucket holding the middle value', () => {
    const buckets = new Array(BUCKET_EDGES.length + 1).fill(0);
    // 30, 40, 50 minutes fall in [30, 45) twice and [45, 60) once; the median rank 1.5 is in [30, 45).
    for (const minutes of [30, 40, 50]) buckets[bucketOf(minutes)] += 1;
    expect(quantile(buckets, 0.5)).toBe(30 + (1.5 / 2) * 15);
    expect(quantile(new Array(BUCKET_EDGES.length + 1).fill(0), 0.5)).toBeUndefined();
  });

  it('answers the open-ended bucket with its lower edge', () => {
    const buckets = new Array(BUCKET_EDGES.length + 1).fill(0);
    buckets[bucketOf(100_000)] = 1;
    expect(quantile(buckets, 0.5)).toBe(BUCKET_EDGES.at(-1));
  });
});

describe('report queries', () => {
  const deps: ReportDeps = {
    reports: {
      facts: async () => undefined,
      apply: async () => 'counted',
      read: async () => [],
    },
    groups: { groupsOf: async () => ['network'], listGroups: async () => ({ items: [] }) },
    timeZone: 'UTC',
    clock: { now: () => new Date('2026-11-10T00:00:00Z') },
  };
  const agent = { id: 'u', email: 'al@example.com', groups: ['agents'] };
  const employee = { id: 'e', email: 'em@example.com', groups: [] };

  it.each([
    [{ from: '2026-11-10', to: '2026-11-01' }, 'to'],
    [{ from: '2024-01-01', to: '2026-11-01' }, 'to'],
    [{ from: '2026-11-01', to: '2026-11-02', granularity: 'year' }, 'granularity'],
    [{ from: '2026-11-01', to: '2026-11-02', service: 'vpn', channel: 'email' }, 'service'],
    [{ from: '2026-11-01', to: '2026-11-02', group: 'payroll' }, 'group'],
  ])('refuses %o naming %s', async (query, field) => {
    const error = await buildReport(deps, agent, query).then(
      () => undefined,
      (e: unknown) => e,
    );
    const { status, body } = problemOf(error);
    expect(status).toBe(400);
    expect(body.error.fields?.map((f) => f.path)).toContain(field);
  });

  it('refuses people who neither work in nor manage a group', async () => {
    await expect(buildReport(deps, employee, { from: '2026-11-01', to: '2026-11-02' })).rejects.toThrow(
      'Reports are for agents and group managers',
    );
  });

  it('starts weeks on Monday and months on the 1st', () => {
    expect(periodOf('2026-11-08', 'week')).toBe('2026-11-02');
    expect(periodOf('2026-11-09', 'week')).toBe('2026-11-09');
    expect(periodOf('2026-11-30', 'month')).toBe('2026-11-01');
  });
});

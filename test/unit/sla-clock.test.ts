import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar, businessTimeBetween } from '#core/sla/business-calendar.ts';
import {
  type ClockStep,
  fireMilestone,
  nextMilestone,
  pauseClock,
  reopenClock,
  resumeClock,
  retargetClock,
  type SlaClock,
  startClock,
  stopClock,
  type TargetMinutes,
} from '#core/sla/sla-clock.ts';

const HOUR = 3_600_000;
const hours = ['08:00-18:00'];
const berlin = BusinessCalendar.parse({
  timeZone: 'Europe/Berlin',
  hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  holidays: ['2026-12-25'],
});
const targets: TargetMinutes = { '1': 60, '2': 240, '3': 480, '4': 960 };
const at = (isoText: string) => new Date(isoText);

function started(priority: number, when: string): SlaClock {
  const step = startClock(berlin, {
    definitionId: 'standard',
    definitionVersion: 1,
    target: 'resolution',
    targets,
    warnAtPercent: 75,
    priority,
    at: at(when),
  });
  if (!step) throw new Error('no clock');
  return step.clock;
}

describe('an SLA clock, by example', () => {
  it('pauses while the caller is asked, and moves the due time by exactly the paused business time', () => {
    // P2 (4 business hours) opened Friday 4 Dec 2026 16:00 CET: 2 h on Friday, due Monday 10:00.
    let clock = started(2, '2026-12-04T15:00:00Z');
    expect(clock.dueAt).toBe('2026-12-07T09:00:00.000Z');
    clock = pauseClock(berlin, clock, at('2026-12-07T08:00:00Z')).clock; // Monday 09:00, 3 h used
    expect(clock).toMatchObject({ status: 'paused', elapsedMs: 3 * HOUR });
    expect(nextMilestone(berlin, clock)).toBeUndefined();
    clock = resumeClock(berlin, clock, at('2026-12-08T13:00:00Z')).clock; // Tuesday 14:00
    expect(clock.dueAt).toBe('2026-12-08T14:00:00.000Z');
  });

  it('warns at 75 %, then breaches, and ignores a timer set before the record changed', () => {
    let clock = started(1, '2026-12-07T08:00:00Z'); // Monday 09:00, one hour
    const warning = nextMilestone(berlin, clock);
    expect(warning).toEqual({ kind: 'warning', at: '2026-12-07T08:45:00.000Z', clockVersion: 1 });
    const stale = { ...(warning as NonNullable<typeof warning>), clockVersion: 0 };
    expect(fireMilestone(berlin, clock, stale, at('2026-12-07T08:45:00Z')).entries).toEqual([]);
    const warned = fireMilestone(
      berlin,
      clock,
      warning as NonNullable<typeof warning>,
      at('2026-12-07T08:45:00Z'),
    );
    expect(warned.entries.map((e) => e.kind)).toEqual(['warning']);
    clock = warned.clock;
    const breach = nextMilestone(berlin, clock);
    expect(breach).toMatchObject({ kind: 'breach', at: '2026-12-07T09:00:00.000Z' });
    const breached = fireMilestone(
      berlin,
      clock,
      breach as NonNullable<typeof breach>,
      at('2026-12-07T09:00:00Z'),
    );
    expect(breached.entries.map((e) => e.kind)).toEqual(['breached']);
    expect(nextMilestone(berlin, breached.clock)).toBeUndefined();
    expect(stopClock(berlin, breached.clock, at('2026-12-07T10:00:00Z'), 'met').clock.status).toBe(
      'breached',
    );
  });

  it('measures a new priority from the record’s start, breaching at once if its time is used up', () => {
    const clock = started(3, '2026-12-07T08:00:00Z'); // Monday 09:00, eight hours
    const raised = retargetClock(berlin, clock, targets, 1, at('2026-12-07T10:00:00Z')); // two hours used
    expect(raised.entries.map((e) => e.kind)).toEqual(['retargeted', 'breached']);
    expect(raised.clock).toMatchObject({ priority: 1, budgetMs: HOUR, breached: true });
    const lowered = retargetClock(berlin, clock, targets, 4, at('2026-12-07T10:00:00Z'));
    expect(lowered.clock.dueAt).toBe('2026-12-08T14:00:00.000Z'); // 16 h: 9 on Monday from 09:00, 7 on Tuesday from 08:00
  });

  it('resumes a resolution clock where it stopped when the record is reopened', () => {
    let clock = started(2, '2026-12-07T08:00:00Z');
    clock = stopClock(berlin, clock, at('2026-12-07T09:00:00Z'), 'met').clock;
    expect(clock.status).toBe('met');
    const reopened = reopenClock(berlin, clock, at('2026-12-09T08:00:00Z'));
    expect(reopened.entries.map((e) => e.kind)).toEqual(['reopened']);
    expect(reopened.clock.dueAt).toBe('2026-12-09T11:00:00.000Z'); // 3 h left from Wednesday 09:00
  });

  it('starts no clock for a priority without a target', () => {
    expect(
      startClock(berlin, {
        definitionId: 'standard',
        definitionVersion: 1,
        target: 'response',
        targets,
        warnAtPercent: 75,
        priority: 5,
        at: new Date(),
      }),
    ).toBeUndefined();
  });
});

type Action =
  | { kind: 'pause' | 'resume' | 'fire' | 'stop' | 'reopen'; afterMs: number }
  | { kind: 'retarget'; afterMs: number; priority: number };

describe('an SLA clock, as a property', () => {
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({
      kind: fc.constantFrom('pause', 'resume', 'fire', 'stop', 'reopen') as fc.Arbitrary<
        'pause' | 'resume' | 'fire' | 'stop' | 'reopen'
      >,
      afterMs: fc.integer({ min: 0, max: 30 * HOUR }),
    }),
    fc.record({
      kind: fc.constant('retarget' as const),
      afterMs: fc.integer({ min: 0, max: 30 * HOUR }),
      priority: fc.integer({ min: 1, max: 4 }),
    }),
  );

  it('counts exactly the business time it ran, announces every change and never goes back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 1) }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(action, { maxLength: 25 }),
        (startMs, priority, actions) => {
          let clock = started(priority, new Date(startMs).toISOString());
          let now = startMs;
          let running: [number, number | undefined][] = [[startMs, undefined]];
          for (const act of actions) {
            now += act.afterMs;
            const when = new Date(now);
            const before = clock;
            let step: ClockStep;
            if (act.kind === 'pause') step = pauseClock(berlin, clock, when);
            else if (act.kind === 'resume') step = resumeClock(berlin, clock, when);
            else if (act.kind === 'stop') step = stopClock(berlin, clock, when, 'met');
            else if (act.kind === 'reopen') step = reopenClock(berlin, clock, when);
            else if (act.kind === 'retarget')
              step = retargetClock(berlin, clock, targets, act.priority, when);
            else {
              const milestone = nextMilestone(berlin, clock);
              step = milestone ? fireMilestone(berlin, clock, milestone, when) : { clock, entries: [] };
            }
            clock = step.clock;
            // Every change is announced, and only changes are.
            expect(step.entries.length > 0).toBe(clock.version !== before.version);
            expect(clock.version).toBeGreaterThanOrEqual(before.version);
            if (before.status === 'running' && clock.status !== 'running') {
              running = running.map(([from, to]) => [from, to ?? now]);
            }
            if (before.status !== 'running' && clock.status === 'running') running.push([now, undefined]);
            if (clock.breached)
              expect(
                before.breached ||
                  step.entries.some((e) => e.kind === 'breached') ||
                  clock.status === 'breached',
              ).toBe(true);
          }
          const counted = running.reduce(
            (sum, [from, to]) => sum + businessTimeBetween(berlin, new Date(from), new Date(to ?? now)),
            0,
          );
          const elapsed = clock.runningSince
            ? clock.elapsedMs + businessTimeBetween(berlin, new Date(clock.runningSince), new Date(now))
            : clock.elapsedMs;
          expect(elapsed).toBe(counted);
        },
      ),
      { numRuns: 150 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALWAYS, BusinessCalendar } from '#core/sla/business-calendar.ts';
import { defaultDefinitions } from '#core/sla/sla-admin.ts';
import { SlaDefinition } from '#core/sla/sla-definition.ts';
import { attach, fire, type RecordSnapshot, reconcile } from '#core/sla/sla-record.ts';

const weekdays = ['08:00-18:00'];
const berlin = BusinessCalendar.parse({
  timeZone: 'Europe/Berlin',
  hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
});
const calendars = (id: string) => (id === '24x7' ? ALWAYS : berlin);
const MINUTE = 60_000;

const snapshot = (over: Partial<RecordSnapshot> = {}): RecordSnapshot => ({
  recordId: 'r1',
  recordType: 'incident',
  number: 'INC0001001',
  version: 1,
  state: 'new',
  phase: 'open',
  priority: 3,
  assignmentGroup: 'service-desk',
  createdAt: '2026-12-07T09:00:00.000Z',
  updatedAt: '2026-12-07T09:00:00.000Z',
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('attaching service levels to a record', () => {
  it('takes the most specific matching definition per kind, and starts paused when the record is already on hold', () => {
    const p1 = attach(defaultDefinitions, calendars, snapshot({ priority: 1 }), at('2026-12-07T09:00:00Z'));
    expect(p1.record.clocks.map((c) => c.clock.definitionId)).toEqual([
      'incident-critical',
      'incident-critical',
    ]);
    const held = attach(
      defaultDefinitions,
      calendars,
      snapshot({
        version: 2,
        state: 'on_hold',
        holdReason: 'awaiting_caller',
        updatedAt: '2026-12-07T09:10:00.000Z',
      }),
      at('2026-12-07T09:10:00Z'),
    );
    expect(held.record.clocks.map((c) => `${c.clock.definitionId}:${c.clock.status}`)).toEqual([
      'incident-standard:paused',
      'incident-standard:paused',
    ]);
    // Ten business minutes ran before the hold.
    expect(held.record.clocks[1]?.clock.elapsedMs).toBe(10 * MINUTE);
    expect(held.record.next).toBeUndefined();
  });

  it('measures targets in the calendar: a Friday-evening incident is due on Monday', () => {
    const friday = snapshot({ createdAt: '2026-12-04T16:30:00.000Z', updatedAt: '2026-12-04T16:30:00.000Z' });
    const step = attach(defaultDefinitions, calendars, friday, at('2026-12-04T16:30:00Z'));
    // Priority 3 response: 2 business hours; 17:30 Berlin → 30 minutes on Friday, 90 on Monday from 08:00.
    expect(step.record.clocks[0]?.clock.dueAt).toBe('2026-12-07T08:30:00.000Z');
    expect(step.record.dueAt).toBe('2026-12-07T08:30:00.000Z');
  });

  it('attaches nothing when no definition matches', () => {
    const only = [SlaDefinition.parse({ ...defaultDefinitions[2], id: 'req' })];
    expect(attach(only, calendars, snapshot(), at('2026-12-07T09:00:00Z')).record.clocks).toEqual([]);
  });
});

describe('reconciling and firing', () => {
  const started = attach(defaultDefinitions, calendars, snapshot(), at('2026-12-07T09:00:00Z')).record;

  it('ignores a record version it has already seen (a duplicate or late event)', () => {
    const step = reconcile(
      calendars,
      started,
      snapshot({ state: 'on_hold', holdReason: 'awaiting_caller' }),
      at('2026-12-07T10:00:00Z'),
    );
    expect(step.changed).toBe(false);
    expect(step.record).toBe(started);
  });

  it('ignores a stale timer, and fires a late one’s warning and breach in order', () => {
    expect(fire(calendars, started, started.version - 1, at('2026-12-09T09:00:00Z')).changed).toBe(false);
    const late = fire(calendars, started, started.version, at('2026-12-09T09:00:00Z'));
    expect(late.happenings.map((h) => `${h.kind}:${h.target}`)).toEqual([
      'warning:response',
      'breached:response',
      'warning:resolution',
      'breached:resolution',
    ]);
    expect(late.record.breached).toBe(true);
    expect(late.record.next).toBeUndefined();
    expect(late.record.version).toBe(started.version + 1);
  });

  it('counts only the running stretches: pauses and resumes in any pattern add up (24×7)', () => {
    const always = [SlaDefinition.parse({ ...defaultDefinitions[0], calendarId: '24x7' })];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 12 }), (gaps) => {
        const start = Date.parse('2026-12-07T09:00:00Z');
        let record = attach(always, calendars, snapshot(), new Date(start)).record;
        let t = start;
        let running = 0;
        gaps.forEach((gap, i) => {
          const paused = i % 2 === 0;
          if (paused) running += gap * 1000;
          t += gap * 1000;
          const iso = new Date(t).toISOString();
          record = reconcile(
            calendars,
            record,
            snapshot({
              version: i + 2,
              state: paused ? 'on_hold' : 'in_progress',
              ...(paused ? { holdReason: 'awaiting_vendor' } : {}),
              updatedAt: iso,
              firstResponseAt: iso,
            }),
            new Date(t),
          ).record;
        });
        const resolution = record.clocks.find((c) => c.clock.target === 'resolution')?.clock;
        const elapsed =
          resolution?.status === 'running'
            ? (resolution.elapsedMs ?? 0) + (t - Date.parse(resolution.runningSince ?? ''))
            : resolution?.elapsedMs;
        expect(elapsed).toBe(running);
      }),
    );
  });
});

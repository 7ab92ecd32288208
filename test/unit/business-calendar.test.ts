import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessTime, BusinessCalendar, businessTimeBetween } from '#core/sla/business-calendar.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const weekdays = (range: string) => ({
  mon: [range],
  tue: [range],
  wed: [range],
  thu: [range],
  fri: [range],
});

const berlin = BusinessCalendar.parse({ timeZone: 'Europe/Berlin', hours: weekdays('08:00-18:00') });
const newYork = BusinessCalendar.parse({
  timeZone: 'America/New_York',
  hours: { ...weekdays('09:00-12:00'), fri: ['09:00-12:00', '13:00-17:00'] },
  holidays: ['2026-11-26', '2026-12-25'],
});
const berlinAllDays = BusinessCalendar.parse({
  timeZone: 'Europe/Berlin',
  hours: Object.fromEntries(
    ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, ['00:00-24:00']]),
  ),
});
const around = BusinessCalendar.parse({ timeZone: 'Europe/Berlin', hours: '24x7' });
const calendars = [berlin, newYork, berlinAllDays, around];

const at = (iso: string) => new Date(iso);

describe('business time, by example', () => {
  it('carries a target over the weekend and into summer time (Berlin, 29 March 2026)', () => {
    // Friday 27 March, 17:00 CET (16:00Z), plus 2 staffed hours: 1 h on Friday, 1 h on Monday from 08:00 CEST.
    expect(addBusinessTime(berlin, at('2026-03-27T16:00:00Z'), 2 * HOUR).toISOString()).toBe(
      '2026-03-30T07:00:00.000Z',
    );
  });

  it('counts the real length of daylight-saving days on a 24-hour calendar', () => {
    const spring = businessTimeBetween(berlinAllDays, at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'));
    expect(spring).toBe(23 * HOUR);
    const autumn = businessTimeBetween(berlinAllDays, at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'));
    expect(autumn).toBe(25 * HOUR);
  });

  it('keeps New York office hours across its own DST change (8 March 2026)', () => {
    // Friday 6 March 16:00 EST (21:00Z) + 2 h: 1 h Friday, then Monday 9 March 09:00 EDT (13:00Z) + 1 h.
    expect(addBusinessTime(newYork, at('2026-03-06T21:00:00Z'), 2 * HOUR).toISOString()).toBe(
      '2026-03-09T14:00:00.000Z',
    );
  });

  it('skips holidays and lunch breaks', () => {
    // Wednesday 25 Nov 11:30 EST + 1 h: 30 min Wednesday, Thursday is Thanksgiving, Friday 09:00 + 30 min.
    expect(addBusinessTime(newYork, at('2026-11-25T16:30:00Z'), HOUR).toISOString()).toBe(
      '2026-11-27T14:30:00.000Z',
    );
    // Friday 27 Nov 11:00 EST + 2 h: 1 h until noon, lunch, 13:00 + 1 h.
    expect(addBusinessTime(newYork, at('2026-11-27T16:00:00Z'), 2 * HOUR).toISOString()).toBe(
      '2026-11-27T19:00:00.000Z',
    );
  });

  it('crosses midnight and counts nothing outside the hours', () => {
    expect(businessTimeBetween(berlin, at('2026-06-05T20:00:00Z'), at('2026-06-08T05:00:00Z'))).toBe(0);
    expect(businessTimeBetween(berlin, at('2026-06-04T15:00:00Z'), at('2026-06-05T07:00:00Z'))).toBe(
      2 * HOUR,
    );
  });

  it('is plain elapsed time around the clock, DST or not', () => {
    expect(businessTimeBetween(around, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(
      48 * HOUR,
    );
  });
});

describe('business calendars refuse what cannot be meant, naming the field', () => {
  const problems = (input: unknown) =>
    BusinessCalendar.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('refuses overlapping or empty ranges, unknown zones, a closed week and holidays outside its years', () => {
    expect(problems({ timeZone: 'Europe/Berlin', hours: { mon: ['08:00-12:00', '11:00-14:00'] } })).toEqual([
      'hours.mon: has overlapping ranges',
    ]);
    expect(problems({ timeZone: 'Europe/Berlin', hours: { mon: ['12:00-12:00'] } })).toEqual([
      'hours.mon.0: must end after it starts',
    ]);
    expect(problems({ timeZone: 'Mars/Olympus', hours: '24x7' })).toEqual([
      'timeZone: is not an IANA time zone',
    ]);
    expect(problems({ timeZone: 'UTC', hours: {} })).toEqual(['hours: has no staffed hours at all']);
    expect(
      problems({ timeZone: 'UTC', hours: '24x7', holidays: ['2031-01-01'], years: { from: 2026, to: 2027 } }),
    ).toEqual(["holidays.0: is outside the calendar's years 2026–2027"]);
  });
});

describe('business time, as properties', () => {
  const instant = fc
    .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) })
    .map((ms) => new Date(ms));
  const duration = fc.integer({ min: 1, max: (200 * HOUR) / MINUTE }).map((m) => m * MINUTE);
  const calendar = fc.constantFrom(...calendars);

  it('measures back exactly what it added', () => {
    fc.assert(
      fc.property(calendar, instant, duration, (cal, start, ms) => {
        expect(businessTimeBetween(cal, start, addBusinessTime(cal, start, ms))).toBe(ms);
      }),
    );
  });

  it('adds in steps as in one go, and never moves backwards', () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, (cal, start, a, b) => {
        const once = addBusinessTime(cal, start, a + b);
        const twice = addBusinessTime(cal, addBusinessTime(cal, start, a), b);
        expect(twice.getTime()).toBe(once.getTime());
        expect(once.getTime()).toBeGreaterThan(start.getTime());
      }),
    );
  });

  it('splits an interval at any point into parts that sum to the whole', () => {
    fc.assert(
      fc.property(calendar, instant, instant, instant, (cal, ...points) => {
        const [a, b, c] = points.sort((x, y) => x.getTime() - y.getTime()) as [Date, Date, Date];
        expect(businessTimeBetween(cal, a, b) + businessTimeBetween(cal, b, c)).toBe(
          businessTimeBetween(cal, a, c),
        );
        expect(businessTimeBetween(cal, a, c)).toBeLessThanOrEqual(c.getTime() - a.getTime());
      }),
      { numRuns: 60 },
    );
  });
});

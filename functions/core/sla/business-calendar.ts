import * as z from 'zod';

/**
 * Business-hours arithmetic for service levels: how much staffed time lies between two
 * instants, and when a given amount of staffed time will have passed. A calendar is weekly
 * hours in an IANA time zone plus holidays, or `24x7`. Wall times are turned into instants
 * per day with `Intl`, so daylight-saving days have the hours they really have (a 24×7 day
 * in Berlin is 23 hours long on the last Sunday of March).
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

const MINUTES_PER_DAY = 24 * 60;
const MINUTE_MS = 60_000;
/** The furthest any computation looks ahead: a target further out than this is a configuration error. */
const MAX_DAYS = 3 * 366;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `08:00-18:00`; `24:00` may end a day. */
export const HoursRange = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a range such as 08:00-18:00')
  .refine((range) => {
    const [from, to] = range.split('-') as [string, string];
    return minutesOf(from) < minutesOf(to);
  }, 'must end after it starts');

/** Whether `Intl` knows the IANA zone. */
export const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const LocalDate = z.iso.date();

/** A business calendar as an admin defines it; every problem is reported at its field. */
export const BusinessCalendar = z
  .strictObject({
    timeZone: z.string().min(1).max(64).refine(isTimeZone, 'is not an IANA time zone'),
    /** `24x7`, or the staffed hours of each weekday (a missing day is closed). */
    hours: z.union([z.literal('24x7'), z.partialRecord(Weekday, z.array(HoursRange).max(8))]),
    /** Closed days, `YYYY-MM-DD` in the calendar's zone, within `validFrom`–`validTo` years. */
    holidays: z.array(LocalDate).max(400).default([]),
    /** The years the holiday list covers. @default this calendar's holidays' range */
    years: z
      .strictObject({ from: z.number().int().min(2000).max(2100), to: z.number().int().min(2000).max(2100) })
      .optional(),
  })
  .superRefine((calendar, ctx) => {
    if (calendar.hours !== '24x7') {
      let open = false;
      for (const [day, ranges] of Object.entries(calendar.hours)) {
        const sorted = [...(ranges ?? [])].map((r) => r.split('-').map(minutesOf) as [number, number]);
        if (sorted.length > 0) open = true;
        sorted.sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < sorted.length; i++) {
          if ((sorted[i] as [number, number])[0] < (sorted[i - 1] as [number, number])[1])
            ctx.addIssue({ code: 'custom', path: ['hours', day], message: 'has overlapping ranges' });
        }
      }
      if (!open) ctx.addIssue({ code: 'custom', path: ['hours'], message: 'has no staffed hours at all' });
    }
    if (calendar.years) {
      if (calendar.years.from > calendar.years.to)
        ctx.addIssue({ code: 'custom', path: ['years', 'to'], message: 'must not be before years.from' });
      calendar.holidays.forEach((holiday, index) => {
        const year = Number(holiday.slice(0, 4));
        if (year < (calendar.years?.from ?? 0) || year > (calendar.years?.to ?? 0))
          ctx.addIssue({
            code: 'custom',
            path: ['holidays', index],
            message: `is outside the calendar's years ${calendar.years?.from}–${calendar.years?.to}`,
          });
      });
    }
  });
export type BusinessCalendar = z.output<typeof BusinessCalendar>;

/** Around the clock in UTC: elapsed time is business time. */
export const ALWAYS: BusinessCalendar = { timeZone: 'UTC', hours: '24x7', holidays: [] };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +7,200,000). */
function offsetAt(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(instant)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A calendar day in some zone. */
export interface LocalDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * The instant of a wall time on a local day. A wall time that happens twice (clocks set back)
 * maps to the first; one skipped by a jump forward maps to as far after the jump as it lay
 * after the old hour (Temporal's `compatible` rule: 02:30 on a spring-forward night is 03:30).
 */
export function instantOf(day: LocalDay, minuteOfDay: number, timeZone: string): number {
  const wall = Date.UTC(day.year, day.month - 1, day.day) + minuteOfDay * MINUTE_MS;
  const before = offsetAt(wall - MINUTES_PER_DAY * MINUTE_MS, timeZone);
  const after = offsetAt(wall + MINUTES_PER_DAY * MINUTE_MS, timeZone);
  const first = wall - Math.max(before, after);
  if (wall - offsetAt(first, timeZone) === first) return first;
  const second = wall - Math.min(before, after);
  if (wall - offsetAt(second, timeZone) === second) return second;
  return second;
}

function localDayOf(instant: number, timeZone: string): LocalDay {
  const local = new Date(instant + offsetAt(instant, timeZone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

const nextDay = (day: LocalDay, by = 1): LocalDay => {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day + by));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
};
const isoOf = (day: LocalDay) =>
  `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;

/** The staffed intervals of one local day, as [start, end) instants in ascending order. */
function intervalsOf(
  calendar: BusinessCalendar,
  day: LocalDay,
  holidays: ReadonlySet<string>,
): [number, number][] {
  if (calendar.hours !== '24x7' && holidays.has(isoOf(day))) return [];
  const ranges =
    calendar.hours === '24x7'
      ? ['00:00-24:00']
      : (calendar.hours[
          WEEKDAYS[new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay()] as Weekday
        ] ?? []);
  return ranges
    .map((range) => range.split('-').map(minutesOf) as [number, number])
    .sort((a, b) => a[0] - b[0])
    .map(
      ([from, to]) =>
        [instantOf(day, from, calendar.timeZone), instantOf(day, to, calendar.timeZone)] as [number, number],
    )
    .filter(([from, to]) => to > from);
}

/** Each calendar's days, worked out once: records share days, and `Intl` is the costly part. */
const dayCache = new WeakMap<
  BusinessCalendar,
  { holidays: ReadonlySet<string>; days: Map<string, [number, number][]> }
>();
const DAY_CACHE_SIZE = 4096;

function cachedIntervalsOf(calendar: BusinessCalendar, day: LocalDay): [number, number][] {
  let cache = dayCache.get(calendar);
  if (!cache) {
    cache = { holidays: new Set(calendar.holidays), days: new Map() };
    dayCache.set(calendar, cache);
  }
  const key = isoOf(day);
  let intervals = cache.days.get(key);
  if (!intervals) {
    intervals = intervalsOf(calendar, day, cache.holidays);
    if (cache.days.size >= DAY_CACHE_SIZE) cache.days.clear();
    cache.days.set(key, intervals);
  }
  return intervals;
}

/** Walks the staffed intervals from the local day holding `from` onwards. */
function* staffed(calendar: BusinessCalendar, from: number): Generator<[number, number]> {
  let day = nextDay(localDayOf(from, calendar.timeZone), -1);
  for (let n = 0; n < MAX_DAYS; n++, day = nextDay(day)) {
    for (const interval of cachedIntervalsOf(calendar, day)) if (interval[1] > from) yield interval;
  }
}

/** Staffed time between two instants, in ms (0 when `to` is not after `from`). */
export function businessTimeBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const start = from.getTime();
  const end = to.getTime();
  if (!(end > start)) return 0;
  if (calendar.hours === '24x7') return end - start;
  let total = 0;
  for (const [open, close] of staffed(calendar, start)) {
    if (open >= end) break;
    total += Math.min(close, end) - Math.max(open, start);
  }
  return total;
}

/**
 * The instant at which `ms` of staffed time will have passed since `start`. With `ms` of 0
 * it is `start` itself; a target that lands on a closing time stays there (not the next opening).
 */
export function addBusinessTime(calendar: BusinessCalendar, start: Date, ms: number): Date {
  if (!(ms > 0)) return new Date(start.getTime());
  if (calendar.hours === '24x7') return new Date(start.getTime() + ms);
  let left = ms;
  for (const [open, close] of staffed(calendar, start.getTime())) {
    const from = Math.max(open, start.getTime());
    if (close - from >= left) return new Date(from + left);
    left -= close - from;
  }
  throw new RangeError(`No ${ms} ms of staffed time within ${MAX_DAYS} days of ${start.toISOString()}`);
}

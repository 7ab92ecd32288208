import { type BusinessCalendar, Weekday } from '../sla/business-calendar.ts';

/**
 * The desk's business calendar from its two settings: the zone (`Europe/Berlin`) and the
 * staffed hours as functions receive them (`mon,tue,wed,thu,fri 08:00-18:00`). Report
 * durations are counted in it.
 */
export function deskCalendar(timeZone: string, businessHours: string): BusinessCalendar {
  const [days = '', range = ''] = businessHours.split(' ');
  const hours: Partial<Record<Weekday, string[]>> = {};
  for (const day of days.split(',')) hours[Weekday.parse(day)] = [range];
  return { timeZone, hours, holidays: [] };
}

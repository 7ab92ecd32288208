import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '#core/sla/business-calendar.ts';
import { calendarChooser, StoredCalendar } from '#core/sla/sla-admin.ts';
import { SlaDefinition } from '#core/sla/sla-definition.ts';
import { attach, type RecordSnapshot } from '#core/sla/sla-record.ts';

const stored = (id: string, scope: { services?: string[]; groups?: string[] }, hours: string) =>
  StoredCalendar.parse({
    id,
    name: id,
    calendar: { timeZone: 'Europe/Berlin', hours: { mon: [hours], tue: [hours] } },
    ...scope,
    version: 1,
    updatedAt: '2026-12-01T00:00:00.000Z',
  });
const known = [
  stored('sap-hours', { services: ['SAP'] }, '06:00-22:00'),
  stored('network-hours', { groups: ['network'] }, '07:00-19:00'),
];
const choose = calendarChooser(known);

describe('per-service and per-group calendars', () => {
  it('measures a definition on the default calendar in the service’s calendar, else the group’s, else the default', () => {
    expect(choose('default', { service: 'SAP', assignmentGroup: 'network' })).toBe('sap-hours');
    expect(choose('default', { service: 'Mail', assignmentGroup: 'network' })).toBe('network-hours');
    expect(choose('default', { service: 'Mail', assignmentGroup: 'service-desk' })).toBe('default');
    // A definition naming its own calendar keeps it.
    expect(choose('24x7', { service: 'SAP' })).toBe('24x7');
  });

  it('freezes the chosen calendar on the clock and computes the due time in it', () => {
    const definition = SlaDefinition.parse({
      id: 'd',
      version: 1,
      name: 'D',
      targets: { response: { '3': 60 } },
    });
    const calendars = (id: string) =>
      id === 'sap-hours'
        ? (known[0]?.calendar as BusinessCalendar)
        : BusinessCalendar.parse({ timeZone: 'Europe/Berlin', hours: { mon: ['08:00-18:00'] } });
    const snapshot: RecordSnapshot = {
      recordId: 'r',
      recordType: 'incident',
      number: 'INC0000001',
      version: 1,
      state: 'new',
      phase: 'open',
      priority: 3,
      service: 'SAP',
      // Monday 7 December 2026, 06:30 in Berlin: open in SAP hours, not yet in the default's.
      createdAt: '2026-12-07T05:30:00.000Z',
      updatedAt: '2026-12-07T05:30:00.000Z',
    };
    const step = attach([definition], calendars, snapshot, new Date(snapshot.createdAt), choose);
    expect(step.record.clocks[0]?.calendarId).toBe('sap-hours');
    expect(step.record.clocks[0]?.clock.dueAt).toBe('2026-12-07T06:30:00.000Z');
    const plain = attach([definition], calendars, snapshot, new Date(snapshot.createdAt));
    expect(plain.record.clocks[0]?.clock.dueAt).toBe('2026-12-07T08:00:00.000Z');
  });
});

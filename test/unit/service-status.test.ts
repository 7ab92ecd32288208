import { describe, expect, it } from 'vitest';
import {
  derivedHealth,
  freshStatus,
  incidentOfEvent,
  restated,
  type StatusIncident,
} from '#core/cmdb/service-status.ts';

const at = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T11:00:00.000Z';
const incident = (n: number, priority: number): StatusIncident => ({
  id: `i${n}`,
  number: `INC000${1000 + n}`,
  shortDescription: `incident ${n}`,
  priority,
});
const service = { id: 's1', number: 'CFG0001001', name: 'Email', criticality: 'critical' as const };

describe('service health from incidents', () => {
  it('is the worst of the open major incidents: P1 outage, P2 degraded, none operational', () => {
    expect(derivedHealth([])).toBe('operational');
    expect(derivedHealth([incident(1, 2)])).toBe('degraded');
    expect(derivedHealth([incident(1, 2), incident(2, 1)])).toBe('outage');
  });

  it('moves `since` only when the shown status moves, and sorts the worst incident first', () => {
    const fresh = { ...freshStatus(service, at), version: 1 };
    const down = restated(fresh, [incident(2, 2), incident(1, 1)], later);
    expect(down).toMatchObject({ status: 'outage', derived: 'outage', since: later });
    expect(down.incidents.map((i) => i.id)).toEqual(['i1', 'i2']);
    const still = restated(down, [incident(1, 1)], '2026-12-03T12:00:00.000Z');
    expect(still.since).toBe(later);
  });

  it('drops a message-only override when the derived health changes, keeps a status override', () => {
    const by = { id: 'u', email: 'a@example.com' };
    const down = restated({ ...freshStatus(service, at), version: 1 }, [incident(1, 1)], at);
    const noted = { ...down, override: { message: 'on it', by, at } };
    expect(restated(noted, [incident(1, 1), incident(2, 2)], later).override?.message).toBe('on it');
    expect(restated(noted, [], later).override).toBeUndefined();
    const held = { ...down, override: { status: 'degraded' as const, message: 'partial', by, at } };
    const after = restated(held, [], later);
    expect(after).toMatchObject({
      derived: 'operational',
      status: 'degraded',
      override: { message: 'partial' },
    });
  });
});

describe('the status rule reads the incident of an event', () => {
  const incidentOf = ([type, detail]: [string, Record<string, unknown>]) => incidentOfEvent(type, detail);
  const delivery = (type: string, detail: Record<string, unknown>): [string, Record<string, unknown>] => [
    type,
    detail,
  ];

  it('takes the ticket of ticket events and the incident side of an incident–CI link, nothing else', () => {
    expect(incidentOf(delivery('ticket.updated', { ticketId: 't1' }))).toBe('t1');
    const link = {
      source: { kind: 'incident', id: 't2', number: 'INC0001002' },
      target: { kind: 'configuration_item', id: 'c1', number: 'CFG0001001' },
    };
    expect(incidentOf(delivery('record.linked', link))).toBe('t2');
    expect(
      incidentOf(delivery('record.linked', { ...link, target: { kind: 'problem', id: 'p' } })),
    ).toBeUndefined();
    expect(incidentOf(delivery('change.updated', { ticketId: 't1' }))).toBeUndefined();
  });
});

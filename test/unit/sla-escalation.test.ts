import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALWAYS } from '#core/sla/business-calendar.ts';
import { Escalation, SlaDefinition } from '#core/sla/sla-definition.ts';
import { carryOut, planEscalations } from '#core/sla/sla-escalation.ts';
import { attach, fire, type RecordSnapshot } from '#core/sla/sla-record.ts';
import { defaultPriorityMatrix, type Level, priorityOf } from '#core/ticket/priority.ts';
import { raisedLevels } from '#core/ticket/ticket-escalation.ts';
import type { OutboundMail } from '#ports/mail.ts';

const MINUTE = 60_000;
const definition = SlaDefinition.parse({
  id: 'esc',
  version: 1,
  name: 'Escalating',
  calendarId: '24x7',
  targets: { response: { '3': 10, '4': 10 } },
  escalations: [
    { on: 'warning', notify: ['assignee'] },
    { on: 'breach', raisePriorityTo: 3, reassignTo: 'network' },
    { on: 'breach', target: 'response', raisePriorityTo: 2, addresses: ['Desk-Leads@Example.com'] },
    { on: 'breach', target: 'resolution', reassignTo: 'never' },
  ],
});
const snapshot = (recordType: string): RecordSnapshot => ({
  recordId: 'r1',
  recordType,
  number: 'INC0001001',
  version: 1,
  state: 'new',
  phase: 'open',
  priority: 4,
  assignmentGroup: 'service-desk',
  assignee: 'dana@example.com',
  createdAt: '2026-12-07T09:00:00.000Z',
  updatedAt: '2026-12-07T09:00:00.000Z',
});

/** The record's state after its response clock breached (fired 11 minutes in). */
function breached(recordType: string) {
  const start = new Date('2026-12-07T09:00:00.000Z');
  const attached = attach([definition], () => ALWAYS, snapshot(recordType), start);
  const step = fire(
    () => ALWAYS,
    attached.record,
    attached.record.version,
    new Date(start.getTime() + 11 * MINUTE),
  );
  return step;
}

const deps = (acted: string[] = []) => ({
  mailer: { send: async (_: OutboundMail) => ({ providerMessageId: 'm' }) },
  managerOf: async () => 'mona@example.com',
  portalUrl: 'http://portal',
  supportAddress: 'support@example.com',
  actions: {
    incident: {
      raisePriority: async (id: string, to: number, reason: string) =>
        void acted.push(`${id} P${to} (${reason})`),
      reassign: async (id: string, group: string, reason: string) =>
        void acted.push(`${id} → ${group} (${reason})`),
    },
  },
});

describe('escalation actions', () => {
  it('plans every matching action of a breach: the highest priority asked for, the group, the mail, one history entry each', async () => {
    const step = breached('incident');
    expect(step.happenings.map((h) => h.kind)).toEqual(['warning', 'breached']);
    const plan = await planEscalations(deps(), step.record, step.happenings);
    expect(plan.mails.map((m) => `${m.happening.kind}:${m.to.join(',')}`)).toEqual([
      'warning:dana@example.com',
      'breached:desk-leads@example.com',
    ]);
    expect(plan.actions).toEqual([
      { kind: 'priority', to: 2, reason: 'SLA breach: Escalating' },
      { kind: 'reassign', group: 'network', reason: 'SLA breach: Escalating' },
    ]);
    expect(plan.history.map((h) => `${h.field}=${String(h.newValue)}`)).toEqual([
      'sla.response.escalation=mailed dana@example.com',
      'sla.response.escalation=mailed desk-leads@example.com',
      'sla.response.escalation=raise priority to 2',
      'sla.response.escalation=reassign to network',
    ]);
  });

  it('says in the history when a record type takes no changes, rather than dropping the action', async () => {
    const step = breached('problem');
    const plan = await planEscalations(deps(), step.record, step.happenings);
    expect(plan.actions).toEqual([]);
    expect(plan.history.map((h) => String(h.newValue))).toContain(
      'not done: problem records take no "raise priority to 2"',
    );
  });

  it('carries out what the state owes, through the record type’s actions', async () => {
    const acted: string[] = [];
    const step = breached('incident');
    const plan = await planEscalations(deps(), step.record, step.happenings);
    await carryOut(deps(acted), { ...step.record, pending: [...plan.actions] });
    expect(acted).toEqual(['r1 P2 (SLA breach: Escalating)', 'r1 → network (SLA breach: Escalating)']);
  });

  it('refuses an escalation with nothing to do, naming it', () => {
    const result = Escalation.safeParse({ on: 'breach' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('needs an action');
    expect(Escalation.safeParse({ on: 'breach', raisePriorityTo: 5 }).success).toBe(false);
  });
});

describe('raising a ticket’s priority through impact and urgency', () => {
  it('raises urgency first, and never lowers impact or urgency', () => {
    expect(raisedLevels({ impact: 3, urgency: 3, priority: 5 }, 2, defaultPriorityMatrix)).toEqual({
      impact: 2,
      urgency: 1,
    });
    expect(raisedLevels({ impact: 3, urgency: 3, priority: 5 }, 3, defaultPriorityMatrix)).toEqual({
      impact: 3,
      urgency: 1,
    });
    expect(raisedLevels({ impact: 1, urgency: 3, priority: 3 }, 3, defaultPriorityMatrix)).toBeUndefined();
  });

  it('always reaches the priority asked for (or higher) without lowering anything', () => {
    const level = fc.constantFrom<Level>(1, 2, 3);
    fc.assert(
      fc.property(level, level, fc.integer({ min: 1, max: 4 }), (impact, urgency, to) => {
        const priority = priorityOf(impact, urgency);
        const raised = raisedLevels({ impact, urgency, priority }, to, defaultPriorityMatrix);
        if (priority <= to) return raised === undefined;
        return (
          raised !== undefined &&
          raised.impact <= impact &&
          raised.urgency <= urgency &&
          priorityOf(raised.impact, raised.urgency) <= to
        );
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { Change } from '#core/change/change.ts';
import { withCmdbRisk } from '#core/change/cmdb-risk.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';
import { conflictsOf } from '#core/change/schedule.ts';

const at = '2026-12-03T10:00:00.000Z';
const change = (over: Partial<Change> = {}) =>
  ({
    id: 'c1',
    number: 'CHG0001001',
    type: 'normal',
    plannedStart: '2026-12-10T10:00:00.000Z',
    plannedEnd: '2026-12-10T12:00:00.000Z',
    services: [],
    configurationItems: [],
    state: 'scheduled',
    risk: { score: 3, assessed: 'low', answers: {} },
    ...over,
  }) as Change;
const email = { id: 's1', name: 'Email', criticality: 'critical' };
const hr = { id: 's2', name: 'HR self-service', criticality: 'high' };

describe('the risk a critical service adds to a change', () => {
  it('adds the weight once for a critical service and reads the level again (low 3 → medium 5)', () => {
    const raised = withCmdbRisk(
      change(),
      { cis: ['Exchange'], services: [email, hr] },
      2,
      defaultRiskQuestionnaire,
      at,
    );
    expect(raised.risk).toMatchObject({ score: 5, assessed: 'medium' });
    expect(raised.cmdb).toEqual({ cis: ['Exchange'], services: [email, hr], riskWeight: 2, at });
  });

  it('replaces the earlier weight on resubmission, and adds nothing without a critical service', () => {
    const first = withCmdbRisk(change(), { cis: [], services: [email] }, 2, defaultRiskQuestionnaire, at);
    const again = withCmdbRisk(
      change(first),
      { cis: [], services: [email] },
      2,
      defaultRiskQuestionnaire,
      at,
    );
    expect(again.risk.score).toBe(5);
    const dropped = withCmdbRisk(change(first), { cis: [], services: [hr] }, 2, defaultRiskQuestionnaire, at);
    expect(dropped.risk).toMatchObject({ score: 3, assessed: 'low' });
    expect(dropped.cmdb?.riskWeight).toBe(0);
  });

  it('leaves an emergency change and an unassessed change as they are', () => {
    const emergency = change({ type: 'emergency', risk: { answers: {} } });
    expect(
      withCmdbRisk(emergency, { cis: [], services: [email] }, 2, defaultRiskQuestionnaire, at).risk,
    ).toEqual({
      answers: {},
    });
  });
});

describe('conflicts through the CMDB', () => {
  it('matches overlapping changes by a linked CI or a service their CIs reach, not only by label', () => {
    const a = change({ id: 'a', number: 'CHG0001001', services: ['Mail relay'] });
    const b = change({ id: 'b', number: 'CHG0001002', services: ['Messaging'] });
    const c = change({ id: 'c', number: 'CHG0001003', services: ['Payroll'] });
    expect(conflictsOf(a, [b, c])).toEqual([]);
    const cmdb = new Map([
      ['a', { cis: ['Exchange Online'], services: [email] }],
      ['b', { cis: ['Email'], services: [email] }],
      ['c', { cis: ['Exchange Online'], services: [] }],
    ]);
    expect(conflictsOf(a, [b, c], cmdb)).toEqual([
      { changeId: 'b', number: 'CHG0001002', shared: ['service:Email'] },
      { changeId: 'c', number: 'CHG0001003', shared: ['ci:Exchange Online'] },
    ]);
  });
});

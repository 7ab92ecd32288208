import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacLinkSigner } from '#adapters/system/system.ts';
import {
  type ApprovalDecision,
  approvalRoute,
  defaultApprovalSettings,
  type Quorum,
  stepApprovers,
  stepOutcome,
} from '#core/change/approval.ts';
import { type ApprovalLinkDeps, issueApprovalLink, readApprovalLink } from '#core/change/approval-links.ts';
import type { Change, FreezeWindow } from '#core/change/change.ts';
import { allowedNext, canMove } from '#core/change/lifecycle.ts';
import { assessRisk, defaultRiskQuestionnaire, RiskQuestionnaire } from '#core/change/risk.ts';
import { conflictsOf, freezesHit, monthsCovering } from '#core/change/schedule.ts';

const people = ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'];
const decision = (email: string, d: 'approved' | 'rejected', onBehalf = false): ApprovalDecision => ({
  by: { id: email, email },
  decision: d,
  comment: '',
  at: '2026-11-28T10:00:00.000Z',
  via: 'portal',
  onBehalf,
});

describe('quorum', () => {
  const outcome = (quorum: Quorum, approvers: string[], decisions: ApprovalDecision[]) =>
    stepOutcome({ quorum, approvers, decisions });

  it.each([
    ['any: the first decision decides (approve)', { rule: 'any' }, ['approved', 'rejected'], 'approved'],
    ['any: the first decision decides (reject)', { rule: 'any' }, ['rejected', 'approved'], 'rejected'],
    ['all: pending until everyone approved', { rule: 'all' }, ['approved', 'approved'], 'pending'],
    ['all: approved when all three did', { rule: 'all' }, ['approved', 'approved', 'approved'], 'approved'],
    ['all: one rejection rejects', { rule: 'all' }, ['approved', 'rejected'], 'rejected'],
    ['2 of 3: one approval is not enough', { rule: 'n_of_m', n: 2 }, ['approved'], 'pending'],
    [
      '2 of 3: two approvals approve',
      { rule: 'n_of_m', n: 2 },
      ['rejected', 'approved', 'approved'],
      'approved',
    ],
    [
      '2 of 3: two rejections make 2 unreachable',
      { rule: 'n_of_m', n: 2 },
      ['rejected', 'rejected'],
      'rejected',
    ],
    ['5 of 3: needs everyone', { rule: 'n_of_m', n: 5 }, ['approved', 'approved', 'approved'], 'approved'],
  ] as const)('%s', (_name, quorum, decisions, expected) => {
    const approvers = people.slice(0, 3);
    expect(
      outcome(
        quorum,
        approvers,
        decisions.map((d, i) => decision(approvers[i] as string, d)),
      ),
    ).toBe(expected);
  });

  it('counts no decision from someone who is not an approver, but lets an escalation decision settle alone', () => {
    const approvers = people.slice(0, 3);
    expect(outcome({ rule: 'all' }, approvers, [decision('z@x.io', 'approved')])).toBe('pending');
    expect(outcome({ rule: 'all' }, approvers, [decision('z@x.io', 'rejected', true)])).toBe('rejected');
  });

  it('never approves N of M with fewer than min(N, M) approvals, and always decides once everyone decided', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.boolean(), { minLength: 0, maxLength: 5 }),
        (n, m, votes) => {
          const approvers = people.slice(0, m);
          const cast = votes
            .slice(0, m)
            .map((v, i) => decision(approvers[i] as string, v ? 'approved' : 'rejected'));
          const result = outcome({ rule: 'n_of_m', n }, approvers, cast);
          const approvals = cast.filter((d) => d.decision === 'approved').length;
          if (result === 'approved') expect(approvals).toBeGreaterThanOrEqual(Math.min(n, m));
          if (approvals >= Math.min(n, m)) expect(result).toBe('approved');
          if (cast.length === m) expect(result).not.toBe('pending');
        },
      ),
    );
  });
});

describe('approval routes', () => {
  const risk = (level: 'low' | 'medium' | 'high') => ({ assessed: level, answers: {} });
  it('routes by type and risk', () => {
    expect(approvalRoute({ type: 'standard', risk: risk('high') })).toBe('none');
    expect(approvalRoute({ type: 'emergency', risk: risk('low') })).toBe('ecab');
    expect(approvalRoute({ type: 'normal', risk: risk('low') })).toBe('manager');
    expect(approvalRoute({ type: 'normal', risk: risk('medium') })).toBe('cab');
    expect(approvalRoute({ type: 'normal', risk: risk('high') })).toBe('cab_and_owner');
    expect(
      approvalRoute({
        type: 'normal',
        risk: {
          ...risk('low'),
          override: {
            level: 'high',
            reason: 'r',
            by: { id: 'x', email: 'x' },
            at: '2026-01-01T00:00:00.000Z',
          },
        },
      }),
    ).toBe('cab_and_owner');
  });

  it('asks the manager, else the CAB; the service owners, else the escalation group', () => {
    const change = { type: 'normal' as const, risk: risk('high'), services: ['VPN', 'Email'] };
    expect(stepApprovers('manager', change, defaultApprovalSettings, 'm@x.io')).toEqual({
      groups: [],
      people: ['m@x.io'],
      quorum: { rule: 'any' },
    });
    expect(stepApprovers('manager', change, defaultApprovalSettings, undefined).groups).toEqual(['cab']);
    expect(stepApprovers('cab', change, defaultApprovalSettings, undefined).quorum).toEqual({ rule: 'all' });
    expect(
      stepApprovers('cab', { ...change, risk: risk('medium') }, defaultApprovalSettings, undefined).quorum,
    ).toEqual({ rule: 'n_of_m', n: 2 });
    const owners = { ...defaultApprovalSettings, serviceOwners: { VPN: 'o@x.io', Email: 'o@x.io' } };
    expect(stepApprovers('service_owner', change, owners, undefined).people).toEqual(['o@x.io']);
    expect(stepApprovers('service_owner', change, defaultApprovalSettings, undefined).groups).toEqual([
      'change-managers',
    ]);
  });
});

describe('risk questionnaire', () => {
  const all = (option: number) =>
    Object.fromEntries(
      defaultRiskQuestionnaire.questions.map((q) => [q.id, q.options[option]?.id as string]),
    );

  it('scores complete answers into low, medium and high', () => {
    expect(assessRisk(defaultRiskQuestionnaire, all(0))).toEqual({
      ok: true,
      assessment: { score: 0, level: 'low' },
    });
    expect(assessRisk(defaultRiskQuestionnaire, all(1))).toEqual({
      ok: true,
      assessment: { score: 7, level: 'medium' },
    });
    expect(assessRisk(defaultRiskQuestionnaire, all(2))).toEqual({
      ok: true,
      assessment: { score: 17, level: 'high' },
    });
  });

  it('names every unanswered question, unknown option and unknown question', () => {
    const result = assessRisk(defaultRiskQuestionnaire, { reach: 'galaxy', bogus: 'x' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual([
      'risk.answers.reach',
      'risk.answers.experience',
      'risk.answers.backout',
      'risk.answers.outage',
      'risk.answers.testing',
      'risk.answers.bogus',
    ]);
  });

  it('refuses a configured questionnaire whose thresholds are upside down', () => {
    const bad = RiskQuestionnaire.safeParse({
      ...defaultRiskQuestionnaire,
      thresholds: { low: 9, medium: 3 },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['thresholds']);
  });
});

describe('lifecycle rules', () => {
  it('lets only the workflow take a change out of authorize, except to cancel it', () => {
    for (const type of ['normal', 'emergency', 'standard'] as const) {
      expect(allowedNext(type, 'authorize', 'person')).toEqual(['cancelled']);
      expect(allowedNext(type, 'authorize', 'workflow')).toEqual(['scheduled', 'rejected', 'assess']);
    }
    expect(canMove('standard', 'new', 'scheduled', 'person')).toBe(true);
    expect(canMove('normal', 'new', 'scheduled', 'person')).toBe(false);
    expect(canMove('emergency', 'new', 'authorize', 'person')).toBe(true);
    expect(canMove('standard', 'new', 'assess', 'person')).toBe(false);
    expect(canMove('normal', 'closed', 'review', 'person')).toBe(false);
  });
});

describe('calendar rules', () => {
  const change = (
    id: string,
    start: string,
    end: string,
    services: string[],
    state: Change['state'] = 'scheduled',
  ) =>
    ({
      id,
      number: `CHG000${id}`,
      plannedStart: start,
      plannedEnd: end,
      services,
      configurationItems: [],
      state,
    }) as unknown as Change;

  it('flags overlapping changes that share a service or configuration item, on both sides', () => {
    const a = change('1', '2026-12-01T10:00:00.000Z', '2026-12-01T12:00:00.000Z', ['VPN']);
    const b = change('2', '2026-12-01T11:00:00.000Z', '2026-12-01T13:00:00.000Z', ['VPN', 'Email']);
    const touching = change('3', '2026-12-01T12:00:00.000Z', '2026-12-01T13:00:00.000Z', ['VPN']);
    const closed = change('4', '2026-12-01T10:00:00.000Z', '2026-12-01T12:00:00.000Z', ['VPN'], 'closed');
    expect(conflictsOf(a, [a, b, touching, closed]).map((c) => c.number)).toEqual(['CHG0002']);
    expect(conflictsOf(b, [a, b, touching, closed]).map((c) => c.number)).toEqual(['CHG0001', 'CHG0003']);
  });

  it('hits freezes for every service, or for the services named', () => {
    const freeze = (services: string[]) =>
      ({
        id: 'f',
        name: 'F',
        start: '2026-12-20T00:00:00.000Z',
        end: '2027-01-04T00:00:00.000Z',
        services,
      }) as FreezeWindow;
    const c = change('1', '2027-01-03T22:00:00.000Z', '2027-01-04T02:00:00.000Z', ['VPN']);
    expect(freezesHit(c, [freeze([])])).toHaveLength(1);
    expect(freezesHit(c, [freeze(['Email'])])).toHaveLength(0);
    expect(freezesHit({ ...c, plannedStart: '2027-01-04T00:00:00.000Z' }, [freeze([])])).toHaveLength(0);
  });

  it('reads every month from the longest window before the range to its end', () => {
    expect(monthsCovering('2026-12-15T00:00:00.000Z', '2027-02-01T00:00:00.000Z', 31)).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });
});

describe('approval links', () => {
  let now = new Date('2026-11-28T10:00:00.000Z');
  const deps = {
    signer: new HmacLinkSigner(new Uint8Array(32).fill(7)),
    clock: { now: () => now },
    ids: { next: () => 'LINK1' },
  } as unknown as ApprovalLinkDeps;
  const link = {
    changeId: 'C1',
    attempt: 1,
    step: 'cab' as const,
    approver: 'A@X.io',
    decision: 'approved' as const,
  };

  it('reads back what it signed, with the approver normalized', async () => {
    const token = await issueApprovalLink(deps, link, 72);
    expect(await readApprovalLink(deps, token)).toMatchObject({
      ...link,
      approver: 'a@x.io',
      expiresAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('refuses a tampered payload or signature (404) and an expired link (410)', async () => {
    const token = await issueApprovalLink(deps, link, 72);
    const [payload, mac] = token.split('~') as [string, string];
    const forged = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('approved', 'rejected'),
    ).toString('base64url');
    await expect(readApprovalLink(deps, `${forged}~${mac}`)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(readApprovalLink(deps, `${payload}~${mac.slice(0, -2)}xx`)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(readApprovalLink(deps, 'not a link')).rejects.toMatchObject({ name: 'NotFoundError' });
    now = new Date('2026-12-01T10:00:01.000Z');
    await expect(readApprovalLink(deps, token)).rejects.toMatchObject({ name: 'GoneError' });
  });
});

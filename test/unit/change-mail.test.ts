import { describe, expect, it } from 'vitest';
import { approvalOutcomeMail, approvalRequestMail, mailTime } from '#channels/email/change-mail.ts';
import type { ApprovalStep } from '#core/change/approval.ts';
import { Change } from '#core/change/change.ts';

const change = Change.parse({
  id: 'c1',
  number: 'CHG0001001',
  type: 'normal',
  shortDescription: 'Core switch firmware',
  justification: 'Security fix',
  implementationPlan: 'Upgrade',
  backoutPlan: 'Downgrade',
  testPlan: 'Ping',
  plannedStart: '2026-12-14T09:00:00.000Z',
  plannedEnd: '2026-12-14T11:30:00.000Z',
  assignmentGroup: 'network',
  requester: { id: 'u1', email: 'alex.agent@example.com', name: 'Alex Agent' },
  state: 'authorize',
  risk: { answers: {} },
  approval: { status: 'pending' },
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
  version: 1,
});
const step = {
  changeId: 'c1',
  attempt: 1,
  step: 'cab',
  status: 'pending',
  round: 'request',
  quorum: { rule: 'any' },
  approvers: ['avery.approver@example.com'],
  approverPeople: [],
  approverGroups: ['cab'],
  escalationApprovers: [],
  decisions: [],
  requestedAt: '2026-12-01T09:00:00.000Z',
  version: 1,
} satisfies ApprovalStep;
const ctx = { portalUrl: 'https://spoke.example.com', supportAddress: 'support@example.com' };
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

describe('change approval mail times', () => {
  it('writes the planned window as people read it, with the zone, never as raw ISO', () => {
    const text = approvalRequestMail(ctx, change, step, { approve: 'a', reject: 'r' }, 72).text;
    expect(text).toContain('Planned: Mon 14 Dec 2026, 09:00 to 11:30 UTC');
    expect(text).not.toMatch(ISO);
  });

  it('writes the window in the configured zone when there is one', () => {
    const text = approvalRequestMail(
      { ...ctx, timeZone: 'Europe/Berlin' },
      change,
      step,
      { approve: 'a', reject: 'r' },
      72,
    ).text;
    expect(text).toContain('Planned: Mon 14 Dec 2026, 10:00 to 12:30 CET');
  });

  it('names the day and the zone in the approved outcome', () => {
    const text = approvalOutcomeMail(ctx, change, 'approved').text;
    expect(text).toContain('scheduled for Mon 14 Dec 2026, 09:00 UTC.');
    expect(text).not.toMatch(ISO);
  });

  it('spells a window across days in full', () => {
    expect(mailTime('2026-07-01T22:15:00.000Z', 'Europe/Berlin')).toBe('Thu 2 Jul 2026, 00:15 CEST');
  });
});

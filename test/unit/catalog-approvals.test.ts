import { describe, expect, it } from 'vitest';
import type { ApprovalPolicy } from '#core/catalog/catalog.ts';
import { plannedApprovals } from '#core/catalog/request-service.ts';

const item = (approval: ApprovalPolicy) => ({ item: { approval } });

describe('the approval chain of an order', () => {
  it('needs nobody when no item asks for approval', () => {
    expect(
      plannedApprovals([item({ policy: 'none' })], 100, 'morgan@example.com', 'change-managers'),
    ).toEqual([]);
  });

  it('asks the manager from the people directory once, however many items need it', () => {
    expect(
      plannedApprovals(
        [item({ policy: 'manager' }), item({ policy: 'manager' })],
        undefined,
        'morgan@example.com',
        'esc',
      ),
    ).toEqual([{ kind: 'manager', people: ['morgan@example.com'], groups: [] }]);
  });

  it('lets the escalation group stand in when the directory knows no manager', () => {
    expect(plannedApprovals([item({ policy: 'manager' })], undefined, undefined, 'change-managers')).toEqual([
      { kind: 'manager', people: [], groups: ['change-managers'] },
    ]);
  });

  it('adds the cost approver only above the threshold, after the manager and each group', () => {
    const policy: ApprovalPolicy = { policy: 'manager', costThreshold: { above: 2000, group: 'finance' } };
    const order = [item(policy), item({ policy: 'group', group: 'system-owners' })];

    expect(plannedApprovals(order, 2000, 'm@example.com', 'esc').map((s) => s.kind)).toEqual([
      'manager',
      'group',
    ]);
    expect(plannedApprovals(order, 2800, 'm@example.com', 'esc')).toEqual([
      { kind: 'manager', people: ['m@example.com'], groups: [] },
      { kind: 'group', people: [], groups: ['system-owners'] },
      { kind: 'cost', people: [], groups: ['finance'] },
    ]);
  });
});

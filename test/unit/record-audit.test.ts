import { describe, expect, it } from 'vitest';
import { auditDiff } from '#core/record/audit.ts';

describe('the audit diff', () => {
  it('sees no change in a map whose keys come back in another order, and sees a changed value', () => {
    const write = { actor: { id: 'a', email: 'a@example.com' }, at: '2026-12-03T10:00:00.000Z' };
    const before = { attributes: { region: 'eu-west-1', accountId: '123456789012', nested: { b: 1, a: 2 } } };
    const reordered = {
      attributes: { accountId: '123456789012', nested: { a: 2, b: 1 }, region: 'eu-west-1' },
    };
    const changed = {
      attributes: { accountId: '123456789012', nested: { a: 3, b: 1 }, region: 'eu-west-1' },
    };

    expect(auditDiff(['attributes'], before, reordered, write)).toEqual([]);
    expect(auditDiff(['attributes'], before, changed, write).map((e) => e.field)).toEqual(['attributes']);
  });
});

import { describe, expect, it } from 'vitest';
import { taskMail } from '#channels/email/catalog-mail.ts';
import type { CatalogTask } from '#core/catalog/request.ts';

const ctx = { portalUrl: 'https://help.example.com/', supportAddress: 'support@help.example.com' };
const task: CatalogTask = {
  id: 'r1.1.2',
  number: 'TASK0001002',
  requestId: 'r1',
  requestNumber: 'REQ0001001',
  requestedFor: 'emma.employee@example.com',
  step: '1.2',
  title: 'Create the ERP account',
  group: 'service-desk',
  instructions: 'Create it with the role asked for.',
  automation: { hook: 'erp-accounts', input: {} },
  itemName: 'Software access',
  state: 'open',
  createdAt: '2026-12-03T10:00:00.000Z',
  updatedAt: '2026-12-03T10:00:00.000Z',
  version: 2,
};

describe('the fulfilment task mail', () => {
  it("links the group's queue (the portal's task page) and says nothing of automation when there was none", () => {
    const { automation: _, ...manual } = task;
    const mail = taskMail(ctx, manual, 'request');
    expect(mail.subject).toBe('[TASK0001002] New task: Create the ERP account (REQ0001001)');
    expect(mail.text).toContain('Open the queue: https://help.example.com/tasks?group=service-desk');
    expect(mail.text).not.toContain('automation');
  });

  it('tells the group when the automation failed and the task is theirs by hand, with the error', () => {
    const mail = taskMail(
      ctx,
      { ...task, automationError: 'Hook erp-accounts answered 500: down' },
      'reminder',
    );
    expect(mail.text).toContain(
      'Its automation failed, so it is yours to do by hand: Hook erp-accounts answered 500: down',
    );
  });
});

import * as z from 'zod';
import { ApprovalStep, InboxEntry } from '#core/change/approval.ts';
import { Change, ChangeAuditEntry, ChangeTemplate, FreezeWindow } from '#core/change/change.ts';
import { AUDIT_SK, auditN } from './entities.ts';
import { defineEntity } from './entity.ts';

/** The change entities (see `entities.ts` for the conventions and `entity-list.ts` for the list). */
// ——— changes ———

/** Approval attempts sort as numbers in their sort keys. */
export const attemptPart = (attempt: number) => String(attempt).padStart(3, '0');

export const changeEntity = /* @__PURE__ */ defineEntity({
  name: 'change',
  version: 1,
  table: 'domain',
  schema: Change,
  indexes: {
    primary: { pk: 'CHANGE#{id}', sk: '#CHANGE' },
    gsi1: { pk: 'CHANGES_BY#{requester}', sk: '{updatedAt}#{id}' },
    gsi2: { pk: 'CHANGES#{state}', sk: '{updatedAt}#{id}' },
    // Filed under the month its window starts; windows are at most 31 days.
    gsi3: { pk: 'CALENDAR#{month}', sk: '{plannedStart}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'change' },
  },
  facets: (change) => ({
    id: change.id,
    updatedAt: change.updatedAt,
    requester: change.requester.email,
    state: change.state,
    month: change.plannedStart.slice(0, 7),
    plannedStart: change.plannedStart,
    number: change.number,
  }),
});

/** The task token of the waiting workflow task is stored with its step and never leaves the store. */
export const StoredApprovalStep = ApprovalStep.extend({ taskToken: z.string().max(8192).optional() });
export const approvalStepEntity = /* @__PURE__ */ defineEntity({
  name: 'approval-step',
  version: 1,
  table: 'domain',
  schema: StoredApprovalStep,
  indexes: { primary: { pk: 'CHANGE#{changeId}', sk: 'APPROVAL#{attempt}#{step}' } },
  facets: (step) => ({ changeId: step.changeId, attempt: attemptPart(step.attempt), step: step.step }),
});

export const approvalInboxEntity = /* @__PURE__ */ defineEntity({
  name: 'approval-inbox',
  version: 1,
  table: 'domain',
  schema: InboxEntry,
  indexes: {
    primary: { pk: 'CHANGE#{changeId}', sk: 'INBOX#{attempt}#{step}#{approver}' },
    gsi2: { pk: 'APPROVER#{approver}', sk: '{requestedAt}#{changeId}#{step}' },
  },
  facets: (entry, context: { readonly attempt: number }) => ({
    changeId: entry.changeId,
    attempt: attemptPart(context.attempt),
    step: entry.step,
    approver: entry.approver,
    requestedAt: entry.requestedAt,
  }),
  contextOf: (item) => ({ attempt: Number(String(item.sk).split('#')[1]) }),
});

export const changeAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'change-audit',
  version: 1,
  table: 'domain',
  schema: ChangeAuditEntry,
  indexes: { primary: { pk: 'CHANGE#{changeId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    changeId: entry.changeId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

export const freezeEntity = /* @__PURE__ */ defineEntity({
  name: 'freeze',
  version: 1,
  table: 'domain',
  schema: FreezeWindow,
  indexes: {
    primary: { pk: 'FREEZE#{id}', sk: '#FREEZE' },
    gsi3: { pk: 'FREEZES', sk: '{start}#{id}' },
  },
  facets: (freeze) => ({ id: freeze.id, start: freeze.start }),
});

export const changeTemplateEntity = /* @__PURE__ */ defineEntity({
  name: 'change-template',
  version: 1,
  table: 'domain',
  schema: ChangeTemplate,
  indexes: {
    primary: { pk: 'CHANGE_TEMPLATE#{id}', sk: '#TEMPLATE' },
    gsi1: { pk: 'CHANGE_TEMPLATES', sk: '{id}' },
  },
  facets: (template) => ({ id: template.id }),
});

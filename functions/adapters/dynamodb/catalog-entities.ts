import * as z from 'zod';
import { CatalogCategory, CatalogItem } from '#core/catalog/catalog.ts';
import {
  CatalogAuditEntry,
  CatalogRequest,
  CatalogTask,
  RequestApprovalStep,
  RequestInboxEntry,
} from '#core/catalog/request.ts';
import { AUDIT_SK, auditN } from './entities.ts';
import { defineEntity } from './entity.ts';

/**
 * The service catalog's entities (see `entities.ts` for the conventions and `entity-list.ts`
 * for the list). Partitions they add: gsi1 `CATALOG` (current items), `CATALOG_CATEGORIES`,
 * `REQUESTS_FOR#<email>`, `TASKS_OF#<request>`; gsi2 `REQUESTS_BY#<agent>` (ordered on behalf),
 * `REQ_APPROVER#<email>` (request inbox),
 * `TASKS_BY#<assignee>`; gsi3 `TASK_QUEUE#<group>#<state>`; gsi4 `NUMBER#REQ…` / `catalog-request`
 * and `NUMBER#TASK…` / `task`.
 */
const indexPart = (index: number) => String(index).padStart(2, '0');
/** Plan steps sort in plan order: `1.10` after `1.9`. */
const stepPart = (step: string) =>
  step
    .split('.')
    .map((n) => n.padStart(3, '0'))
    .join('.');

// ——— definitions ———

export const catalogCategoryEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-category',
  version: 1,
  table: 'domain',
  schema: CatalogCategory,
  indexes: {
    primary: { pk: 'CATALOG_CATEGORY#{id}', sk: '#CATEGORY' },
    gsi1: { pk: 'CATALOG_CATEGORIES', sk: '{id}' },
  },
  facets: (category) => ({ id: category.id }),
});

/** The current version of an item, listed in the catalog. */
export const catalogItemEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-item',
  version: 1,
  table: 'domain',
  schema: CatalogItem,
  indexes: {
    primary: { pk: 'CATALOG_ITEM#{id}', sk: '#ITEM' },
    gsi1: { pk: 'CATALOG', sk: '{category}#{id}' },
  },
  facets: (item) => ({ id: item.id, category: item.category }),
});

/** Every version of an item, immutable: what requests ordered under it read. */
export const catalogItemVersionEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-item-version',
  version: 1,
  table: 'domain',
  schema: CatalogItem,
  indexes: { primary: { pk: 'CATALOG_ITEM#{id}', sk: 'VERSION#{version}' } },
  facets: (item) => ({ id: item.id, version: String(item.version).padStart(6, '0') }),
});

/** The people directory: who manages whom (Cognito has no manager attribute). */
export const managerEntity = /* @__PURE__ */ defineEntity({
  name: 'person-manager',
  version: 1,
  table: 'domain',
  schema: z.object({ email: z.email(), manager: z.email() }),
  indexes: { primary: { pk: 'PERSON#{email}', sk: '#MANAGER' } },
  facets: (entry) => ({ email: entry.email }),
});

// ——— requests ———

export const catalogRequestEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-request',
  version: 1,
  table: 'domain',
  schema: CatalogRequest,
  indexes: {
    primary: { pk: 'CATREQ#{id}', sk: '#REQUEST' },
    // The person it is for finds it under My requests; an agent who ordered for a caller, under theirs.
    gsi1: { pk: 'REQUESTS_FOR#{requestedFor}', sk: '{updatedAt}#{id}' },
    gsi2: { pk: 'REQUESTS_BY#{orderedBy}', sk: '{updatedAt}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'catalog-request' },
  },
  facets: (request) => ({
    id: request.id,
    updatedAt: request.updatedAt,
    requestedFor: request.requestedFor.email,
    orderedBy: request.requestedFor.email === request.requester.email ? undefined : request.requester.email,
    number: request.number,
  }),
});

export const catalogRequestAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-request-audit',
  version: 1,
  table: 'domain',
  schema: CatalogAuditEntry,
  indexes: { primary: { pk: 'CATREQ#{recordId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    recordId: entry.recordId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

/** The task token of the waiting workflow task is stored with its step and never leaves the store. */
export const StoredRequestStep = RequestApprovalStep.extend({ taskToken: z.string().max(8192).optional() });

export const requestStepEntity = /* @__PURE__ */ defineEntity({
  name: 'request-approval-step',
  version: 1,
  table: 'domain',
  schema: StoredRequestStep,
  indexes: { primary: { pk: 'CATREQ#{requestId}', sk: 'APPROVAL#{index}' } },
  facets: (step) => ({ requestId: step.requestId, index: indexPart(step.index) }),
});

export const requestInboxEntity = /* @__PURE__ */ defineEntity({
  name: 'request-inbox',
  version: 1,
  table: 'domain',
  schema: RequestInboxEntry,
  indexes: {
    primary: { pk: 'CATREQ#{requestId}', sk: 'INBOX#{index}#{approver}' },
    gsi2: { pk: 'REQ_APPROVER#{approver}', sk: '{requestedAt}#{requestId}#{index}' },
  },
  facets: (entry) => ({
    requestId: entry.requestId,
    index: indexPart(entry.index),
    approver: entry.approver,
    requestedAt: entry.requestedAt,
  }),
});

// ——— tasks ———

export const catalogTaskEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-task',
  version: 1,
  table: 'domain',
  schema: CatalogTask,
  indexes: {
    primary: { pk: 'TASK#{id}', sk: '#TASK' },
    gsi1: { pk: 'TASKS_OF#{requestId}', sk: '{step}' },
    gsi2: { pk: 'TASKS_BY#{assignee}', sk: '{updatedAt}#{id}' },
    gsi3: { pk: 'TASK_QUEUE#{group}#{state}', sk: '{updatedAt}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'task' },
  },
  facets: (task) => ({
    id: task.id,
    requestId: task.requestId,
    step: stepPart(task.step),
    updatedAt: task.updatedAt,
    assignee:
      task.assignee && task.state !== 'closed' && task.state !== 'cancelled'
        ? task.assignee.email
        : undefined,
    group: task.group,
    state: task.state,
    number: task.number,
  }),
});

export const catalogTaskAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'catalog-task-audit',
  version: 1,
  table: 'domain',
  schema: CatalogAuditEntry,
  indexes: { primary: { pk: 'TASK#{recordId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    recordId: entry.recordId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

/** The token the workflow waits on until the task closes. */
export const taskWaitEntity = /* @__PURE__ */ defineEntity({
  name: 'task-wait',
  version: 1,
  table: 'domain',
  schema: z.object({ taskId: z.string().min(1).max(80), taskToken: z.string().max(8192) }),
  indexes: { primary: { pk: 'TASK#{taskId}', sk: '#WAIT' } },
  facets: (wait) => ({ taskId: wait.taskId }),
});

/** Every catalog entity, for `entity-list.ts`. */
export const catalogEntities = [
  catalogCategoryEntity,
  catalogItemEntity,
  catalogItemVersionEntity,
  managerEntity,
  catalogRequestEntity,
  catalogRequestAuditEntity,
  requestStepEntity,
  requestInboxEntity,
  catalogTaskEntity,
  catalogTaskAuditEntity,
  taskWaitEntity,
] as const;

import * as z from 'zod';
import { CatalogCategory, CatalogItem } from '#core/catalog/catalog.ts';
import {
  browseCatalog,
  type CatalogDeps,
  CreateItemInput,
  createItem,
  ManagerInput,
  putCategory,
  setManager,
  UpdateItemInput,
  updateItem,
  viewItem,
} from '#core/catalog/catalog-service.ts';
import {
  CatalogAuditEntry,
  CatalogRequest,
  CatalogTask,
  RequestApprovalStep,
  RequestInboxEntry,
} from '#core/catalog/request.ts';
import {
  decideRequestByLink,
  decideRequestStep,
  previewRequestLink,
  type RequestApprovalDeps,
  RequestDecideInput,
  requestInbox,
} from '#core/catalog/request-approval.ts';
import {
  cancelRequest,
  checkOrder,
  findRequestByNumber,
  myRequests,
  OrderInput,
  placeOrder,
  requestHistory,
  requestProgress,
} from '#core/catalog/request-service.ts';
import {
  findTaskByNumber,
  TaskQueueQuery,
  taskHistory,
  taskQueue,
  UpdateTaskInput,
  updateTask,
  viewTask,
} from '#core/catalog/task-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(80);
const Cursor = z.strictObject({ cursor: z.string().max(2048).optional() });
const VersionQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const Index = z.coerce.number().int().min(1).max(10);
const VersionBody = z.strictObject({ version: z.number().int().min(1) });
const LinkBody = z.strictObject({ comment: z.string().trim().max(2000).optional() });
const LinkToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{10,2000}~[A-Za-z0-9_-]{20,200}$/, 'is not an approval link');
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const decisionErrors = { ...errors, 409: ErrorBody, 410: ErrorBody };
const Progress = z.object({
  request: CatalogRequest,
  approvals: z.array(z.unknown()),
  tasks: z.array(z.unknown()),
  next: z.string(),
});
const ItemRef = z.object({ itemId: z.string(), itemVersion: z.number().int(), name: z.string() });
const catalogTags = ['Catalog'];
const requestTags = ['Requests'];
const taskTags = ['Fulfilment tasks'];

export interface CatalogRouteDeps {
  readonly catalog: CatalogDeps;
  readonly requests: RequestApprovalDeps;
}

/** The service catalog: browsing and its admin, ordering, approvals and fulfilment tasks. */
export function catalogRoutes({ catalog, requests }: CatalogRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/catalog',
      docs: {
        summary: 'The catalog as the caller sees it: categories and the items they may order',
        tags: catalogTags,
        responses: {
          200: z.object({ categories: z.array(CatalogCategory), items: z.array(CatalogItem) }),
          ...errors,
        },
      },
      async handle({ event }) {
        return json(200, await browseCatalog(catalog, actorFromEvent(event)));
      },
    },
    {
      method: 'GET',
      path: '/api/catalog/items/{id}',
      docs: {
        summary: 'A catalog item with its form (the current version, or `?version=n`)',
        tags: catalogTags,
        query: VersionQuery,
        responses: { 200: CatalogItem, ...errors },
      },
      async handle({ event, params }) {
        const { version } = VersionQuery.parse(event.queryStringParameters ?? {});
        return json(200, await viewItem(catalog, actorFromEvent(event), Id.parse(params.id), version));
      },
    },
    {
      method: 'POST',
      path: '/api/catalog/items',
      docs: {
        summary: 'Create a catalog item (admins)',
        tags: catalogTags,
        body: CreateItemInput,
        responses: { 201: CatalogItem, 409: ErrorBody, ...errors },
      },
      async handle({ event, body }) {
        const item = await createItem(catalog, actorFromEvent(event), CreateItemInput.parse(body ?? {}));
        return json(201, item, { location: `/api/catalog/items/${item.id}` });
      },
    },
    {
      method: 'PUT',
      path: '/api/catalog/items/{id}',
      docs: {
        summary:
          'Store the next version of an item (admins; send the version you edited). Requests keep the version they were ordered under',
        tags: catalogTags,
        body: UpdateItemInput,
        responses: { 200: CatalogItem, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = UpdateItemInput.parse(body ?? {});
        return json(200, await updateItem(catalog, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'PUT',
      path: '/api/catalog/categories/{id}',
      docs: {
        summary: 'Create or change a catalog category (admins)',
        tags: catalogTags,
        body: CatalogCategory.omit({ id: true }),
        responses: { 200: CatalogCategory, ...errors },
      },
      async handle({ event, params, body }) {
        const input = CatalogCategory.omit({ id: true })
          .strict()
          .parse(body ?? {});
        return json(200, await putCategory(catalog, actorFromEvent(event), { ...input, id: params.id }));
      },
    },
    {
      method: 'PUT',
      path: '/api/people/{email}/manager',
      docs: {
        summary:
          "Set or clear a person's manager in the people directory (admins); manager approvals ask them",
        tags: catalogTags,
        body: ManagerInput,
        responses: { 200: z.object({ email: z.string(), manager: z.string().nullable() }), ...errors },
      },
      async handle({ event, params, body }) {
        return json(200, await setManager(catalog, actorFromEvent(event), params.email ?? '', body ?? {}));
      },
    },
    {
      method: 'POST',
      path: '/api/requests',
      docs: {
        summary:
          'Order catalog items (for yourself, or as an agent for a caller); 400 names every answer that does not fit its form',
        tags: requestTags,
        body: OrderInput,
        responses: { 201: CatalogRequest, ...errors },
      },
      async handle({ event, body }) {
        const request = await placeOrder(requests, actorFromEvent(event), OrderInput.parse(body ?? {}));
        return json(201, request, { location: `/api/requests/${request.id}` });
      },
    },
    {
      method: 'POST',
      path: '/api/requests/check',
      docs: {
        summary:
          'Check an order without placing it (the portal checks each line as it goes into the order); 400 names every answer that does not fit',
        tags: requestTags,
        body: OrderInput,
        responses: { 200: z.object({ items: z.array(ItemRef) }), ...errors },
      },
      async handle({ event, body }) {
        const { items } = await checkOrder(requests, actorFromEvent(event), OrderInput.parse(body ?? {}));
        return json(200, {
          items: items.map(({ item }) => ({ itemId: item.id, itemVersion: item.version, name: item.name })),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/requests',
      docs: {
        summary: 'My requests, most recently updated first',
        tags: requestTags,
        query: Cursor,
        responses: { 200: page(CatalogRequest), ...errors },
      },
      async handle({ event }) {
        const { cursor } = Cursor.parse(event.queryStringParameters ?? {});
        return json(200, await myRequests(requests, actorFromEvent(event), cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/requests/by-number/{number}',
      docs: {
        summary: 'Find a request by its number, e.g. REQ0001001',
        tags: requestTags,
        responses: { 200: CatalogRequest, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findRequestByNumber(requests, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/requests/{id}',
      docs: {
        summary: 'A request with its progress: approvals, tasks, who works on them, what is next',
        tags: requestTags,
        responses: { 200: Progress, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await requestProgress(requests, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'POST',
      path: '/api/requests/{id}/cancel',
      docs: {
        summary: 'Withdraw a request still awaiting approval (its requester)',
        tags: requestTags,
        body: VersionBody,
        responses: { 200: CatalogRequest, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const { version } = VersionBody.parse(body ?? {});
        return json(200, await cancelRequest(requests, actorFromEvent(event), Id.parse(params.id), version));
      },
    },
    {
      method: 'GET',
      path: '/api/requests/{id}/history',
      docs: {
        summary: 'The audit trail of a request',
        tags: requestTags,
        query: Cursor,
        responses: { 200: page(CatalogAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = Cursor.parse(event.queryStringParameters ?? {});
        return json(200, await requestHistory(requests, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/request-approvals',
      docs: {
        summary: 'Requests waiting for my approval',
        tags: requestTags,
        query: Cursor,
        responses: { 200: page(RequestInboxEntry), ...errors },
      },
      async handle({ event }) {
        const { cursor } = Cursor.parse(event.queryStringParameters ?? {});
        return json(200, await requestInbox(requests, actorFromEvent(event), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/requests/{id}/approvals/{index}',
      docs: {
        summary:
          "Approve or reject a request's approval step (its approvers); a rejection's comment is mailed to the requester",
        tags: requestTags,
        body: RequestDecideInput,
        responses: { 200: z.object({ step: RequestApprovalStep, settled: z.boolean() }), ...decisionErrors },
      },
      async handle({ event, params, body }) {
        const input = RequestDecideInput.parse(body ?? {});
        const result = await decideRequestStep(
          requests,
          actorFromEvent(event),
          Id.parse(params.id),
          Index.parse(params.index),
          input,
        );
        return json(200, result);
      },
    },
    {
      method: 'GET',
      path: '/api/request-approval-links/{token}',
      public: true,
      docs: {
        summary:
          'What a mailed request approval link would decide, for its confirmation page (does not decide)',
        tags: requestTags,
        responses: { 200: z.unknown(), 404: ErrorBody, 410: ErrorBody },
      },
      async handle({ params }) {
        return json(200, await previewRequestLink(requests, LinkToken.parse(params.token)));
      },
    },
    {
      method: 'POST',
      path: '/api/request-approval-links/{token}',
      public: true,
      docs: {
        summary:
          'Decide a request approval through a mailed link: single-use, expiring, signed (409 used, 410 expired)',
        tags: requestTags,
        body: LinkBody,
        responses: { 200: z.object({ step: RequestApprovalStep, settled: z.boolean() }), ...decisionErrors },
      },
      async handle({ params, body }) {
        const input = LinkBody.parse(body ?? {});
        return json(200, await decideRequestByLink(requests, LinkToken.parse(params.token), input));
      },
    },
    {
      method: 'GET',
      path: '/api/tasks',
      docs: {
        summary:
          "A group's fulfilment task queue by state, or without a group the tasks assigned to me (agents)",
        tags: taskTags,
        query: TaskQueueQuery,
        responses: { 200: page(CatalogTask), ...errors },
      },
      async handle({ event }) {
        const query = TaskQueueQuery.parse(event.queryStringParameters ?? {});
        return json(200, await taskQueue(requests, actorFromEvent(event), query));
      },
    },
    {
      method: 'GET',
      path: '/api/tasks/by-number/{number}',
      docs: {
        summary: 'Find a task by its number, e.g. TASK0001001',
        tags: taskTags,
        responses: { 200: CatalogTask, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findTaskByNumber(requests, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/tasks/{id}',
      docs: {
        summary: 'A fulfilment task (agents of its group)',
        tags: taskTags,
        responses: { 200: CatalogTask, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await viewTask(requests, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/tasks/{id}',
      docs: {
        summary:
          'Take, hand over, progress or close a task (a close needs a note); the last close fulfils the request',
        tags: taskTags,
        body: UpdateTaskInput,
        responses: { 200: CatalogTask, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        const input = UpdateTaskInput.parse(body ?? {});
        return json(200, await updateTask(requests, actorFromEvent(event), Id.parse(params.id), input));
      },
    },
    {
      method: 'GET',
      path: '/api/tasks/{id}/history',
      docs: {
        summary: 'The audit trail of a task',
        tags: taskTags,
        query: Cursor,
        responses: { 200: page(CatalogAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = Cursor.parse(event.queryStringParameters ?? {});
        return json(200, await taskHistory(requests, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
  ];
}

/**
 * The service catalog API, as the portal sees it. The records are the server's own zod types,
 * imported type-only; the form's visibility rule is the server's own (zod-free) function.
 */
import type { CatalogCategory, CatalogItem } from '../../../functions/core/catalog/catalog.ts';
import type {
  CatalogRequest,
  CatalogTask,
  RequestInboxEntry,
} from '../../../functions/core/catalog/request.ts';
import type { Api } from '../shared/api.ts';
import type { Page } from '../shared/types.ts';
import type { ItemDraft } from './item-draft.ts';

export type { CatalogCategory, CatalogItem } from '../../../functions/core/catalog/catalog.ts';
export type { FieldType, FormField } from '../../../functions/core/catalog/form.ts';
export { visibleFields } from '../../../functions/core/catalog/form-visibility.ts';
export { catalogIcons } from '../../../functions/core/catalog/icons.ts';
export type {
  CatalogRequest,
  CatalogTask,
  RequestInboxEntry,
} from '../../../functions/core/catalog/request.ts';

export interface RequestProgress {
  readonly request: CatalogRequest;
  readonly approvals: readonly { index: number; kind: string; status: string; approvers: string[] }[];
  readonly tasks: readonly {
    id: string;
    number: string;
    step: string;
    title: string;
    group: string;
    state: string;
    assignee?: string;
  }[];
  readonly next: string;
}

export type AnswerValue = string | boolean | string[];

const withoutId = ({ id: _, ...body }: ItemDraft) => body;

const enc = encodeURIComponent;

export function catalogApi(api: Api) {
  return {
    catalog: () => api.request<{ categories: CatalogCategory[]; items: CatalogItem[] }>('/catalog'),
    item: (id: string) => api.request<CatalogItem>(`/catalog/items/${enc(id)}`),
    order: (items: { itemId: string; answers: Record<string, AnswerValue> }[], requestedFor?: string) =>
      api.request<CatalogRequest>('/requests', {
        method: 'POST',
        body: { items, ...(requestedFor ? { requestedFor } : {}) },
      }),
    check: (items: { itemId: string; answers: Record<string, AnswerValue> }[]) =>
      api.request<{ items: { itemId: string; itemVersion: number; name: string }[] }>('/requests/check', {
        method: 'POST',
        body: { items },
      }),
    /** Admins: a new item (version 1), or the next version of one (`version` is the one edited). */
    saveItem: (item: ItemDraft, edit?: { version: number }) =>
      edit
        ? api.request<CatalogItem>(`/catalog/items/${enc(item.id)}`, {
            method: 'PUT',
            body: { ...withoutId(item), version: edit.version },
          })
        : api.request<CatalogItem>('/catalog/items', { method: 'POST', body: item }),
    putCategory: ({ id, ...category }: CatalogCategory) =>
      api.request<CatalogCategory>(`/catalog/categories/${enc(id)}`, { method: 'PUT', body: category }),
    mine: (cursor?: string) =>
      api.request<Page<CatalogRequest>>(`/requests${cursor ? `?cursor=${enc(cursor)}` : ''}`),
    progress: (id: string) => api.request<RequestProgress>(`/requests/${enc(id)}`),
    inbox: () => api.request<Page<RequestInboxEntry>>('/request-approvals'),
    decide: (id: string, index: number, decision: 'approved' | 'rejected', comment?: string) =>
      api.request<{ settled: boolean }>(`/requests/${enc(id)}/approvals/${index}`, {
        method: 'POST',
        body: { decision, ...(comment ? { comment } : {}) },
      }),
    tasks: (group?: string, state = 'open') =>
      api.request<Page<CatalogTask>>(`/tasks?${new URLSearchParams({ ...(group ? { group } : {}), state })}`),
    updateTask: (id: string, change: Record<string, unknown>) =>
      api.request<CatalogTask>(`/tasks/${enc(id)}`, { method: 'PATCH', body: change }),
  };
}
export type CatalogApi = ReturnType<typeof catalogApi>;

export const stateLabels: Readonly<Record<string, string>> = {
  awaiting_approval: 'Waiting for approval',
  in_fulfilment: 'Being fulfilled',
  fulfilled: 'Done',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  open: 'Open',
  in_progress: 'In progress',
  closed: 'Closed',
  pending: 'Pending',
  approved: 'Approved',
  expired: 'Expired',
};

/**
 * The desk's tools as the portal sees them: canned responses and macros, bulk changes, merging
 * and saved views. Records and inputs are the server's own zod types, imported type-only.
 */
import type { BulkInput } from '../../../functions/core/desk/bulk.ts';
import type { MergeInput } from '../../../functions/core/desk/merge.ts';
import type {
  CannedResponse,
  CreateResponseInput,
  UpdateResponseInput,
} from '../../../functions/core/desk/response.ts';
import type { SavedView, SaveViewInput } from '../../../functions/core/desk/saved-view.ts';
import type { Api } from '../shared/api.ts';
import type { Article, FieldError, Ticket } from '../shared/types.ts';

export type { MacroActions } from '../../../functions/core/desk/response.ts';
export type { SavedView, ViewFilters } from '../../../functions/core/desk/saved-view.ts';

/** A response as the list returns it: whether this agent may change it. */
export type ListedResponse = CannedResponse & { readonly editable: boolean };

/** One ticket's outcome of a bulk change. */
export interface BulkResult {
  readonly id: string;
  readonly status: number;
  readonly ticket?: Ticket;
  readonly error?: {
    readonly code: string;
    readonly message: string;
    readonly fields?: readonly FieldError[];
  };
}

const responsePath = (id: string) => `/responses/${encodeURIComponent(id)}`;
const ticketPath = (id: string) => `/tickets/${encodeURIComponent(id)}`;

export function deskApi(api: Api) {
  return {
    listResponses: () => api.request<{ items: ListedResponse[] }>('/responses'),
    createResponse: (input: CreateResponseInput) =>
      api.request<CannedResponse>('/responses', { method: 'POST', body: input }),
    updateResponse: (id: string, input: UpdateResponseInput) =>
      api.request<CannedResponse>(responsePath(id), { method: 'PATCH', body: input }),
    deleteResponse: (id: string, version: number) =>
      api.request<void>(`${responsePath(id)}?version=${version}`, { method: 'DELETE' }),
    applyMacro: (ticketId: string, responseId: string, version: number) =>
      api.request<{ ticket: Ticket; article?: Article }>(`${ticketPath(ticketId)}/macro`, {
        method: 'POST',
        body: { responseId, version },
      }),
    bulk: (input: BulkInput) =>
      api.request<{ results: BulkResult[] }>('/tickets/bulk', { method: 'POST', body: input }),
    merge: (duplicateId: string, input: MergeInput) =>
      api.request<{ duplicate: Ticket; target: Ticket }>(`${ticketPath(duplicateId)}/merge`, {
        method: 'POST',
        body: input,
      }),
    listViews: () => api.request<{ items: SavedView[] }>('/views'),
    saveView: (input: SaveViewInput) => api.request<SavedView>('/views', { method: 'POST', body: input }),
    deleteView: (id: string) => api.request<void>(`/views/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  };
}

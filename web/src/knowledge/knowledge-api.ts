/**
 * The knowledge API as the portal sees it. Records and inputs are the server's own zod types,
 * imported type-only, so a renamed field fails the build rather than drift.
 */
import type {
  KnowledgeArticle,
  KnowledgeAuditEntry,
  KnowledgeFeedback,
  KnowledgeRevision,
  KnowledgeState,
} from '../../../functions/core/knowledge/knowledge.ts';
import type {
  CreateKnowledgeInput,
  KnowledgeListQuery,
  KnowledgeView,
  UpdateKnowledgeInput,
} from '../../../functions/core/knowledge/knowledge-service.ts';
import type { DiffLine } from '../../../functions/core/knowledge/line-diff.ts';
import type { Api } from '../shared/api.ts';
import type { Page } from '../shared/types.ts';

export type {
  Audience,
  KnowledgeArticle,
  KnowledgeAuditEntry,
  KnowledgeFeedback,
  KnowledgeRevision,
  KnowledgeState,
} from '../../../functions/core/knowledge/knowledge.ts';
export type { KnowledgeView } from '../../../functions/core/knowledge/knowledge-service.ts';
export type { DiffLine };

export interface RevisionDiff {
  readonly from: number;
  readonly to: number;
  readonly title: { readonly before: string; readonly after: string };
  readonly lines: readonly DiffLine[];
}

export const knowledgeStateLabels: Record<KnowledgeState, string> = {
  draft: 'Draft',
  review: 'In review',
  published: 'Published',
  retired: 'Retired',
};

/** The API path of an article (its files hang under it too). */
export const articlePath = (id: string) => `/knowledge/${encodeURIComponent(id)}`;

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]])),
  ).toString();

export function knowledgeApi(api: Api) {
  return {
    list: (params: Omit<KnowledgeListQuery, 'limit'> & { limit?: number }) =>
      api.request<Page<KnowledgeArticle>>(`/knowledge?${query(params)}`),
    get: (id: string) => api.request<KnowledgeView>(articlePath(id)),
    create: (input: CreateKnowledgeInput) =>
      api.request<KnowledgeArticle>('/knowledge', { method: 'POST', body: input }),
    update: (id: string, input: UpdateKnowledgeInput) =>
      api.request<KnowledgeArticle>(articlePath(id), { method: 'PATCH', body: input }),
    fromTicket: (ticketId: string) =>
      api.request<KnowledgeArticle>(`/knowledge/from-ticket/${encodeURIComponent(ticketId)}`, {
        method: 'POST',
      }),
    revisions: (id: string) => api.request<Page<KnowledgeRevision>>(`${articlePath(id)}/revisions`),
    diff: (id: string, from: number, to: number) =>
      api.request<RevisionDiff>(`${articlePath(id)}/revisions/${from}/diff/${to}`),
    history: (id: string) => api.request<Page<KnowledgeAuditEntry>>(`${articlePath(id)}/history`),
    feedback: (id: string) => api.request<Page<KnowledgeFeedback>>(`${articlePath(id)}/feedback`),
    uploadImage: (id: string, file: File) => api.uploadFile(articlePath(id), file),
    imageUrl: (id: string, attachmentId: string) => api.fileUrl(articlePath(id), attachmentId),
  };
}
export type KnowledgeApi = ReturnType<typeof knowledgeApi>;

/**
 * The problem management API, as the portal sees it. Records and inputs are the server's own
 * zod types, imported type-only, so a renamed field fails the build rather than drift.
 */
import type {
  KnownError,
  Problem,
  ProblemArticle,
  ProblemAuditEntry,
  ProblemState,
  ProblemSuggestion,
} from '../../../functions/core/problem/problem.ts';
import type {
  CreateProblemInput,
  MoveProblemInput,
  ProblemView,
  UpdateProblemInput,
} from '../../../functions/core/problem/problem-service.ts';
import type { RecordRef } from '../../../functions/core/record/record.ts';
import type { Api } from '../shared/api.ts';
import type { Page } from '../shared/types.ts';

export type {
  KnownError,
  Problem,
  ProblemArticle,
  ProblemAuditEntry,
  ProblemState,
  ProblemSuggestion,
} from '../../../functions/core/problem/problem.ts';
export type { ProblemView } from '../../../functions/core/problem/problem-service.ts';
export type { RecordRef } from '../../../functions/core/record/record.ts';

export const problemStateLabels: Record<ProblemState, string> = {
  new: 'New',
  assess: 'Assess',
  root_cause_analysis: 'Root-cause analysis',
  fix_in_progress: 'Fix in progress',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** The button that moves a problem into a state. */
export const problemMoveLabels: Record<ProblemState, string> = {
  new: 'Back to new',
  assess: 'Start assessing',
  root_cause_analysis: 'Analyse the root cause',
  fix_in_progress: 'Start the fix',
  resolved: 'Resolve',
  closed: 'Close',
  cancelled: 'Cancel problem',
};

const path = (id: string) => `/problems/${encodeURIComponent(id)}`;
const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  ).toString();

export interface IncidentLinked {
  readonly problem: RecordRef;
  readonly incident: RecordRef;
  readonly linked: boolean;
}

export function problemApi(api: Api) {
  return {
    list: (params: { state?: ProblemState; group?: string; cursor?: string }) =>
      api.request<Page<Problem>>(`/problems?${query(params)}`),
    get: (id: string) => api.request<ProblemView>(path(id)),
    byNumber: (number: string) => api.request<Problem>(`/problems/by-number/${encodeURIComponent(number)}`),
    create: (input: CreateProblemInput) => api.request<Problem>('/problems', { method: 'POST', body: input }),
    update: (id: string, input: UpdateProblemInput) =>
      api.request<Problem>(path(id), { method: 'PATCH', body: input }),
    move: (id: string, input: MoveProblemInput) =>
      api.request<Problem>(`${path(id)}/transitions`, { method: 'POST', body: input }),
    addNote: (id: string, type: 'note' | 'reply', body: string) =>
      api.request<ProblemArticle>(`${path(id)}/articles`, { method: 'POST', body: { type, body } }),
    history: (id: string) => api.request<Page<ProblemAuditEntry>>(`${path(id)}/history`),
    linkIncident: (id: string, number: string) =>
      api.request<IncidentLinked>(`${path(id)}/incidents`, { method: 'POST', body: { number } }),
    unlinkIncident: (id: string, ticketId: string) =>
      api.request<void>(`${path(id)}/incidents/${encodeURIComponent(ticketId)}`, { method: 'DELETE' }),
    linkChange: (id: string, number: string) =>
      api.request<unknown>(`${path(id)}/changes`, { method: 'POST', body: { number } }),
    ofTicket: (ticketId: string) =>
      api.request<{ problem?: Problem; knownError?: KnownError }>(
        `/tickets/${encodeURIComponent(ticketId)}/problem`,
      ),
    linkTicket: (ticketId: string, problemId: string, insertWorkaround: boolean) =>
      api.request<IncidentLinked>(`/tickets/${encodeURIComponent(ticketId)}/problem`, {
        method: 'POST',
        body: { problemId, insertWorkaround },
      }),
    knownErrors: (params: { ticketId?: string; q?: string; service?: string; category?: string }) =>
      api.request<{ items: KnownError[] }>(`/known-errors?${query(params)}`),
    suggestions: () => api.request<Page<ProblemSuggestion>>('/problem-suggestions'),
  };
}
export type ProblemApi = ReturnType<typeof problemApi>;

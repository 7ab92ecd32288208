/**
 * The change management API, as the portal sees it. The records are the server's own zod types,
 * imported type-only: nothing of the server is bundled, and a renamed field fails the build.
 */
import type { StepId } from '../../../functions/core/change/approval.ts';
import type {
  Change,
  ChangeAuditEntry,
  ChangeState,
  ChangeSummary,
  ChangeTemplate,
  FreezeWindow,
} from '../../../functions/core/change/change.ts';
import type { ChangeView } from '../../../functions/core/change/change-service.ts';
import { allowedNext } from '../../../functions/core/change/lifecycle.ts';
import type { RiskQuestionnaire } from '../../../functions/core/change/risk.ts';
import type { ChangeConflict } from '../../../functions/core/change/schedule.ts';
import type { ChangeCalendar } from '../../../functions/core/change/schedule-service.ts';
import type { InboxEntry } from '../../../functions/ports/change-store.ts';
import { type Api, ApiError } from '../shared/api.ts';
import type { FieldError, Page } from '../shared/types.ts';

export type { ApprovalStep, StepId } from '../../../functions/core/change/approval.ts';
export type { LinkPreview } from '../../../functions/core/change/approval-links.ts';
export type {
  Change,
  ChangeState,
  ChangeSummary,
  ChangeTemplate,
  ChangeType,
  FreezeWindow,
  RiskLevel,
} from '../../../functions/core/change/change.ts';
export type { ChangeView } from '../../../functions/core/change/change-service.ts';
export type { InboxEntry } from '../../../functions/ports/change-store.ts';
export type Conflict = ChangeConflict;
export type Questionnaire = RiskQuestionnaire;
/** A change's history entry as the API lists it. */
export type { ChangeAuditEntry as AuditEntry } from '../../../functions/core/change/change.ts';

const path = (id: string) => `/changes/${encodeURIComponent(id)}`;
const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

export function changeApi(api: Api) {
  return {
    list: (params: { list: 'mine' | 'state'; state?: ChangeState; cursor?: string }) =>
      api.request<Page<ChangeSummary>>(`/changes?${query(params)}`),
    get: (id: string) => api.request<ChangeView>(path(id)),
    create: (change: Record<string, unknown>) =>
      api.request<Change>('/changes', { method: 'POST', body: change }),
    update: (id: string, change: Record<string, unknown>) =>
      api.request<Change>(path(id), { method: 'PATCH', body: change }),
    move: (
      id: string,
      move: { version: number; to: ChangeState; reason?: string; closeCode?: string; closeNotes?: string },
    ) => api.request<Change>(`${path(id)}/transitions`, { method: 'POST', body: move }),
    history: (id: string) => api.request<Page<ChangeAuditEntry>>(`${path(id)}/history`),
    decide: (id: string, step: StepId, decision: 'approved' | 'rejected', comment?: string) =>
      api.request<{ settled: boolean }>(`${path(id)}/approvals/${step}/decisions`, {
        method: 'POST',
        body: { decision, ...(comment ? { comment } : {}) },
      }),
    inbox: () => api.request<Page<InboxEntry>>('/approvals'),
    calendar: (from: string, to: string) =>
      api.request<ChangeCalendar>(`/change-calendar?${query({ from, to })}`),
    questionnaire: () => api.request<Questionnaire>('/change-risk-questionnaire'),
    templates: () => api.request<ChangeTemplate[]>('/change-templates'),
    freezes: () => api.request<FreezeWindow[]>('/freeze-windows'),
    createFreeze: (freeze: {
      name: string;
      reason?: string;
      start: string;
      end: string;
      services?: string[];
    }) => api.request<FreezeWindow>('/freeze-windows', { method: 'POST', body: freeze }),
    deleteFreeze: (id: string) =>
      api.request<void>(`/freeze-windows/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  };
}
export type ChangeApi = ReturnType<typeof changeApi>;

/**
 * The mailed approval link's two calls. They run without a session: the signed, single-use
 * token in the link is the credential, so an approver can decide from a phone's mail app.
 */
export async function linkCall<T>(
  apiBase: string,
  token: string,
  body?: { comment?: string; score?: number },
  /** Whose links: change approvals', catalog requests', release go/no-go's or satisfaction surveys'. */
  route:
    | 'approval-links'
    | 'request-approval-links'
    | 'release-approval-links'
    | 'satisfaction-links' = 'approval-links',
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiBase}/${route}/${encodeURIComponent(token)}`, {
      method: body ? 'POST' : 'GET',
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'Spoke could not be reached. Check your connection and try again.');
  }
  const parsed = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string; fields?: FieldError[] } }
    | undefined;
  if (response.ok) return parsed as T;
  throw new ApiError(
    response.status,
    parsed?.error?.code ?? 'error',
    response.status < 500 && parsed?.error?.message
      ? parsed.error.message
      : 'Spoke could not complete this right now.',
  );
}

export const changeStateLabels: Record<ChangeState, string> = {
  new: 'New',
  assess: 'Assess',
  authorize: 'Awaiting approval',
  scheduled: 'Scheduled',
  implement: 'Implementing',
  review: 'Review',
  closed: 'Closed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  failed: 'Failed',
  backed_out: 'Backed out',
};

export const stepLabels: Record<StepId, string> = {
  manager: 'Group manager',
  cab: 'Change advisory board',
  service_owner: 'Service owner',
  ecab: 'Emergency CAB',
};

/** What a person may do next: the server's own lifecycle rules (authorize is left by the workflow only). */
export const nextChangeStates = (change: Pick<Change, 'type' | 'state'>): readonly ChangeState[] =>
  allowedNext(change.type, change.state, 'person');

export const moveLabels: Partial<Record<ChangeState, string>> = {
  assess: 'Start assessment',
  authorize: 'Submit for approval',
  scheduled: 'Schedule',
  implement: 'Start implementation',
  review: 'Move to review',
  failed: 'Mark failed',
  backed_out: 'Mark backed out',
  closed: 'Close',
  cancelled: 'Cancel change',
};

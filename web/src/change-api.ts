import { allowedNext } from '../../functions/core/change/lifecycle.ts';
import { type Api, ApiError } from './api.ts';
import type { FieldError, Page } from './types.ts';

/** The change management API, as the portal sees it (the server's zod schemas are the truth). */
export type ChangeType = 'standard' | 'normal' | 'emergency';
export type ChangeState =
  | 'new'
  | 'assess'
  | 'authorize'
  | 'scheduled'
  | 'implement'
  | 'review'
  | 'closed'
  | 'rejected'
  | 'cancelled'
  | 'failed'
  | 'backed_out';
export type RiskLevel = 'low' | 'medium' | 'high';
export type StepId = 'manager' | 'cab' | 'service_owner' | 'ecab';

export interface Change {
  id: string;
  number: string;
  type: ChangeType;
  templateId?: string;
  shortDescription: string;
  description: string;
  justification: string;
  implementationPlan: string;
  backoutPlan: string;
  testPlan: string;
  plannedStart: string;
  plannedEnd: string;
  services: string[];
  configurationItems: string[];
  assignmentGroup: string;
  requester: { email: string; name?: string };
  state: ChangeState;
  risk: {
    score?: number;
    assessed?: RiskLevel;
    answers: Record<string, string>;
    override?: { level: RiskLevel; reason: string; by: { email: string }; at: string };
  };
  approval: { status: string; route?: string; decidedAt?: string };
  freezeJustification?: string;
  closeCode?: string;
  closeNotes?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A change in a list or on the calendar: without its long texts (the change page has them). */
export type ChangeSummary = Omit<
  Change,
  'description' | 'justification' | 'implementationPlan' | 'backoutPlan' | 'testPlan' | 'closeNotes'
>;

export interface ApprovalStep {
  step: StepId;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  round: 'request' | 'reminder' | 'escalation';
  quorum: { rule: 'any' | 'all' } | { rule: 'n_of_m'; n: number };
  approvers: string[];
  escalationApprovers: string[];
  decisions: {
    by: { email: string };
    decision: 'approved' | 'rejected';
    comment: string;
    at: string;
    via: string;
  }[];
  requestedAt: string;
  decidedAt?: string;
}

export interface Conflict {
  changeId: string;
  number: string;
  shared: string[];
}

export interface FreezeWindow {
  id: string;
  name: string;
  reason: string;
  start: string;
  end: string;
  services: string[];
}

export interface ChangeView {
  change: Change;
  steps: ApprovalStep[];
  conflicts: Conflict[];
  freezes: FreezeWindow[];
}

export interface InboxEntry {
  changeId: string;
  number: string;
  shortDescription: string;
  type: ChangeType;
  risk?: RiskLevel;
  step: StepId;
  round: string;
  plannedStart: string;
  plannedEnd: string;
  requester: string;
  requestedAt: string;
}

export interface Questionnaire {
  questions: { id: string; text: string; options: { id: string; label: string; weight: number }[] }[];
  thresholds: { low: number; medium: number };
}

export interface ChangeTemplate {
  id: string;
  name: string;
  shortDescription: string;
  assignmentGroup: string;
  services: string[];
}

export interface AuditEntry {
  at: string;
  actor: { email: string };
  field: string;
  oldValue?: unknown;
  newValue?: unknown;
  reason?: string;
}

export interface LinkPreview {
  link: {
    changeId: string;
    step: StepId;
    approver: string;
    decision: 'approved' | 'rejected';
    expiresAt: string;
  };
  change: {
    number: string;
    shortDescription: string;
    type: ChangeType;
    plannedStart: string;
    plannedEnd: string;
    requester: string;
  };
  status: string;
}

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
    history: (id: string) => api.request<Page<AuditEntry>>(`${path(id)}/history`),
    decide: (id: string, step: StepId, decision: 'approved' | 'rejected', comment?: string) =>
      api.request<{ settled: boolean }>(`${path(id)}/approvals/${step}/decisions`, {
        method: 'POST',
        body: { decision, ...(comment ? { comment } : {}) },
      }),
    inbox: () => api.request<Page<InboxEntry>>('/approvals'),
    calendar: (from: string, to: string) =>
      api.request<{ changes: (ChangeSummary & { conflicts: Conflict[] })[]; freezes: FreezeWindow[] }>(
        `/change-calendar?${query({ from, to })}`,
      ),
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
export async function linkCall<T>(apiBase: string, token: string, body?: { comment?: string }): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiBase}/approval-links/${encodeURIComponent(token)}`, {
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

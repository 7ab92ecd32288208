/**
 * The release management API, as the portal sees it. Records and inputs are the server's own
 * zod types, imported type-only, so a renamed field fails the build rather than drift.
 */

import type { Release, ReleaseAuditEntry, ReleaseStage } from '../../../functions/core/release/release.ts';
import type { ReleaseNotes } from '../../../functions/core/release/release-notes.ts';
import type { CreateReleaseInput, ReleaseView } from '../../../functions/core/release/release-service.ts';
import type { Api } from '../shared/api.ts';
import type { Page } from '../shared/types.ts';

export type { Release, ReleaseStage } from '../../../functions/core/release/release.ts';
export type { ReleaseNotes } from '../../../functions/core/release/release-notes.ts';
export type { ReleaseView } from '../../../functions/core/release/release-service.ts';

export const releaseStageLabels: Record<ReleaseStage, string> = {
  plan: 'Plan',
  build: 'Build',
  test: 'Test',
  deploy: 'Deploy',
  review: 'Review',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** The button that moves a release into a stage. */
export const releaseMoveLabels: Record<ReleaseStage, string> = {
  plan: 'Back to plan',
  build: 'Start building',
  test: 'Start testing',
  deploy: 'Deploy',
  review: 'Review',
  closed: 'Close',
  cancelled: 'Cancel release',
};

export const goNoGoLabels: Record<Release['goNoGo']['status'], string> = {
  not_requested: 'Not asked yet',
  pending: 'Waiting for a decision',
  approved: 'Go',
  rejected: 'No-go',
  expired: 'Expired (nobody decided)',
  cancelled: 'Cancelled',
};

const path = (id: string) => `/releases/${encodeURIComponent(id)}`;

export function releaseApi(api: Api) {
  return {
    list: (stage: ReleaseStage, cursor?: string) =>
      api.request<Page<Release>>(
        `/releases?${new URLSearchParams({ stage, ...(cursor ? { cursor } : {}) })}`,
      ),
    get: (id: string) => api.request<ReleaseView>(path(id)),
    create: (input: CreateReleaseInput) => api.request<Release>('/releases', { method: 'POST', body: input }),
    move: (
      id: string,
      input: { version: number; to: ReleaseStage; cancelReason?: string; closeNotes?: string },
    ) => api.request<Release>(`${path(id)}/transitions`, { method: 'POST', body: input }),
    addChange: (id: string, number: string) =>
      api.request<unknown>(`${path(id)}/changes`, { method: 'POST', body: { number } }),
    removeChange: (id: string, changeId: string) =>
      api.request<void>(`${path(id)}/changes/${encodeURIComponent(changeId)}`, { method: 'DELETE' }),
    askGoNoGo: (id: string, version: number) =>
      api.request<Release>(`${path(id)}/go-no-go`, { method: 'POST', body: { version } }),
    decide: (id: string, decision: 'approved' | 'rejected', comment: string) =>
      api.request<unknown>(`${path(id)}/go-no-go/decision`, {
        method: 'POST',
        body: { decision, ...(comment ? { comment } : {}) },
      }),
    notes: (id: string) => api.request<ReleaseNotes>(`${path(id)}/notes`),
    history: (id: string) => api.request<Page<ReleaseAuditEntry>>(`${path(id)}/history`),
    calendar: (from: string, to: string) =>
      api.request<{ releases: Release[] }>(`/release-calendar?${new URLSearchParams({ from, to })}`),
  };
}
export type ReleaseApi = ReturnType<typeof releaseApi>;

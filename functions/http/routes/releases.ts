import * as z from 'zod';
import { ChangeSummary } from '#core/change/change.ts';
import { RecordRef } from '#core/record/record.ts';
import {
  decideGoNoGo,
  decideGoNoGoByLink,
  GoNoGoDecideInput,
  previewGoNoGoLink,
  RequestGoNoGoInput,
  requestGoNoGo,
} from '#core/release/go-no-go.ts';
import { PipelineRun, PipelineToken } from '#core/release/pipeline.ts';
import {
  askGate,
  authenticatePipeline,
  CreateTokenInput,
  type GateDeps,
  GateOutcomeInput,
  GateQuestionInput,
  issuePipelineToken,
  listPipelines,
  pipelineRuns,
  recordOutcome,
  revokePipelineToken,
} from '#core/release/pipeline-gate.ts';
import { GoNoGoStep, Release, ReleaseAuditEntry, ReleaseStage } from '#core/release/release.ts';
import { releaseNotes } from '#core/release/release-notes.ts';
import {
  addReleaseChange,
  CreateReleaseInput,
  createRelease,
  findReleaseByNumber,
  listReleases,
  MoveReleaseInput,
  moveRelease,
  ReleaseCalendarQuery,
  ReleaseChangeInput,
  type ReleaseDeps,
  ReleaseListQuery,
  releaseCalendar,
  releaseHistory,
  removeReleaseChange,
  UpdateReleaseInput,
  updateRelease,
  viewRelease,
} from '#core/release/release-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const Pipeline = z.string().min(1).max(100);
const LinkToken = z.string().min(10).max(2400);
const LinkBody = z.strictObject({ comment: z.string().trim().max(2000).optional() });
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const ReleaseView = z.object({
  release: Release,
  changes: z.array(ChangeSummary),
  goNoGo: GoNoGoStep.optional(),
  nextStages: z.array(ReleaseStage),
  mayManage: z.boolean(),
  mayDecide: z.boolean(),
});
const NoteItem = z.object({
  number: z.string(),
  title: z.string(),
  via: z.string().optional(),
  detail: z.string().optional(),
});
const ReleaseNotes = z.object({
  release: Release.pick({
    id: true,
    number: true,
    name: true,
    versionLabel: true,
    stage: true,
    plannedStart: true,
    plannedEnd: true,
  }),
  changes: z.array(NoteItem),
  problems: z.array(NoteItem),
  incidents: z.array(NoteItem),
  markdown: z.string(),
});
const GateAnswer = z.object({
  decision: z.enum(['go', 'wait']),
  reason: z.string(),
  change: RecordRef.optional(),
  release: RecordRef.optional(),
});

const tags = ['Releases'];
const gateTags = ['Pipeline gate'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...errors, 409: ErrorBody };

/**
 * Release management: releases, their stages, changes, go/no-go and notes, the release calendar;
 * and the pipeline gate for CI/CD other than CodePipeline, authenticated by a per-pipeline token
 * (stored hashed) instead of a person's sign-in.
 */
export function releaseRoutes(deps: { readonly release: ReleaseDeps; readonly gate: GateDeps }): Route[] {
  const { release, gate } = deps;
  return [
    {
      method: 'POST',
      path: '/api/releases',
      docs: {
        summary: 'Plan a release (change managers and admins)',
        tags,
        body: CreateReleaseInput,
        responses: { 201: Release, ...writeErrors },
      },
      async handle({ event, body }) {
        const created = await createRelease(release, actorFromEvent(event), (body ?? {}) as never);
        return json(201, created, { location: `/api/releases/${created.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/releases',
      docs: {
        summary: 'List releases in one stage (default plan), most recently updated first',
        tags,
        query: ReleaseListQuery,
        responses: { 200: page(Release), ...errors },
      },
      async handle({ event }) {
        return json(
          200,
          await listReleases(release, actorFromEvent(event), (event.queryStringParameters ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/release-calendar',
      docs: {
        summary: 'Releases whose planned window meets the range (at most 92 days)',
        tags,
        query: ReleaseCalendarQuery,
        responses: { 200: z.object({ releases: z.array(Release) }), ...errors },
      },
      async handle({ event }) {
        return json(
          200,
          await releaseCalendar(release, actorFromEvent(event), (event.queryStringParameters ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/releases/by-number/{number}',
      docs: {
        summary: 'Find a release by its number, e.g. RLS0001001',
        tags,
        responses: { 200: Release, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findReleaseByNumber(release, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/releases/{id}',
      docs: {
        summary: 'A release with its changes, its go/no-go step and where the caller may move it',
        tags,
        responses: { 200: ReleaseView, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await viewRelease(release, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/releases/{id}',
      docs: {
        summary: 'Change a release’s plan (in plan, build or test); a stale version gets 409',
        tags,
        body: UpdateReleaseInput,
        responses: { 200: Release, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await updateRelease(release, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/releases/{id}/transitions',
      docs: {
        summary:
          'Move a release to its next stage (deploy needs an approved go; cancel a reason; close notes)',
        tags,
        body: MoveReleaseInput,
        responses: { 200: Release, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await moveRelease(release, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/releases/{id}/changes',
      docs: {
        summary: 'Add a change (by id or number) to the release; a change belongs to one release at most',
        tags,
        body: ReleaseChangeInput,
        responses: {
          200: z.object({ release: RecordRef, change: RecordRef, linked: z.boolean() }),
          ...writeErrors,
        },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await addReleaseChange(release, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/releases/{id}/changes/{changeId}',
      docs: { summary: 'Remove a change from the release', tags, responses: { 204: undefined, ...errors } },
      async handle({ event, params }) {
        await removeReleaseChange(
          release,
          actorFromEvent(event),
          Id.parse(params.id),
          Id.parse(params.changeId),
        );
        return json(204, undefined);
      },
    },
    {
      method: 'GET',
      path: '/api/releases/{id}/history',
      docs: {
        summary: 'A release’s audit trail, oldest first',
        tags,
        query: CursorQuery,
        responses: { 200: page(ReleaseAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await releaseHistory(release, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/releases/{id}/notes',
      docs: {
        summary: 'Release notes from the linked changes, the problems they fix and those problems’ incidents',
        tags,
        responses: { 200: ReleaseNotes, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await releaseNotes(release, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'POST',
      path: '/api/releases/{id}/go-no-go',
      docs: {
        summary: 'Ask the go/no-go group for a decision (in test): starts the go/no-go workflow',
        tags,
        body: RequestGoNoGoInput,
        responses: { 200: Release, ...writeErrors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await requestGoNoGo(release, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/releases/{id}/go-no-go/decision',
      docs: {
        summary: 'Decide go (approved) or no-go (rejected), as a member of the go/no-go group',
        tags,
        body: GoNoGoDecideInput,
        responses: {
          200: z.object({ step: GoNoGoStep, settled: z.boolean() }),
          ...writeErrors,
          410: ErrorBody,
        },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await decideGoNoGo(release, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/release-approval-links/{token}',
      public: true,
      docs: {
        summary: 'What a mailed go/no-go link would decide, for its confirmation page (does not decide)',
        tags,
        responses: { 200: z.unknown(), 404: ErrorBody, 410: ErrorBody },
      },
      async handle({ params }) {
        return json(200, await previewGoNoGoLink(release, LinkToken.parse(params.token)));
      },
    },
    {
      method: 'POST',
      path: '/api/release-approval-links/{token}',
      public: true,
      docs: {
        summary:
          'Decide a go/no-go through a mailed link: single-use, expiring, signed (409 used, 410 expired)',
        tags,
        body: LinkBody,
        responses: {
          200: z.object({ step: GoNoGoStep, settled: z.boolean() }),
          ...writeErrors,
          410: ErrorBody,
        },
      },
      async handle({ params, body }) {
        return json(
          200,
          await decideGoNoGoByLink(release, LinkToken.parse(params.token), LinkBody.parse(body ?? {})),
        );
      },
    },
    // ——— the pipeline gate ———
    {
      method: 'POST',
      path: '/api/pipeline-gate/{pipeline}/runs',
      public: true,
      docs: {
        summary:
          'Ask the gate before deploying (Authorization: Bearer <pipeline token>): go records a standard change; wait names why',
        tags: gateTags,
        body: GateQuestionInput,
        responses: { 200: GateAnswer, 400: ErrorBody, 401: ErrorBody },
      },
      async handle({ event, params, body }) {
        const config = await authenticatePipeline(
          gate,
          Pipeline.parse(params.pipeline),
          event.headers.authorization,
        );
        const input = GateQuestionInput.parse(body ?? {});
        return json(200, await askGate(gate, { pipeline: config.name, via: 'api', ...input }));
      },
    },
    {
      method: 'POST',
      path: '/api/pipeline-gate/{pipeline}/runs/{executionId}/outcome',
      public: true,
      docs: {
        summary:
          'Report how the deployment ended (pipeline token): succeeded closes its change, failed or stopped fails it',
        tags: gateTags,
        body: GateOutcomeInput,
        responses: { 200: z.unknown(), 400: ErrorBody, 401: ErrorBody },
      },
      async handle({ event, params, body }) {
        const config = await authenticatePipeline(
          gate,
          Pipeline.parse(params.pipeline),
          event.headers.authorization,
        );
        const { outcome } = GateOutcomeInput.parse(body ?? {});
        return json(
          200,
          await recordOutcome(
            gate,
            config.name,
            z.string().min(1).max(128).parse(params.executionId),
            outcome,
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/pipelines',
      docs: {
        summary: 'The configured pipelines with their latest gate runs (and, for admins, their tokens)',
        tags: gateTags,
        responses: { 200: z.object({ items: z.array(z.unknown()) }), ...errors },
      },
      async handle({ event }) {
        return json(200, { items: await listPipelines(gate, actorFromEvent(event)) });
      },
    },
    {
      method: 'POST',
      path: '/api/pipelines/{pipeline}/tokens',
      docs: {
        summary:
          'Issue an API token for a configured pipeline (admins); the token is shown once, only its hash is kept',
        tags: gateTags,
        body: CreateTokenInput,
        responses: { 201: z.object({ token: z.string(), stored: PipelineToken }), ...errors },
      },
      async handle({ event, params, body }) {
        return json(
          201,
          await issuePipelineToken(
            gate,
            actorFromEvent(event),
            Pipeline.parse(params.pipeline),
            (body ?? {}) as never,
          ),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/pipelines/{pipeline}/tokens/{hash}',
      docs: {
        summary: 'Revoke a pipeline token (admins)',
        tags: gateTags,
        responses: { 204: undefined, ...errors },
      },
      async handle({ event, params }) {
        await revokePipelineToken(
          gate,
          actorFromEvent(event),
          Pipeline.parse(params.pipeline),
          z
            .string()
            .regex(/^[a-f0-9]{64}$/)
            .parse(params.hash),
        );
        return json(204, undefined);
      },
    },
    {
      method: 'GET',
      path: '/api/pipelines/{pipeline}/runs',
      docs: {
        summary: 'A pipeline’s gate runs, newest first',
        tags: gateTags,
        query: CursorQuery,
        responses: { 200: page(PipelineRun), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(
          200,
          await pipelineRuns(gate, actorFromEvent(event), Pipeline.parse(params.pipeline), cursor),
        );
      },
    },
  ];
}

import * as z from 'zod';
import { PipelineRun, PipelineToken } from '#core/release/pipeline.ts';
import { GoNoGoStep, Release, ReleaseAuditEntry } from '#core/release/release.ts';
import { AUDIT_SK, auditN } from './entities.ts';
import { defineEntity } from './entity.ts';

/** The release and pipeline-gate entities (see `entities.ts` for the conventions, `entity-list.ts` for the list). */

export const releaseEntity = /* @__PURE__ */ defineEntity({
  name: 'release',
  version: 1,
  table: 'domain',
  schema: Release,
  indexes: {
    primary: { pk: 'RELEASE#{id}', sk: '#RELEASE' },
    gsi2: { pk: 'RELEASES#{stage}', sk: '{updatedAt}#{id}' },
    // Filed under the month its window starts; windows are at most MAX_RELEASE_WINDOW_DAYS.
    gsi3: { pk: 'RELEASE_CALENDAR#{month}', sk: '{plannedStart}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'release' },
  },
  facets: (release) => ({
    id: release.id,
    updatedAt: release.updatedAt,
    stage: release.stage,
    month: release.plannedStart.slice(0, 7),
    plannedStart: release.plannedStart,
    number: release.number,
  }),
});

export const releaseAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'release-audit',
  version: 1,
  table: 'domain',
  schema: ReleaseAuditEntry,
  indexes: { primary: { pk: 'RELEASE#{releaseId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    releaseId: entry.releaseId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

/** The task token of the waiting round is kept with the step and never leaves the store. */
export const StoredGoNoGoStep = GoNoGoStep.extend({ taskToken: z.string().max(8192).optional() });
export const goNoGoStepEntity = /* @__PURE__ */ defineEntity({
  name: 'go-no-go-step',
  version: 1,
  table: 'domain',
  schema: StoredGoNoGoStep,
  indexes: { primary: { pk: 'RELEASE#{releaseId}', sk: 'GO_NO_GO#{attempt}' } },
  facets: (step) => ({ releaseId: step.releaseId, attempt: String(step.attempt).padStart(3, '0') }),
});

export const pipelineRunEntity = /* @__PURE__ */ defineEntity({
  name: 'pipeline-run',
  version: 1,
  table: 'domain',
  schema: PipelineRun,
  indexes: {
    primary: { pk: 'PIPELINE_RUN#{pipeline}#{executionId}', sk: '#RUN' },
    gsi1: { pk: 'PIPELINE_RUNS#{pipeline}', sk: '{decidedAt}#{executionId}' },
  },
  facets: (run) => ({ pipeline: run.pipeline, executionId: run.executionId, decidedAt: run.decidedAt }),
});

export const pipelineTokenEntity = /* @__PURE__ */ defineEntity({
  name: 'pipeline-token',
  version: 1,
  table: 'domain',
  schema: PipelineToken,
  indexes: {
    primary: { pk: 'PIPELINE_TOKEN#{hash}', sk: '#TOKEN' },
    gsi1: { pk: 'PIPELINE_TOKENS#{pipeline}', sk: '{createdAt}#{hash}' },
  },
  facets: (token) => ({ hash: token.hash, pipeline: token.pipeline, createdAt: token.createdAt }),
});

export const releaseEntities = [
  releaseEntity,
  releaseAuditEntity,
  goNoGoStepEntity,
  pipelineRunEntity,
  pipelineTokenEntity,
] as const;

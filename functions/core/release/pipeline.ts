import * as z from 'zod';
import { ActorRef, Label, RecordNumber } from '../record/record.ts';

/**
 * Deployment pipelines as standard changes: a pipeline asks the gate before it deploys; the
 * gate records a standard change from the pipeline's template, checks freeze windows and
 * conflicts, and answers go or wait. Each answer is a pipeline run, closed later by the
 * pipeline's execution outcome.
 */
export const PipelineName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only (a CodePipeline name)');

export const AccountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

/** One pipeline the gate knows, from the stack's config: what it deploys and where it lives. */
export const PipelineConfig = z.strictObject({
  name: PipelineName,
  /** The account the pipeline runs in; a CodePipeline job from any other account is refused. */
  account: AccountId.optional(),
  /** The standard change template its deployments are recorded under (CIs, services, plans). */
  template: z.string().min(1).max(64),
  /** The release its deployments belong to (`RLS…`): the gate then waits until that release is in deploy. */
  release: RecordNumber.optional(),
  /** How long a deployment's window is on the change calendar. @default 60 */
  windowMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});
export type PipelineConfig = z.infer<typeof PipelineConfig>;

export const GateDecision = z.enum(['go', 'wait']);
export type GateDecision = z.infer<typeof GateDecision>;

export const PipelineOutcome = z.enum(['succeeded', 'failed', 'stopped']);
export type PipelineOutcome = z.infer<typeof PipelineOutcome>;

/** One question of a pipeline to the gate, and its answer. */
export const PipelineRun = z.object({
  pipeline: PipelineName,
  executionId: z.string().min(1).max(128),
  decision: GateDecision,
  reason: z.string().max(2000),
  /** How the pipeline asked: a CodePipeline job or the API. */
  via: z.enum(['codepipeline', 'api']),
  commit: z.string().max(100).optional(),
  requestedBy: z.string().max(254).optional(),
  changeId: z.string().max(64).optional(),
  changeNumber: RecordNumber.optional(),
  releaseId: z.string().max(64).optional(),
  releaseNumber: RecordNumber.optional(),
  decidedAt: z.iso.datetime(),
  outcome: PipelineOutcome.optional(),
  outcomeAt: z.iso.datetime().optional(),
});
export type PipelineRun = z.infer<typeof PipelineRun>;

/** A pipeline's API token, as stored: only its SHA-256 hash, never the token. */
export const PipelineToken = z.object({
  hash: z.string().regex(/^[a-f0-9]{64}$/),
  pipeline: PipelineName,
  label: Label,
  createdAt: z.iso.datetime(),
  createdBy: ActorRef,
});
export type PipelineToken = z.infer<typeof PipelineToken>;

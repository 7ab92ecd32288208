import * as z from 'zod';
import { AccountId, PipelineName } from '#core/release/pipeline.ts';

/**
 * The two CodePipeline shapes the gate reads (fixtures in `test/fixtures/events/codepipeline/`):
 * the job event of a Lambda invoke action, and the EventBridge "CodePipeline Pipeline Execution
 * State Change" event. Only the fields the gate needs are read; `artifactCredentials` (temporary
 * credentials) is never parsed, kept or logged.
 */
export const CodePipelineJobEvent = z.object({
  'CodePipeline.job': z.object({
    id: z.string().min(1).max(128),
    accountId: AccountId,
    data: z.object({
      actionConfiguration: z.object({
        configuration: z.object({
          FunctionName: z.string(),
          UserParameters: z.string().max(1000).optional(),
        }),
      }),
    }),
  }),
});
export type CodePipelineJobEvent = z.infer<typeof CodePipelineJobEvent>;

/**
 * What the action's `UserParameters` carry (JSON), with CodePipeline variables resolved:
 * `{"pipeline":"web-deploy","executionId":"#{codepipeline.PipelineExecutionId}","commit":"#{SourceVariables.CommitId}"}`.
 */
export const GateUserParameters = z.strictObject({
  pipeline: PipelineName,
  executionId: z.string().trim().min(1).max(128),
  commit: z.string().trim().max(100).optional(),
  requestedBy: z.string().trim().max(254).optional(),
});

/** The user parameters of a job, or the reason they cannot be read (the gate then fails closed). */
export function gateParameters(
  job: CodePipelineJobEvent,
): { ok: true; value: z.infer<typeof GateUserParameters> } | { ok: false; reason: string } {
  const raw = job['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters;
  if (!raw)
    return {
      ok: false,
      reason:
        'The action has no UserParameters: give {"pipeline":…,"executionId":"#{codepipeline.PipelineExecutionId}"}',
    };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'UserParameters is not JSON' };
  }
  const parsed = GateUserParameters.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: `UserParameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
    };
  return { ok: true, value: parsed.data };
}

export const PipelineExecutionStateChange = z.object({
  'detail-type': z.literal('CodePipeline Pipeline Execution State Change'),
  source: z.literal('aws.codepipeline'),
  account: AccountId,
  time: z.string(),
  detail: z.object({
    pipeline: PipelineName,
    'execution-id': z.string().min(1).max(128),
    state: z.enum([
      'STARTED',
      'SUCCEEDED',
      'RESUMED',
      'FAILED',
      'CANCELED',
      'STOPPED',
      'STOPPING',
      'SUPERSEDED',
    ]),
  }),
});
export type PipelineExecutionStateChange = z.infer<typeof PipelineExecutionStateChange>;

/** The outcome a final state means for the change; none for a state on the way. */
export const outcomeOfState = (state: PipelineExecutionStateChange['detail']['state']) =>
  state === 'SUCCEEDED'
    ? ('succeeded' as const)
    : state === 'FAILED'
      ? ('failed' as const)
      : state === 'STOPPED' || state === 'SUPERSEDED' || state === 'CANCELED'
        ? ('stopped' as const)
        : undefined;

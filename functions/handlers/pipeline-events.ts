import { outcomeOfState, PipelineExecutionStateChange } from '#channels/codepipeline/events.ts';
import { telemetry } from '#config/composition-root.ts';
import { parseEnv, releaseFunctionEnv } from '#config/env.ts';
import { type ReleaseFunctionServices, releaseFunctionServices } from '#config/release.ts';
import { instrumented } from '#config/telemetry.ts';
import { recordOutcome } from '#core/release/pipeline-gate.ts';

/**
 * "CodePipeline Pipeline Execution State Change" events (this account's and the trusted
 * accounts' buses, through the rule in `infra/release.ts`): a final state closes or fails the
 * change the gate recorded for that execution and links it to the pipeline's release. An event
 * of another shape throws, so it is retried and then kept in the dead-letter queue with its body.
 */
export async function handlePipelineEvent(s: ReleaseFunctionServices, event: unknown) {
  const change = PipelineExecutionStateChange.parse(event);
  const outcome = outcomeOfState(change.detail.state);
  if (!outcome) return { skipped: `state ${change.detail.state} is not final` };
  const config = s.gate.config.find((p) => p.name === change.detail.pipeline);
  if (config?.account && config.account !== change.account)
    return {
      skipped: `${change.detail.pipeline} is configured for account ${config.account}, not ${change.account}`,
    };
  return recordOutcome(s.gate, change.detail.pipeline, change.detail['execution-id'], outcome);
}

let services: ReleaseFunctionServices | undefined;
const log = telemetry();

export const handler = instrumented(log, async (event: unknown) => {
  services ??= releaseFunctionServices(parseEnv(releaseFunctionEnv));
  const result = await handlePipelineEvent(services, event);
  log.info('pipeline execution', result);
  return result;
});

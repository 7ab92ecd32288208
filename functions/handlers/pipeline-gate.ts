import { CodePipelineJobEvent, gateParameters } from '#channels/codepipeline/events.ts';
import { telemetry } from '#config/composition-root.ts';
import { parseEnv, releaseFunctionEnv } from '#config/env.ts';
import { type ReleaseFunctionServices, releaseFunctionServices } from '#config/release.ts';
import { instrumented } from '#config/telemetry.ts';
import { askGate } from '#core/release/pipeline-gate.ts';

/**
 * The CodePipeline Lambda invoke action of the deployment gate: it asks the gate and answers the
 * job — go is `PutJobSuccessResult` (with the change number as output variable `CHANGE_NUMBER`),
 * wait is `PutJobFailureResult` with the reason, which the pipeline shows. It fails closed: user
 * parameters it cannot read are a failed job, never a passed one. An event without a job id
 * cannot be answered at all: it throws, so the asynchronous invocation retries and then lands in
 * the dead-letter queue with its body. The event is never logged (it carries credentials).
 */
export async function handleGateJob(s: ReleaseFunctionServices, event: unknown) {
  const job = CodePipelineJobEvent.parse(event);
  const { id: jobId, accountId } = job['CodePipeline.job'];
  const parameters = gateParameters(job);
  const answer = parameters.ok
    ? await askGate(s.gate, { ...parameters.value, via: 'codepipeline', account: accountId })
    : { decision: 'wait' as const, reason: parameters.reason };
  if (answer.decision === 'go')
    await s.jobs.succeed(jobId, answer.reason, {
      ...(answer.change ? { CHANGE_NUMBER: answer.change.number } : {}),
      ...(answer.release ? { RELEASE_NUMBER: answer.release.number } : {}),
    });
  else
    await s.jobs.fail(
      jobId,
      `Spoke says wait: ${answer.reason}`,
      parameters.ok ? parameters.value.executionId : jobId,
    );
  return {
    jobId,
    decision: answer.decision,
    reason: answer.reason,
    ...(answer.change ? { change: answer.change.number } : {}),
  };
}

let services: ReleaseFunctionServices | undefined;
const log = telemetry();

export const handler = instrumented(log, async (event: unknown) => {
  services ??= releaseFunctionServices(parseEnv(releaseFunctionEnv));
  const result = await handleGateJob(services, event);
  log.info('pipeline gate', result);
  return result;
});

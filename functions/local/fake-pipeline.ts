import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobResult } from './codepipeline.ts';
import { functionByEntry, LOCAL_ACCOUNT } from './local-template.ts';

/**
 * A pipeline that asks the local deployment gate exactly as CodePipeline does: it invokes the
 * gate function with a Lambda invoke action's job event (`UserParameters` carrying the pipeline,
 * the execution id and the commit), waits for the job result the function sends to CodePipeline's
 * API (the local stand-in, `codepipeline.ts`), then sends the execution's final state as the
 * "CodePipeline Pipeline Execution State Change" event the EventBridge rule would deliver.
 */
interface CloudForPipelines {
  readonly template: Parameters<typeof functionByEntry>[0];
  readonly functions: { invoke(logicalId: string, event: unknown): Promise<unknown> };
  readonly codepipeline: { result(jobId: string, timeoutMs?: number): Promise<JobResult> };
}

export interface PipelineAsk {
  readonly pipeline: string;
  readonly executionId?: string;
  readonly commit?: string;
  /** The account the job comes from. @default the local account */
  readonly account?: string;
}

export async function askLikeCodePipeline(cloud: CloudForPipelines, ask: PipelineAsk) {
  const gate = functionByEntry(cloud.template, 'functions/handlers/pipeline-gate.ts');
  const jobId = randomUUID();
  const executionId = ask.executionId ?? randomUUID();
  const started = performance.now();
  const event = {
    'CodePipeline.job': {
      id: jobId,
      accountId: ask.account ?? LOCAL_ACCOUNT,
      data: {
        actionConfiguration: {
          configuration: {
            FunctionName: gate.logicalId,
            UserParameters: JSON.stringify({
              pipeline: ask.pipeline,
              executionId,
              commit: ask.commit ?? randomUUID().slice(0, 8),
              requestedBy: 'fake-pipeline@spoke.localhost',
            }),
          },
        },
        inputArtifacts: [],
        outputArtifacts: [],
        artifactCredentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'local' },
      },
    },
  };
  // CodePipeline invokes asynchronously and waits for the job result, not for the function.
  const invoked = cloud.functions.invoke(gate.logicalId, event);
  const result = await cloud.codepipeline.result(jobId);
  await invoked;
  return { jobId, executionId, result, ms: performance.now() - started };
}

export async function finishLikeCodePipeline(
  cloud: CloudForPipelines,
  run: { pipeline: string; executionId: string; state: 'SUCCEEDED' | 'FAILED' | 'STOPPED'; account?: string },
) {
  const handler = functionByEntry(cloud.template, 'functions/handlers/pipeline-events.ts');
  return cloud.functions.invoke(handler.logicalId, {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CodePipeline Pipeline Execution State Change',
    source: 'aws.codepipeline',
    account: run.account ?? LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: cloud.template.region,
    resources: [`arn:aws:codepipeline:${cloud.template.region}:${LOCAL_ACCOUNT}:${run.pipeline}`],
    detail: { pipeline: run.pipeline, 'execution-id': run.executionId, state: run.state, version: 1 },
  });
}

const usage = `npm run pipeline:fake [-- --pipeline <name>] [-- --outcome succeeded|failed] [-- --runs <n>]

Starts a seeded local Spoke on free ports, then plays a CodePipeline pipeline: each run invokes
the gate function with a Lambda invoke job event, prints the job result (PutJobSuccessResult or
PutJobFailureResult with the reason) and sends the execution's final state event.
Default pipeline: the local config's first (wifi-firmware-rollout).`;

async function main() {
  const { values } = parseArgs({
    options: {
      pipeline: { type: 'string' },
      outcome: { type: 'string', default: 'succeeded' },
      runs: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(usage);
  const { startLocalCloud } = await import('./cloud.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-fake-pipeline-'));
  const cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  try {
    const gateEnv = cloud.functions.environment(
      functionByEntry(cloud.template, 'functions/handlers/pipeline-gate.ts').logicalId,
    );
    const pipeline =
      values.pipeline ?? (JSON.parse(gateEnv.PIPELINES ?? '[]') as { name: string }[])[0]?.name;
    if (!pipeline) throw new Error('No pipeline is configured (release.pipelines)');
    for (let run = 1; run <= Number(values.runs); run++) {
      const asked = await askLikeCodePipeline(cloud, { pipeline });
      const { result } = asked;
      console.log(
        `${pipeline} execution ${asked.executionId}: ${result.outcome === 'succeeded' ? 'PutJobSuccessResult (go)' : 'PutJobFailureResult (wait)'} in ${asked.ms.toFixed(0)} ms\n  ${result.message}${Object.keys(result.outputVariables).length ? `\n  output variables ${JSON.stringify(result.outputVariables)}` : ''}`,
      );
      if (result.outcome !== 'succeeded') continue;
      const state = values.outcome === 'failed' ? 'FAILED' : 'SUCCEEDED';
      const finished = await finishLikeCodePipeline(cloud, {
        pipeline,
        executionId: asked.executionId,
        state,
      });
      console.log(`  execution ${state}: ${JSON.stringify(finished)}`);
    }
  } finally {
    await cloud.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// The local cloud leaves timers of its emulators behind after stop(); a CLI run ends here.
if (import.meta.main) await main().then(() => process.exit(0));

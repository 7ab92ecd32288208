import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '#local/cloud.ts';
import { askLikeCodePipeline, finishLikeCodePipeline } from '#local/fake-pipeline.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * The deployment gate on the local product (issue 18): how long from CodePipeline invoking the
 * gate function with a job event until the job result (PutJobSuccessResult) reaches CodePipeline's
 * API — the gate decision latency — for a pipeline whose deployments are standard changes
 * (freeze windows and conflicts checked, the change recorded and moved to implement). Each run's
 * execution then succeeds, which closes its change, so the next run meets no conflict.
 */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

export async function runPipelineGate(options: SuiteOptions): Promise<SuiteResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-bench-gate-'));
  const cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  try {
    const pipeline = 'wifi-firmware-rollout';
    const runs = options.size === 'smoke' ? 4 : options.quick ? 15 : 50;
    const latencies: number[] = [];
    // One warm-up run: the first start of the gate function's worker is a cold start.
    for (let run = 0; run <= runs; run++) {
      const asked = await askLikeCodePipeline(cloud, { pipeline });
      if (asked.result.outcome !== 'succeeded')
        throw new Error(`The gate said wait on run ${run}: ${asked.result.message}`);
      if (run > 0) latencies.push(asked.ms);
      await finishLikeCodePipeline(cloud, { pipeline, executionId: asked.executionId, state: 'SUCCEEDED' });
    }
    const figures: Figure[] = [
      {
        name: 'gate decision latency p50 (job event → PutJobSuccessResult)',
        value: Number(percentile(latencies, 50).toFixed(0)),
        unit: 'ms',
        target: 1000,
      },
      { name: 'gate decision latency p95', value: Number(percentile(latencies, 95).toFixed(0)), unit: 'ms' },
    ];
    return {
      suite: 'pipeline-gate',
      figures,
      notes: [
        `${latencies.length} decisions measured one after another (after one warm-up), each recording a standard change; every execution then succeeds and closes its change.`,
      ],
    };
  } finally {
    await cloud.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

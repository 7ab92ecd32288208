import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventBusStandIn } from './event-bus-stand-in.ts';
import { bundle, coldStarts, handlerNames, startCloud, stopCloud } from './foundation.ts';
import { repoRoot } from './processes.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

const RUNS: Record<SuiteOptions['size'], number> = { full: 5, quick: 3, smoke: 1 };

/**
 * Every function's cold start as Lambda would see it, and nothing else: each handler bundled
 * as `SpokeFunction` deploys it, then imported in a fresh Node process and handed one first
 * event against the local cloud (which runs in a process of its own), against the 150 ms
 * budget. The `foundation` suite measures the same next to the other bundle variants; this
 * one is the short run to iterate on.
 */
export async function runColdStart(options: SuiteOptions): Promise<SuiteResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'spoke-bench-cold-'));
  const bundleDir = join(workDir, 'bundles');
  await mkdir(bundleDir, { recursive: true });
  await symlink(join(repoRoot, 'node_modules'), join(bundleDir, 'node_modules'), 'dir');
  const { cloud } = await startCloud(join(workDir, 'data'));
  const eventBus = await startEventBusStandIn();
  try {
    const ready = await cloud.report;
    const urls = { ...ready.urls, events: eventBus.url };
    const figures: Figure[] = [];
    for (const handler of await handlerNames()) {
      const built = await bundle(handler, 'cdk', bundleDir);
      const measured = await coldStarts(built, urls, workDir, RUNS[options.size]);
      figures.push(...measured.map((figure) => ({ ...figure, name: figure.name.replace(' (cdk)', '') })));
    }
    return {
      suite: 'cold-start',
      figures,
      notes: [
        'Each handler is bundled as SpokeFunction deploys it (@aws-sdk/* and Powertools external, resolved from node_modules as the runtime and the layer provide them) and run with NODE_OPTIONS=--enable-source-maps in a fresh process per run.',
      ],
    };
  } finally {
    eventBus.server.close();
    await stopCloud(cloud);
    await rm(workDir, { recursive: true, force: true });
  }
}

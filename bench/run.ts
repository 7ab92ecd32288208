import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCatalog } from './catalog.ts';
import { runChanges } from './changes.ts';
import { runCloudOperations } from './cloud-operations.ts';
import { runCmdb } from './cmdb.ts';
import { runColdStart } from './cold-start.ts';
import { runFoundation } from './foundation.ts';
import { runHandlerCost } from './handler-cost.ts';
import { runMail } from './mail.ts';
import { runPipelineGate } from './pipeline-gate.ts';
import { runPortal } from './portal.ts';
import { repoRoot, spawnNode } from './processes.ts';
import { machineFacts, markdown, type Report, type SuiteResult, textTable } from './report.ts';
import { runReporting } from './reporting.ts';
import { runSearch } from './search.ts';
import { runSla } from './sla.ts';
import { runSoak } from './soak.ts';
import { runTickets } from './tickets.ts';

/** How big a run is: `smoke` proves a suite still works (CI), `quick` is for iterating, `full` is the record. */
export type BenchSize = 'smoke' | 'quick' | 'full';

/** What every suite is handed; `quick` is true for every size below `full` (suites may ignore the size). */
export interface SuiteOptions {
  readonly size: BenchSize;
  readonly quick: boolean;
}

/**
 * `npm run bench`: runs the suites (or only those named with `--only`), each in its own
 * process — a suite imports handler modules whose adapters are bound to its own emulators,
 * so two suites in one process would share a stale wiring — prints the figures next to their
 * targets and writes `bench/reports/<timestamp>.{json,md}`. A suite is a function returning a
 * `SuiteResult`; a new one is one more entry here.
 */
const suites: Record<string, (options: SuiteOptions) => Promise<SuiteResult>> = {
  foundation: runFoundation,
  tickets: runTickets,
  mail: runMail,
  changes: runChanges,
  portal: runPortal,
  'handler-cost': runHandlerCost,
  'cold-start': runColdStart,
  soak: runSoak,
  search: runSearch,
  sla: runSla,
  catalog: runCatalog,
  cmdb: runCmdb,
  'pipeline-gate': runPipelineGate,
  'cloud-operations': runCloudOperations,
  reporting: runReporting,
};

const usage = `npm run bench [-- --only <suite>]... [-- --quick | --smoke]

Suites: ${Object.keys(suites).join(', ')}. Each runs in its own process. Writes bench/reports/<timestamp>.{json,md}.
--quick runs smaller versions where a suite has one (tickets: 1k and 10k instead of 1k and 100k;
mail: 150 and 15 messages instead of 600 and 60; portal: 3 runs instead of 7;
search: 10k tickets and 500 articles instead of 100k and 5k;
sla: 2,000 open records instead of 10,000;
catalog: 10 orders and 2 onboarding runs instead of 30 and 5;
cmdb: 2,000 CIs and 6,000 relations, 2,000 rows instead of 10,000, 30,000 and 10,000;
reporting: a year of 10k tickets instead of 100k).
--smoke runs the smallest version of every suite, to prove it still works (CI runs it; its figures are not a record).
Exits non-zero when a suite fails; the other suites still run and report.`;

const SUITE_MARKER = '@@bench-suite ';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    suite: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const size: BenchSize = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const options: SuiteOptions = { size, quick: size !== 'full' };

if (values.suite) {
  // A child: run one suite and hand its result to the parent on one marked stdout line.
  const run = suites[values.suite];
  if (!run) throw new Error(`Unknown suite: ${values.suite}`);
  const result = await run(options);
  process.stdout.write(`${SUITE_MARKER}${JSON.stringify(result)}\n`);
  process.exit(0);
}

const chosen = values.only ?? Object.keys(suites);
const unknown = chosen.filter((name) => !(name in suites));
if (unknown.length) {
  console.error(`Unknown suite: ${unknown.join(', ')}\n\n${usage}`);
  process.exit(2);
}

const startedAt = new Date().toISOString();
const results: SuiteResult[] = [];
const failed: string[] = [];
for (const name of chosen) {
  console.error(`[bench] ${name} (${size})…`);
  const started = performance.now();
  const child = spawnNode<SuiteResult>(
    'bench/run.ts',
    ['--suite', name, ...(size === 'full' ? [] : [`--${size}`])],
    SUITE_MARKER,
  );
  child.child.stderr?.pipe(process.stderr);
  try {
    results.push(await child.report);
    await child.exited;
    console.error(`[bench] ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed.push(name);
    console.error(`[bench] ${name} FAILED: ${(error as Error).message.split('\n')[0]}`);
  }
}

const report: Report = { startedAt, machine: machineFacts(), suites: results };
const reportDir = join(repoRoot, 'bench', 'reports');
const stem = join(reportDir, `${startedAt.replaceAll(':', '-')}${size === 'full' ? '' : `-${size}`}`);
await mkdir(reportDir, { recursive: true });
await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(`${stem}.md`, markdown(report));

console.log(textTable(report));
console.log(`\nReport: ${stem}.json\n        ${stem}.md`);
if (failed.length) {
  console.error(`\n[bench] failed suites: ${failed.join(', ')}`);
  process.exit(1);
}

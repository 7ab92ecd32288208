import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runChanges } from './changes.ts';
import { runFoundation } from './foundation.ts';
import { runMail } from './mail.ts';
import { runPortal } from './portal.ts';
import { repoRoot } from './processes.ts';
import { machineFacts, markdown, type Report, type SuiteResult, textTable } from './report.ts';
import { runTickets } from './tickets.ts';

/** What every suite is handed; `quick` asks for a smaller run, for iterating (suites may ignore it). */
export interface SuiteOptions {
  readonly quick: boolean;
}

/**
 * `npm run bench`: runs the suites (or only those named with `--only`), prints the figures
 * next to their targets and writes `bench/reports/<timestamp>.{json,md}`. A suite is a
 * function returning a `SuiteResult`; a new one is one more entry here.
 */
const suites: Record<string, (options: SuiteOptions) => Promise<SuiteResult>> = {
  foundation: runFoundation,
  tickets: runTickets,
  mail: runMail,
  changes: runChanges,
  portal: runPortal,
};

const usage = `npm run bench [-- --only <suite>]... [-- --quick]

Suites: ${Object.keys(suites).join(', ')}. Writes bench/reports/<timestamp>.{json,md}.
--quick runs smaller versions where a suite has one (tickets: 1k and 10k instead of 1k and 100k;
mail: 150 and 15 messages instead of 600 and 60; portal: 3 runs instead of 7).`;

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
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
for (const name of chosen) {
  console.error(`[bench] ${name}…`);
  const started = performance.now();
  results.push(
    await (suites[name] as (options: SuiteOptions) => Promise<SuiteResult>)({ quick: values.quick }),
  );
  console.error(`[bench] ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const report: Report = { startedAt, machine: machineFacts(), suites: results };
const reportDir = join(repoRoot, 'bench', 'reports');
const stem = join(reportDir, startedAt.replaceAll(':', '-'));
await mkdir(reportDir, { recursive: true });
await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(`${stem}.md`, markdown(report));

console.log(textTable(report));
console.log(`\nReport: ${stem}.json\n        ${stem}.md`);

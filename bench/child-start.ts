import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/**
 * Starts the local cloud in a process of its own, so its start includes cold imports as
 * `npm start` does. Prints one `BENCH_READY <json>` line when ready and stops the cloud on
 * a `stop` line on stdin (or when stdin closes).
 */

export const READY_MARKER = 'BENCH_READY ';

export interface ReadyReport {
  readonly pid: number;
  /** Milliseconds to import the local cloud's module graph. */
  readonly importMs: number;
  /** Milliseconds spent in `startLocalCloud()`. */
  readonly startMs: number;
  /** Milliseconds since this process began (Node's own start included). */
  readonly sinceProcessStartMs: number;
  readonly urls: Record<string, string>;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('child-start needs --data-dir');

  const importing = performance.now();
  const { startLocalCloud } = await import('#local/cloud.ts');
  const starting = performance.now();
  const cloud = await startLocalCloud({
    dataDir,
    seed: true,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  const ready = performance.now();
  const report: ReadyReport = {
    pid: process.pid,
    importMs: starting - importing,
    startMs: ready - starting,
    sinceProcessStartMs: ready,
    urls: cloud.urls,
  };
  process.stdout.write(`${READY_MARKER}${JSON.stringify(report)}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cloud.stop();
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'stop') void stop();
  });
  lines.on('close', () => void stop());
}

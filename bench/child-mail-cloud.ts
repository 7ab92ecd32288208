import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startEventBusStandIn } from './event-bus-stand-in.ts';

/**
 * The local cloud for the `mail` suite, in a process of its own so its resident memory is the
 * product's alone and the sending side (nodemailer, the bench) does not share its event loop.
 * Starts unseeded on free ports (with `--settings <json>` on top of the defaults, and an
 * EventBridge stand-in at `urls.events` for handlers run outside it), prints `BENCH_MAIL_READY <json>`; on an `idle` line on stdin
 * waits for `mailIdle()` and prints `BENCH_MAIL_IDLE <json>`; stops on `stop` or when stdin closes.
 * The inbound handler's `mail processed` log lines reach stdout before the idle line that follows them.
 */

export const MAIL_READY_MARKER = 'BENCH_MAIL_READY ';
export const MAIL_IDLE_MARKER = 'BENCH_MAIL_IDLE ';

export interface MailReadyReport {
  readonly pid: number;
  readonly urls: Record<string, string>;
}

export interface MailIdleReport {
  /** Milliseconds `mailIdle()` took after the `idle` line arrived. */
  readonly waitedMs: number;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, settings: { type: 'string' } },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('child-mail-cloud needs --data-dir');

  const { startLocalCloud } = await import('#local/cloud.ts');
  const cloud = await startLocalCloud({
    dataDir,
    seed: false,
    quiet: true,
    ...(values.settings ? { settings: JSON.parse(values.settings) as Record<string, string> } : {}),
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  const eventBus = await startEventBusStandIn();
  const ready: MailReadyReport = { pid: process.pid, urls: { ...cloud.urls, events: eventBus.url } };
  process.stdout.write(`${MAIL_READY_MARKER}${JSON.stringify(ready)}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    eventBus.server.close();
    await cloud.stop();
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    const command = line.trim();
    if (command === 'idle') {
      const waiting = performance.now();
      await cloud.mailIdle();
      const report: MailIdleReport = { waitedMs: performance.now() - waiting };
      process.stdout.write(`${MAIL_IDLE_MARKER}${JSON.stringify(report)}\n`);
    } else if (command === 'stop') void stop();
  });
  lines.on('close', () => void stop());
}

import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { LocalFaults } from '#local/fault-injection.ts';
import { startRecordingProxy } from './dynamo-recorder.ts';
import { startEventBusStandIn } from './event-bus-stand-in.ts';
import { freePort } from './processes.ts';

/**
 * The local cloud for the `mail` suite, in a process of its own so its resident memory is the
 * product's alone and the sending side (nodemailer, the bench) does not share its event loop.
 * Starts on free ports, unseeded unless `--seed` (with `--settings <json>` on top of the defaults, `--faults <json>` injected, and an
 * EventBridge stand-in at `urls.events` for handlers run outside it), prints `BENCH_MAIL_READY <json>`; on an `idle` line on stdin
 * waits for `mailIdle()` and prints `BENCH_MAIL_IDLE <json>`; stops on `stop` or when stdin closes.
 * The inbound handler's `mail processed` log lines reach stdout before the idle line that follows them.
 * With `--record-dynamodb` the functions reach DynamoDB Local through a recording proxy: `record on`
 * starts keeping their requests, `record off <file>` writes them to the file (bodies in base64) and
 * prints `BENCH_MAIL_RECORDED <json>`.
 */

export const MAIL_READY_MARKER = 'BENCH_MAIL_READY ';
export const MAIL_IDLE_MARKER = 'BENCH_MAIL_IDLE ';
export const MAIL_RECORDED_MARKER = 'BENCH_MAIL_RECORDED ';

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
    options: {
      'data-dir': { type: 'string' },
      settings: { type: 'string' },
      seed: { type: 'boolean', default: false },
      faults: { type: 'string' },
      'record-dynamodb': { type: 'boolean', default: false },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('child-mail-cloud needs --data-dir');

  const { startLocalCloud } = await import('#local/cloud.ts');
  const dynamodbPort = values['record-dynamodb'] ? await freePort() : 0;
  const recorder = values['record-dynamodb']
    ? await startRecordingProxy(`http://127.0.0.1:${dynamodbPort}`)
    : undefined;
  const cloud = await startLocalCloud({
    dataDir,
    seed: values.seed,
    quiet: true,
    ...(values.settings ? { settings: JSON.parse(values.settings) as Record<string, string> } : {}),
    ...(values.faults ? { faults: JSON.parse(values.faults) as LocalFaults } : {}),
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: dynamodbPort, smtp: 0 },
    ...(recorder ? { dynamodbEndpoint: recorder.endpoint } : {}),
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
    await recorder?.close();
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
    } else if (command === 'record on' && recorder) {
      recorder.take();
      recorder.recording(true);
    } else if (command.startsWith('record off ') && recorder) {
      recorder.recording(false);
      const requests = recorder.take();
      const file = command.slice('record off '.length);
      await writeFile(file, JSON.stringify(requests.map((r) => ({ ...r, body: r.body.toString('base64') }))));
      process.stdout.write(`${MAIL_RECORDED_MARKER}${JSON.stringify({ file, requests: requests.length })}\n`);
    } else if (command === 'stop') void stop();
  });
  lines.on('close', () => void stop());
}

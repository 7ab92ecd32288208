import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SESEvent } from 'aws-lambda';
import { createTransport } from 'nodemailer';
import { domainTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { localS3Config } from '#config/composition-root.ts';
import { LOCAL_SUPPORT_ADDRESS, LOCAL_TABLE_PREFIX } from '#local/cloud.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import type { LocalFaults } from '#local/fault-injection.ts';
import { loadLocalTemplate } from '#local/local-template.ts';
import { MAIL_READY_MARKER, type MailReadyReport } from './child-mail-cloud.ts';
import { LOAD_LIMITS } from './limits.ts';
import { outbox, watchCloud } from './mail.ts';
import { type BenchMail, buildMail } from './mail-data.ts';
import { type NodeChild, processTree, spawnNode, stopChild } from './processes.ts';

/**
 * Fault scenarios against the whole local cloud in a process of its own, each ending in a
 * tally of what became of every mail the SMTP intake accepted (answered 250): a ticket, a
 * quarantine entry, or a dead letter whose raw copy is still in S3. A mail whose sending
 * failed (no 250 seen) is sent again under a new token, as an MTA retries; the failed
 * attempt may still have been accepted and is then "unconfirmed", neither lost nor doubled.
 * Used by `npm run chaos` (500 mails) and `test/integration/faults.test.ts` (200).
 */

export const SCENARIOS = {
  /** SIGKILL the cloud's process when half the mails are accepted, and start it again on the same data. */
  'kill the cloud mid-batch': { faults: undefined, fault: 'kill-cloud' },
  /** SIGKILL DynamoDB Local when a third are accepted and start a new one on the same port and data. */
  'restart DynamoDB Local under load': { faults: undefined, fault: 'restart-dynamodb' },
  /** One S3 write in ten refused with 503 SlowDown, raw copies and attachments alike. */
  'S3 refuses 10 % of writes': { faults: { s3WriteFailureRate: 0.1 }, fault: undefined },
  /** Every SES send refused: acknowledgements fail, tickets must not. */
  'SES sends fail': { faults: { sesSendsFail: true }, fault: undefined },
} as const satisfies Record<string, { faults: LocalFaults | undefined; fault: string | undefined }>;
export type Scenario = keyof typeof SCENARIOS;

export interface Tally {
  readonly scenario: Scenario;
  /** Mails the sender saw answered 250. */
  readonly accepted: number;
  /** Attempts the sender saw fail (connection lost, 4xx) and sent again under a new token. */
  readonly resent: number;
  readonly tickets: number;
  readonly quarantined: number;
  readonly deadLettered: number;
  /** Accepted mails that are none of the above (must be 0). */
  readonly lost: readonly string[];
  /** Accepted mails that became more than one ticket (must be 0). */
  readonly doubled: readonly string[];
  /** Mails acknowledged more than once (must be 0). */
  readonly acknowledgedTwice: readonly string[];
  /** Ticket numbers given to more than one ticket (must be 0). */
  readonly duplicateNumbers: readonly string[];
  /** Dead letters whose raw message is missing from S3 (must be 0). */
  readonly deadLettersWithoutRaw: readonly string[];
  readonly acknowledgements: number;
  readonly seconds: number;
}

const TOKEN = /\((chaos-[a-z0-9-]+)\)/;
const tokenOf = (text: string | undefined) => TOKEN.exec(text ?? '')?.[1];

interface Cloud {
  readonly node: NodeChild<MailReadyReport>;
  readonly ready: MailReadyReport;
  readonly watch: ReturnType<typeof watchCloud>;
}

async function startCloud(dataDir: string, faults: LocalFaults | undefined): Promise<Cloud> {
  const node = spawnNode<MailReadyReport>(
    'bench/child-mail-cloud.ts',
    [
      '--data-dir',
      dataDir,
      '--settings',
      JSON.stringify(LOAD_LIMITS),
      ...(faults ? ['--faults', JSON.stringify(faults)] : []),
    ],
    MAIL_READY_MARKER,
  );
  node.child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (!text.includes('failed 3 times')) process.stderr.write(text);
  });
  const watch = watchCloud(node);
  return { node, ready: await node.report, watch };
}

/** Accumulates the outbox across restarts (its store lives in the cloud's memory). */
function collectOutbox() {
  const seen = new Map<string, { subject: string }>();
  let url: string | undefined;
  const poll = async () => {
    if (!url) return;
    for (const mail of await outbox(url).catch(() => [])) {
      const key = `${(mail as { messageId?: string }).messageId ?? ''}|${mail.subject}|${(mail as { at?: number }).at ?? ''}`;
      seen.set(key, mail);
    }
  };
  const timer = setInterval(() => void poll(), 200);
  return {
    pointAt(outboxUrl: string) {
      url = outboxUrl;
    },
    poll,
    stop: () => clearInterval(timer),
    mails: () => [...seen.values()],
  };
}

/**
 * Sends `mails` through a few parallel SMTP connections; a failed attempt goes back to the
 * queue under a new token after a pause. `port()` is read per attempt: it changes when the
 * cloud restarts.
 */
async function sendAll(
  mails: BenchMail[],
  port: () => number | undefined,
  onAccepted: (count: number) => void,
  fresh: () => BenchMail,
) {
  const queue = [...mails];
  const accepted: string[] = [];
  let resent = 0;
  const worker = async () => {
    for (let mail = queue.shift(); mail; mail = queue.shift()) {
      const current = port();
      if (current === undefined) {
        queue.unshift(mail);
        await sleep(100);
        continue;
      }
      const transport = createTransport({ host: '127.0.0.1', port: current, secure: false, ignoreTLS: true });
      try {
        await transport.sendMail({
          envelope: { from: mail.from, to: [LOCAL_SUPPORT_ADDRESS] },
          raw: mail.raw,
        });
        accepted.push(mail.token);
        onAccepted(accepted.length);
      } catch {
        resent++;
        queue.push(fresh());
        await sleep(200);
      } finally {
        transport.close();
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { accepted, resent };
}

/** Kills the DynamoDB Local JVM under the cloud and starts another on the same port and data folder. */
async function restartDynamoDb(cloud: Cloud, dataDir: string) {
  const port = Number(new URL(cloud.ready.urls.dynamodb as string).port);
  const jvm = (await processTree(cloud.ready.pid)).find(
    (p) =>
      p.cmdline.some((arg) => arg.endsWith('DynamoDBLocal.jar')) &&
      !p.cmdline[0]?.endsWith('sh') &&
      p.cmdline.includes(String(port)),
  );
  if (!jvm) throw new Error('No DynamoDB Local JVM under the cloud');
  process.kill(jvm.pid, 'SIGKILL');
  await sleep(300);
  return startDynamoDbLocal({ port, dataDir: join(dataDir, 'dynamodb') });
}

async function tally(
  scenario: Scenario,
  cloud: Cloud,
  dataDir: string,
  sent: { accepted: readonly string[]; resent: number },
  acks: readonly { subject: string }[],
  seconds: number,
): Promise<Tally> {
  const { urls } = cloud.ready;
  const dynamo = new DynamoDBClient({
    endpoint: urls.dynamodb,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const s3 = new S3Client({ ...localS3Config, endpoint: urls.s3 });
  try {
    const ticketsByToken = new Map<string, number>();
    const numbers = new Map<string, number>();
    const quarantined = new Set<string>();
    let tickets = 0;
    for await (const page of paginateScan(
      { client: dynamo },
      {
        TableName: tableName(LOCAL_TABLE_PREFIX, domainTable),
        FilterExpression: 'entity IN (:ticket, :quarantine)',
        ExpressionAttributeValues: { ':ticket': { S: 'ticket' }, ':quarantine': { S: 'quarantine' } },
      },
    )) {
      for (const raw of page.Items ?? []) {
        const item = unmarshall(raw);
        if (item.entity === 'ticket') {
          tickets++;
          numbers.set(item.number, (numbers.get(item.number) ?? 0) + 1);
          const token = tokenOf(item.shortDescription);
          if (token) ticketsByToken.set(token, (ticketsByToken.get(token) ?? 0) + 1);
        } else {
          const token = tokenOf(item.subject);
          if (token) quarantined.add(token);
        }
      }
    }
    const rawMail = (await loadLocalTemplate()).receiptRule;
    const deadLetterDir = join(dataDir, 'dead-letters');
    const deadLettered = new Set<string>();
    const deadLettersWithoutRaw: string[] = [];
    for (const file of (await readdir(deadLetterDir).catch(() => [])).filter((f) => f.endsWith('.json'))) {
      const { event } = JSON.parse(await readFile(join(deadLetterDir, file), 'utf8')) as { event: SESEvent };
      const messageId = event.Records[0]?.ses.mail.messageId ?? '';
      const raw = await s3
        .send(new GetObjectCommand({ Bucket: rawMail.bucket, Key: `${rawMail.prefix}${messageId}` }))
        .then((answer) => answer.Body?.transformToString())
        .catch(() => undefined);
      const token = tokenOf(raw?.match(/^Subject: (.*)$/m)?.[1]);
      if (token) deadLettered.add(token);
      else deadLettersWithoutRaw.push(messageId);
    }
    const ackCounts = new Map<string, number>();
    for (const mail of acks) {
      const token = tokenOf(mail.subject);
      if (token) ackCounts.set(token, (ackCounts.get(token) ?? 0) + 1);
    }
    const many = (counts: Map<string, number>) => [...counts].filter(([, n]) => n > 1).map(([key]) => key);
    return {
      scenario,
      accepted: sent.accepted.length,
      resent: sent.resent,
      tickets,
      quarantined: quarantined.size,
      deadLettered: deadLettered.size,
      lost: sent.accepted.filter(
        (token) => !ticketsByToken.has(token) && !quarantined.has(token) && !deadLettered.has(token),
      ),
      doubled: many(ticketsByToken),
      acknowledgedTwice: many(ackCounts),
      duplicateNumbers: many(numbers),
      deadLettersWithoutRaw,
      acknowledgements: acks.length,
      seconds,
    };
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}

/** Runs one scenario with `count` new 5 KB mails in a fresh data folder under `workDir`. */
export async function runScenario(scenario: Scenario, count: number, workDir: string): Promise<Tally> {
  const started = performance.now();
  const { faults, fault } = SCENARIOS[scenario];
  const dataDir = join(workDir, scenario.replaceAll(/\W+/g, '-'));
  const run = `chaos-${Date.now().toString(36)}`;
  let retries = 0;
  const mail = (index: number, prefix = run) =>
    buildMail({ index, size: 'small', supportAddress: LOCAL_SUPPORT_ADDRESS, senders: 200, run: prefix });
  const fresh = () => mail(count + retries++, `${run}-r`);
  const mails = Array.from({ length: count }, (_, i) => mail(i));

  let cloud: Cloud | undefined = await startCloud(dataDir, faults);
  const outboxes = collectOutbox();
  outboxes.pointAt(cloud.ready.urls.outbox as string);
  let replacement: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
  let faulted: Promise<void> | undefined;
  const onAccepted = (accepted: number) => {
    if (faulted) return;
    if (fault === 'kill-cloud' && accepted >= count / 2) {
      faulted = (async () => {
        const killed = cloud as Cloud;
        await outboxes.poll();
        cloud = undefined;
        killed.node.child.kill('SIGKILL');
        await killed.node.exited;
        cloud = await startCloud(dataDir, faults);
        outboxes.pointAt(cloud.ready.urls.outbox as string);
      })();
    }
    if (fault === 'restart-dynamodb' && accepted >= count / 3) {
      faulted = restartDynamoDb(cloud as Cloud, dataDir).then((started) => {
        replacement = started;
      });
    }
  };
  try {
    const smtpPort = () => (cloud ? Number(new URL(cloud.ready.urls.smtp as string).port) : undefined);
    const sent = await sendAll(mails, smtpPort, onAccepted, fresh);
    await faulted;
    const running = cloud as Cloud;
    await running.watch.idle();
    await outboxes.poll();
    outboxes.stop();
    return await tally(
      scenario,
      running,
      dataDir,
      sent,
      outboxes.mails(),
      (performance.now() - started) / 1000,
    );
  } finally {
    outboxes.stop();
    if (cloud) await stopChild(cloud.node);
    await replacement?.stop();
  }
}

/** One line per scenario: what the tally found, and whether anything was lost or doubled. */
export function describeTally(t: Tally): string {
  const problems = [
    t.lost.length && `LOST ${t.lost.length}`,
    t.doubled.length && `DOUBLED ${t.doubled.length}`,
    t.acknowledgedTwice.length && `ACKNOWLEDGED TWICE ${t.acknowledgedTwice.length}`,
    t.duplicateNumbers.length && `DUPLICATE NUMBERS ${t.duplicateNumbers.length}`,
    t.deadLettersWithoutRaw.length && `DEAD LETTERS WITHOUT RAW ${t.deadLettersWithoutRaw.length}`,
  ].filter(Boolean);
  return `${t.scenario.padEnd(36)} accepted ${t.accepted}, resent ${t.resent}; tickets ${t.tickets}, quarantined ${t.quarantined}, dead-lettered ${t.deadLettered}; acknowledgements ${t.acknowledgements}; ${t.seconds.toFixed(0)} s — ${problems.length ? problems.join(', ') : 'nothing lost, nothing doubled'}`;
}

if (import.meta.main) {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: { mails: { type: 'string', default: '500' }, only: { type: 'string', multiple: true } },
  });
  const count = Number(values.mails);
  const chosen = (values.only ?? Object.keys(SCENARIOS)) as Scenario[];
  const workDir = await mkdtemp(join(tmpdir(), 'spoke-chaos-'));
  let failed = false;
  try {
    for (const scenario of chosen) {
      if (!(scenario in SCENARIOS))
        throw new Error(`Unknown scenario "${scenario}": ${Object.keys(SCENARIOS).join(', ')}`);
      console.error(`[chaos] ${scenario}: ${count} mails…`);
      const result = await runScenario(scenario, count, workDir);
      console.log(describeTally(result));
      failed ||= [
        result.lost,
        result.doubled,
        result.acknowledgedTwice,
        result.duplicateNumbers,
        result.deadLettersWithoutRaw,
      ].some((list) => list.length > 0);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

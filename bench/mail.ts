import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createTransport } from 'nodemailer';
import PostalMime from 'postal-mime';
import { domainTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { mailLimits } from '#channels/email/parse.ts';
import { LOCAL_SUPPORT_ADDRESS, LOCAL_TABLE_PREFIX } from '#local/cloud.ts';
import { ensureTables } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import {
  MAIL_IDLE_MARKER,
  MAIL_READY_MARKER,
  MAIL_RECORDED_MARKER,
  type MailIdleReport,
  type MailReadyReport,
} from './child-mail-cloud.ts';
import { type RecordedRequest, replay } from './dynamo-recorder.ts';
import { type BenchMail, buildMail, type Size } from './mail-data.ts';
import {
  type CloudMemory,
  cloudMemory,
  freePort,
  type NodeChild,
  processTree,
  spawnNode,
  stopChild,
} from './processes.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * The email channel suite: messages per second through the whole local intake, from the
 * first SMTP command to `mailIdle()` after the last message: SMTP accept → raw message in
 * S3 (s3rver) → inbound handler (parse, sanitize, thread, ticket or article in DynamoDB
 * Local, acknowledgement through the SES outbox). New tickets and replies threading into
 * them, at about 5 KB and about 1 MB, each next to the parser alone on the same bytes, with
 * the peak resident memory of the cloud's process tree.
 *
 * The cloud runs in a child process (`child-mail-cloud.ts`), so its memory is its own and the
 * sender (nodemailer, here) is a separate client as an MTA would be; both share the machine.
 */

const SMALL_TARGET = 150;
const LARGE_TARGET = 25;
/** The acknowledgement limits, raised so that every new ticket is acknowledged (the env schema takes six digits). */
const ACK_LIMIT = '999999';
const SAMPLE_EVERY_MS = 200;
/** For scale, from the email issue: a well-known open-source helpdesk on the same kind of messages. */
const REFERENCE = { small: 2.4, large: 1.2 } as const;
/** DESIGN's mailparser figures, for when mailparser is not in node_modules. */
const DESIGN_MAILPARSER = { small: 3000, large: 100 } as const;

interface Settings {
  readonly small: number;
  readonly large: number;
  readonly warmup: number;
  readonly senders: number;
}
const full: Settings = { small: 600, large: 60, warmup: 20, senders: 300 };
const quick: Settings = { small: 150, large: 15, warmup: 10, senders: 100 };
const smoke: Settings = { small: 30, large: 3, warmup: 5, senders: 20 };

const label = { small: '5 KB', large: '1 MB' } as const satisfies Record<Size, string>;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

interface Outcome {
  readonly outcome: string;
  readonly ticket?: string;
  readonly created?: boolean;
  readonly threadedBy?: string;
}

interface Phase {
  readonly name: string;
  readonly count: number;
  readonly ms: number;
  /** Until the last 250 (every message stored in S3 and queued for the handler). */
  readonly acceptedMs: number;
  readonly outcomes: readonly Outcome[];
  /** CPU milliseconds spent during the phase. */
  readonly cpu: CpuTimes;
}

/** CPU milliseconds so far: the cloud's node process, its DynamoDB Local JVM, and this (sending) process. */
interface CpuTimes {
  readonly node: number;
  readonly jvm: number;
  readonly sender: number;
}

/** utime + stime of a process from /proc/<pid>/stat, in ms (clock ticks are 10 ms on Linux). */
async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function cpuTimes(cloudPid: number): Promise<CpuTimes> {
  const jvms = (await processTree(cloudPid)).filter(
    (p) => p.cmdline.some((arg) => arg.endsWith('DynamoDBLocal.jar')) && !p.cmdline[0]?.endsWith('sh'),
  );
  const usage = process.cpuUsage();
  return {
    node: await cpuMs(cloudPid),
    jvm: (await Promise.all(jvms.map((p) => cpuMs(p.pid)))).reduce((a, b) => a + b, 0),
    sender: (usage.user + usage.system) / 1000,
  };
}

interface Peak {
  node: number;
  jvm: number;
  total: number;
}

/** The cloud child plus what it reports: the handler's outcome lines and its idle answers. */
export function watchCloud(cloud: NodeChild<MailReadyReport>) {
  const outcomes: Outcome[] = [];
  const idleWaiters: ((report: MailIdleReport) => void)[] = [];
  const recordWaiters: (() => void)[] = [];
  const lines = createInterface({ input: cloud.child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    if (line.startsWith(MAIL_RECORDED_MARKER)) {
      recordWaiters.shift()?.();
      return;
    }
    if (line.startsWith(MAIL_IDLE_MARKER)) {
      idleWaiters.shift()?.(JSON.parse(line.slice(MAIL_IDLE_MARKER.length)) as MailIdleReport);
      return;
    }
    if (!line.includes('"mail processed"')) return;
    try {
      outcomes.push(JSON.parse(line) as Outcome);
    } catch {
      // another line that happens to mention it
    }
  });
  return {
    outcomes,
    idle(): Promise<MailIdleReport> {
      const answer = new Promise<MailIdleReport>((done) => idleWaiters.push(done));
      cloud.child.stdin?.write('idle\n');
      return answer;
    },
    /** Keeps the DynamoDB requests from now on (a cloud started with `--record-dynamodb`). */
    record(): void {
      cloud.child.stdin?.write('record on\n');
    },
    /** Stops keeping them and writes them to `file`. */
    recorded(file: string): Promise<void> {
      const written = new Promise<void>((done) => recordWaiters.push(done));
      cloud.child.stdin?.write(`record off ${file}\n`);
      return written;
    },
  };
}

const readRecorded = async (file: string): Promise<RecordedRequest[]> =>
  (JSON.parse(await readFile(file, 'utf8')) as (Omit<RecordedRequest, 'body'> & { body: string })[]).map(
    (r) => ({ ...r, body: Buffer.from(r.body, 'base64') }),
  );

interface Floor {
  readonly mails: number;
  /** The recorded run through the whole intake (with the recording proxy in the path). */
  readonly intakeMs: number;
  readonly replayMs: number;
  readonly requests: number;
  readonly refused: number;
  readonly connections: number;
  readonly operations: string;
}

/**
 * The emulator floor (issue 20): the same new 5 KB mails through a second cloud whose functions
 * reach DynamoDB Local through a recording proxy, then their DynamoDB requests replayed alone
 * against a fresh DynamoDB Local (file-backed in the same folder kind, warmed with the warm-up's
 * requests) on as many connections as the functions used.
 */
async function emulatorFloor(
  settings: Settings,
  run: string,
  workDir: string,
  env: NodeJS.ProcessEnv,
): Promise<Floor> {
  const cloud = spawnNode<MailReadyReport>(
    'bench/child-mail-cloud.ts',
    ['--data-dir', join(workDir, 'floor-cloud'), '--record-dynamodb'],
    MAIL_READY_MARKER,
    env,
  );
  const warmFile = join(workDir, 'floor-warm.json');
  const measuredFile = join(workDir, 'floor.json');
  let intakeMs: number;
  try {
    const ready = await cloud.report;
    const watch = watchCloud(cloud);
    const transport = createTransport({
      pool: true,
      maxConnections: 4,
      host: '127.0.0.1',
      port: Number(new URL(ready.urls.smtp as string).port),
      secure: false,
      ignoreTLS: true,
    });
    const send = async (mails: readonly BenchMail[]) => {
      await Promise.all(
        mails.map((mail) =>
          transport.sendMail({ envelope: { from: mail.from, to: [LOCAL_SUPPORT_ADDRESS] }, raw: mail.raw }),
        ),
      );
      await watch.idle();
    };
    watch.record();
    await send(buildSet(settings, 'small', settings.warmup, `${run}fw`));
    await watch.recorded(warmFile);
    watch.record();
    const started = performance.now();
    await send(buildSet(settings, 'small', settings.small, `${run}f`));
    intakeMs = performance.now() - started;
    await watch.recorded(measuredFile);
    transport.close();
  } finally {
    await stopChild(cloud);
  }
  const dynamo = await startDynamoDbLocal({ port: await freePort(), dataDir: join(workDir, 'floor-replay') });
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(client, LOCAL_TABLE_PREFIX);
    client.destroy();
    await replay(dynamo.endpoint, await readRecorded(warmFile));
    const requests = await readRecorded(measuredFile);
    const replayed = await replay(dynamo.endpoint, requests);
    const operations = new Map<string, number>();
    for (const r of requests) operations.set(r.operation, (operations.get(r.operation) ?? 0) + 1);
    return {
      mails: settings.small,
      intakeMs,
      replayMs: replayed.ms,
      requests: replayed.requests,
      refused: replayed.refused,
      connections: replayed.connections,
      operations: [...operations]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, n]) => `${n} ${name}`)
        .join(', '),
    };
  } finally {
    await dynamo.stop();
  }
}

export interface OutboxMail {
  readonly subject: string;
  readonly replyTo: readonly string[];
  readonly destination: { readonly to: readonly string[] };
}

export async function outbox(url: string): Promise<OutboxMail[]> {
  const response = await fetch(`${url}/store`);
  if (!response.ok) throw new Error(`GET ${url}/store answered ${response.status}`);
  return ((await response.json()) as { emails: OutboxMail[] }).emails;
}

interface Acknowledged {
  readonly ticketId: string;
  readonly number: string;
  readonly to: string;
}

/** The acknowledgement of each message, found by the token its subject carries. */
function acknowledgements(mails: readonly OutboxMail[]): Map<string, Acknowledged> {
  const found = new Map<string, Acknowledged>();
  for (const mail of mails) {
    const subject = /^\[([A-Z]{3}\d{7,})\] .*\(([^()]+)\)$/.exec(mail.subject);
    const ticketId = /\+([0-9a-z]{26})@/i.exec(mail.replyTo[0] ?? '')?.[1]?.toUpperCase();
    if (subject && ticketId)
      found.set(subject[2] as string, {
        ticketId,
        number: subject[1] as string,
        to: mail.destination.to[0] ?? '',
      });
  }
  return found;
}

/** Items of the domain table whose sort key is `#TICKET` (tickets) or starts with `ARTICLE#`. */
async function countItems(dynamodbUrl: string): Promise<{ tickets: number; articles: number }> {
  const client = new DynamoDBClient({
    endpoint: dynamodbUrl,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let tickets = 0;
  let articles = 0;
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName(LOCAL_TABLE_PREFIX, domainTable),
          ProjectionExpression: 'sk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = item.sk?.S ?? '';
        if (sk === '#TICKET') tickets++;
        else if (sk.startsWith('ARTICLE#')) articles++;
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return { tickets, articles };
}

/** Objects s3rver holds in a bucket folder (each beside its metadata file), or files in a plain folder. */
async function countFiles(dir: string, s3 = true): Promise<number> {
  if (!existsSync(dir)) return 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && (!s3 || entry.name.endsWith('._S3rver_object'))).length;
}

type Parse = (raw: Buffer) => Promise<unknown>;

const PARSER_MIN_MS = 1_000;

/**
 * Messages per second of a parser run back to back over the messages, after a warm-up pass
 * over a few: whole passes until at least `PARSER_MIN_MS` have gone by, for a steady figure.
 */
async function parserRate(parse: Parse, mails: readonly BenchMail[]): Promise<number> {
  for (const mail of mails.slice(0, Math.max(5, Math.ceil(mails.length / 10)))) await parse(mail.raw);
  let parsed = 0;
  const started = performance.now();
  do {
    for (const mail of mails) await parse(mail.raw);
    parsed += mails.length;
  } while (performance.now() - started < PARSER_MIN_MS);
  return parsed / ((performance.now() - started) / 1000);
}

const postalMime: Parse = (raw) =>
  PostalMime.parse(raw, {
    maxNestingDepth: mailLimits.maxNestingDepth,
    maxHeadersSize: mailLimits.maxHeadersSize,
    attachmentEncoding: 'arraybuffer',
  });

/**
 * mailparser is no dependency of Spoke; it is in node_modules only because aws-ses-v2-local
 * (the SES outbox) uses it. Loaded by name at run time so the suite still runs without it.
 */
export async function loadMailparser(): Promise<{ parse: Parse; version: string } | undefined> {
  const name = 'mailparser';
  try {
    const module = (await import(name)) as { simpleParser: Parse };
    const { createRequire } = await import('node:module');
    const version = (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
    return { parse: (raw) => module.simpleParser(raw), version };
  } catch {
    return undefined;
  }
}

function buildSet(settings: Settings, size: Size, count: number, run: string): BenchMail[] {
  return Array.from({ length: count }, (_, index) =>
    buildMail({ index, size, supportAddress: LOCAL_SUPPORT_ADDRESS, senders: settings.senders, run }),
  );
}

function replies(originals: readonly BenchMail[], acks: Map<string, Acknowledged>, size: Size, run: string) {
  return originals.map((original, index) => {
    const ack = acks.get(original.token);
    if (!ack) throw new Error(`No acknowledgement of ${original.token} in the outbox: cannot reply to it`);
    return buildMail({
      index,
      size,
      supportAddress: LOCAL_SUPPORT_ADDRESS,
      senders: 1,
      run,
      replyTo: {
        messageId: `<${ack.ticketId}.ack@${LOCAL_SUPPORT_ADDRESS.split('@')[1]}>`,
        number: ack.number,
        from: original.from,
      },
    });
  });
}

const tally = (outcomes: readonly Outcome[]) => {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = o.outcome === 'article' ? `article by ${o.threadedBy}` : o.outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n} ${key}`).join(', ') || 'no outcome logged';
};

export async function runMail(options: SuiteOptions): Promise<SuiteResult> {
  const settings = { smoke, quick, full }[options.size];
  const workDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'spoke-bench-mail-'));
  const dataDir = join(workDir, 'data');
  const figures: Figure[] = [];
  const notes: string[] = [];
  const problems: string[] = [];

  const cloudEnv = {
    ...process.env,
    ACK_LIMIT_PER_SENDER_PER_HOUR: ACK_LIMIT,
    ACK_LIMIT_PER_MINUTE: ACK_LIMIT,
  };
  const cloud = spawnNode<MailReadyReport>(
    'bench/child-mail-cloud.ts',
    ['--data-dir', dataDir],
    MAIL_READY_MARKER,
    cloudEnv,
  );
  let sampler: NodeJS.Timeout | undefined;
  try {
    const ready = await cloud.report;
    const watch = watchCloud(cloud);
    const dynamoPort = Number(new URL(ready.urls.dynamodb as string).port);
    const smtpPort = Number(new URL(ready.urls.smtp as string).port);

    const peaks: Record<Size, Peak> = {
      small: { node: 0, jvm: 0, total: 0 },
      large: { node: 0, jvm: 0, total: 0 },
    };
    let sampling: Size | undefined;
    let jvmFound = true;
    const sample = async () => {
      const size = sampling;
      if (!size) return;
      const memory: CloudMemory = await cloudMemory(ready.pid, dynamoPort);
      jvmFound &&= memory.jvmFound;
      const peak = peaks[size];
      peak.node = Math.max(peak.node, memory.nodeMB);
      peak.jvm = Math.max(peak.jvm, memory.jvmMB);
      peak.total = Math.max(peak.total, memory.totalMB);
    };
    sampler = setInterval(() => void sample(), SAMPLE_EVERY_MS);

    const transport = createTransport({
      pool: true,
      maxConnections: 4,
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });

    const phase = async (name: string, size: Size, mails: readonly BenchMail[]): Promise<Phase> => {
      const first = watch.outcomes.length;
      sampling = size;
      const cpuBefore = await cpuTimes(ready.pid);
      const started = performance.now();
      await Promise.all(
        mails.map((mail) =>
          transport.sendMail({ envelope: { from: mail.from, to: [LOCAL_SUPPORT_ADDRESS] }, raw: mail.raw }),
        ),
      );
      const accepted = performance.now();
      await watch.idle();
      const ms = performance.now() - started;
      const cpuAfter = await cpuTimes(ready.pid);
      await sample();
      sampling = undefined;
      console.error(
        `[bench] mail: ${name}: ${mails.length} in ${(ms / 1000).toFixed(2)} s (${round(mails.length / (ms / 1000))} msg/s)`,
      );
      return {
        name,
        count: mails.length,
        ms,
        acceptedMs: accepted - started,
        outcomes: watch.outcomes.slice(first),
        cpu: {
          node: cpuAfter.node - cpuBefore.node,
          jvm: cpuAfter.jvm - cpuBefore.jvm,
          sender: cpuAfter.sender - cpuBefore.sender,
        },
      };
    };

    const run = Date.now().toString(36);
    const sets = {
      warmup: buildSet(settings, 'small', settings.warmup, `${run}w`),
      small: buildSet(settings, 'small', settings.small, `${run}n`),
      large: buildSet(settings, 'large', settings.large, `${run}n`),
    };

    await phase('warm-up', 'small', sets.warmup);
    const newSmall = await phase('new tickets, 5 KB', 'small', sets.small);
    const newLarge = await phase('new tickets, 1 MB', 'large', sets.large);

    const acks = acknowledgements(await outbox(ready.urls.outbox as string));
    const afterNew = await countItems(ready.urls.dynamodb as string);
    const replySets = {
      small: replies(sets.small, acks, 'small', `${run}r`),
      large: replies(sets.large, acks, 'large', `${run}r`),
    };
    const replySmall = await phase('replies, 5 KB', 'small', replySets.small);
    const replyLarge = await phase('replies, 1 MB', 'large', replySets.large);
    transport.close();
    clearInterval(sampler);
    sampler = undefined;

    const afterReplies = await countItems(ready.urls.dynamodb as string);
    const outboxAfter = await outbox(ready.urls.outbox as string);
    const deadLetters = await countFiles(join(dataDir, 'dead-letters'), false);
    // The local bucket names follow the template (`<stack>-<construct path>`): a renamed bucket
    // must fail the verification rather than count as an empty one.
    const bucketDirs = { attachments: 'spoke-local-data-attachments', raw: 'spoke-local-email-rawmail' };
    for (const name of Object.values(bucketDirs))
      if (!existsSync(join(dataDir, 's3', name)))
        problems.push(`no local bucket ${name}: did its name change?`);
    const attachmentFiles = await countFiles(join(dataDir, 's3', bucketDirs.attachments));
    const rawFiles = await countFiles(join(dataDir, 's3', bucketDirs.raw));
    await stopChild(cloud);
    const floor = await emulatorFloor(settings, run, workDir, cloudEnv);

    // Verification: every new message a created ticket with its acknowledgement, every reply an article.
    const check = (phase: Phase, wanted: (o: Outcome) => boolean, what: string) => {
      const good = phase.outcomes.filter(wanted).length;
      if (good !== phase.count)
        problems.push(`${phase.name}: ${good}/${phase.count} ${what} (${tally(phase.outcomes)})`);
      return good;
    };
    for (const p of [newSmall, newLarge])
      check(p, (o) => o.outcome === 'ticket' && o.created === true, 'created a ticket');
    for (const p of [replySmall, replyLarge])
      check(p, (o) => o.outcome === 'article' && o.threadedBy === 'message-id', 'threaded by Message-ID');
    const acked = (mails: readonly BenchMail[]) => mails.filter((m) => acks.has(m.token)).length;
    for (const [name, mails] of [
      ['new tickets, 5 KB', sets.small],
      ['new tickets, 1 MB', sets.large],
    ] as const) {
      if (acked(mails) !== mails.length)
        problems.push(`${name}: ${acked(mails)}/${mails.length} acknowledgements in the outbox`);
    }
    const expectedTickets = settings.warmup + settings.small + settings.large;
    if (afterNew.tickets !== expectedTickets)
      problems.push(`DynamoDB holds ${afterNew.tickets} tickets, ${expectedTickets} expected`);
    if (afterReplies.tickets !== expectedTickets)
      problems.push(`after the replies DynamoDB holds ${afterReplies.tickets} tickets: a reply opened one`);
    const newArticles = afterReplies.articles - afterNew.articles;
    if (newArticles !== settings.small + settings.large)
      problems.push(`replies added ${newArticles} articles, ${settings.small + settings.large} expected`);
    if (outboxAfter.length !== expectedTickets)
      problems.push(
        `the outbox holds ${outboxAfter.length} mails, ${expectedTickets} acknowledgements expected`,
      );
    if (deadLetters > 0) problems.push(`${deadLetters} messages failed every attempt (dead letters)`);

    // The parsers alone, on the same bytes, with the cloud stopped.
    const mailparser = await loadMailparser();
    const parsers: Record<string, Record<'newSmall' | 'newLarge' | 'replySmall' | 'replyLarge', number>> = {};
    for (const [name, parse] of [
      ['postal-mime', postalMime],
      ...(mailparser ? [['mailparser', mailparser.parse] as const] : []),
    ] as const) {
      parsers[name] = {
        newSmall: await parserRate(parse, sets.small),
        newLarge: await parserRate(parse, sets.large),
        replySmall: await parserRate(parse, replySets.small),
        replyLarge: await parserRate(parse, replySets.large),
      };
    }
    const postal = parsers['postal-mime'] as (typeof parsers)[string];

    const avgKB = (mails: readonly BenchMail[]) =>
      mails.reduce((sum, m) => sum + m.raw.length, 0) / mails.length / 1024;
    const throughput = (
      p: Phase,
      size: Size,
      mails: readonly BenchMail[],
      parserKey: keyof typeof postal,
    ): Figure => {
      const rate = p.count / (p.ms / 1000);
      const parser = postal[parserKey];
      return {
        name: `${p.name}: whole intake (${p.count} msgs, ${round(avgKB(mails), size === 'small' ? 1 : 0)} KB avg)`,
        value: rate,
        unit: 'msg/s',
        target: size === 'small' ? SMALL_TARGET : LARGE_TARGET,
        note: `first MAIL FROM → mailIdle() after the last: ${(p.ms / 1000).toFixed(2)} s (all 250s after ${(p.acceptedMs / 1000).toFixed(2)} s); postal-mime alone ${round(parser, 0)} msg/s, intake/parser ${round((rate / parser) * 100)} %; CPU per message: cloud node ${round(p.cpu.node / p.count)} ms, JVM ${round(p.cpu.jvm / p.count)} ms, sender ${round(p.cpu.sender / p.count)} ms; ${round(rate / REFERENCE[size], 0)}× the reference helpdesk (${REFERENCE[size]} msg/s)`,
      };
    };
    const floorRate = floor.mails / (floor.replayMs / 1000);
    const smallRate = newSmall.count / (newSmall.ms / 1000);
    figures.push(
      throughput(newSmall, 'small', sets.small, 'newSmall'),
      {
        name: `new tickets, 5 KB: DynamoDB Local alone, the emulator floor (${floor.mails} msgs)`,
        value: floorRate,
        unit: 'msg/s',
        note: `the DynamoDB requests of ${floor.mails} new 5 KB mails (${floor.requests}: ${floor.operations}; ${round(floor.requests / floor.mails)} per mail) recorded on their way to DynamoDB Local and replayed alone on ${floor.connections} connections, in ${(floor.replayMs / 1000).toFixed(2)} s${floor.refused ? `, ${floor.refused} answered other than 200 on the replay` : ''}; the whole intake reaches ${round((smallRate / floorRate) * 100)} % of it (the recorded run itself, proxy in the path: ${round(floor.mails / (floor.intakeMs / 1000))} msg/s)`,
      },
      throughput(newLarge, 'large', sets.large, 'newLarge'),
      throughput(replySmall, 'small', replySets.small, 'replySmall'),
      throughput(replyLarge, 'large', replySets.large, 'replyLarge'),
    );
    for (const [name, rates] of Object.entries(parsers)) {
      for (const [key, what] of [
        ['newSmall', 'new-ticket mails, 5 KB'],
        ['newLarge', 'new-ticket mails, 1 MB'],
        ['replySmall', 'replies, 5 KB'],
        ['replyLarge', 'replies, 1 MB'],
      ] as const) {
        figures.push({
          name: `${name} alone: ${what}`,
          value: rates[key],
          unit: 'msg/s',
          note:
            name === 'postal-mime'
              ? "the pipeline's parser, with parseMail's options, one message after another, ≥ 1 s of passes"
              : `simpleParser (v${mailparser?.version}), one message after another, ≥ 1 s of passes`,
        });
      }
    }
    for (const size of ['small', 'large'] as const) {
      const peak = peaks[size];
      figures.push(
        { name: `peak RSS during the ${label[size]} runs: cloud node process`, value: peak.node, unit: 'MB' },
        { name: `peak RSS during the ${label[size]} runs: DynamoDB Local JVM`, value: peak.jvm, unit: 'MB' },
        {
          name: `peak RSS during the ${label[size]} runs: cloud process tree`,
          value: peak.total,
          unit: 'MB',
          note: `sampled every ${SAMPLE_EVERY_MS} ms from /proc; node + JVM + sh watchdog`,
        },
      );
    }

    if (problems.length) notes.push(`VERIFICATION FAILED: ${problems.join('; ')}.`);
    else
      notes.push(
        `Verified: ${settings.small + settings.large} new messages → ${settings.small + settings.large} tickets created (plus ${settings.warmup} warm-up), each acknowledged in the SES outbox; ${settings.small + settings.large} replies → articles threaded by Message-ID (In-Reply-To <ticketId.ack@spoke.localhost>), no ticket opened by a reply; ${expectedTickets} tickets and +${newArticles} articles counted in DynamoDB Local; no dead letters.`,
      );
    notes.push(
      `Acknowledgement limits raised for the run: ACK_LIMIT_PER_SENDER_PER_HOUR=${ACK_LIMIT} and ACK_LIMIT_PER_MINUTE=${ACK_LIMIT} in the cloud's environment (defaults 5 and 120 would stop acknowledging after 120 a minute); the ${settings.senders} senders would stay within the per-sender default anyway (2 new messages each).`,
      `Sent by nodemailer (pool, 4 connections, raw messages) from the bench process to the SMTP intake of a local cloud in a child process, data dir on ${workDir.startsWith('/dev/shm') ? '/dev/shm (tmpfs)' : 'the temp dir'}; sender, cloud node and DynamoDB Local JVM share the machine's ${cpus().length} cores. ${settings.warmup} 5 KB messages warm the cloud up first; they are not counted.`,
      `Messages: 5 KB = multipart/alternative, quoted-printable text + HTML; 1 MB = multipart/mixed, text + base64 attachment (PDF for new tickets, PNG for replies). The raw-mail bucket holds ${rawFiles} objects after the run; the attachment bucket ${attachmentFiles} (attachments of inbound mail ${attachmentFiles > 0 ? 'are' : 'are not'} stored by the pipeline).`,
      mailparser
        ? `mailparser ${mailparser.version} is not a dependency of Spoke: it is measured from node_modules, where aws-ses-v2-local (the local SES outbox) brought it; the outbox also runs it on every acknowledgement it receives, inside the cloud process. DESIGN's figures for it: ~${DESIGN_MAILPARSER.small} msg/s at 5 KB, ~${DESIGN_MAILPARSER.large} msg/s at 1 MB.`
        : `mailparser could not be measured: it is not a dependency of Spoke and is not in node_modules. DESIGN's figures for it: ~${DESIGN_MAILPARSER.small} msg/s at 5 KB, ~${DESIGN_MAILPARSER.large} msg/s at 1 MB.`,
    );
    if (!jvmFound)
      notes.push('No DynamoDB Local JVM was found under the cloud process: JVM memory is missing.');
    return { suite: 'mail', figures, notes };
  } finally {
    if (sampler) clearInterval(sampler);
    await stopChild(cloud);
    await rm(workDir, { recursive: true, force: true });
  }
}

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { EventBridgeEventPublisher } from '#adapters/eventbridge/event-publisher.eventbridge.ts';
import { parseMail } from '#channels/email/parse.ts';
import { ourMessageId } from '#channels/email/thread.ts';
import { localS3Config, wireLocalCloud } from '#config/composition-root.ts';
import type { ApiHandler } from '#local/api-gateway.ts';
import { LOCAL_SUPPORT_ADDRESS } from '#local/cloud.ts';
import { loadLocalTemplate, localFunctionEnvironment } from '#local/local-template.ts';
import { sesEvent } from '#local/smtp-intake.ts';
import { MAIL_READY_MARKER, type MailReadyReport } from './child-mail-cloud.ts';
import { LOAD_LIMITS } from './limits.ts';
import { loadMailparser } from './mail.ts';
import { type BenchMail, buildMail, type MailSpec, type Size } from './mail-data.ts';
import { spawnNode, stopChild } from './processes.ts';
import { type Figure, loadNote, type SuiteResult } from './report.ts';
import { type RequestWindow, startRequestTracker } from './request-tracker.ts';
import type { SuiteOptions } from './run.ts';
import { type Claims, claimsOf, expectStatus, invoke } from './tickets.ts';

/**
 * The handlers' own cost: the inbound-mail handler and the API handler run in this process,
 * the emulators (DynamoDB Local, s3rver, the SES outbox, an EventBridge stand-in) in a child
 * (`child-mail-cloud.ts`), so this process's CPU time across one call is the handler's —
 * its code, the SDK's serialization and the HTTP client, as Lambda bills it — and none of
 * the emulators'. Every request the handler sends is watched through Node's HTTP client
 * diagnostics channel (`request-tracker.ts`): requests by service and operation, body bytes,
 * and sequential round trips (requests in flight together count once).
 *
 * Mail is placed in the raw-mail bucket before the call, as the receipt rule's S3 action
 * does, and the handler gets the SES event; a reply threads into the ticket the previous
 * new mail opened, through the acknowledgement's Message-ID. Domain events go to EventBridge
 * (the stand-in) as in AWS, not to the local in-process bus, so their round trip is counted.
 */

const MAIL_TARGETS = {
  'new 5 KB mail': { cpu: 3, rounds: 4 },
  'reply 5 KB': { cpu: 3, rounds: undefined },
  '1 MB mail with attachment': { cpu: 25, rounds: undefined },
} as const;
const API_CPU_TARGET = 2;

interface Settings {
  readonly runs: number;
  readonly warmup: number;
  readonly parserRuns: number;
}
const sizes: Record<SuiteOptions['size'], Settings> = {
  full: { runs: 60, warmup: 15, parserRuns: 60 },
  quick: { runs: 25, warmup: 8, parserRuns: 25 },
  smoke: { runs: 4, warmup: 2, parserRuns: 4 },
};

interface Sample {
  readonly cpuMs: number;
  /** Of `cpuMs`, the time in the kernel (socket writes on loopback, mostly). */
  readonly systemMs: number;
  readonly wallMs: number;
  readonly requests: RequestWindow;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const systemMsSince = (start: NodeJS.CpuUsage) => process.cpuUsage(start).system / 1000;
const describe = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([what, n]) => `${n} ${what}`)
    .join(' + ') || 'none';
/** `s3 GetObject → dynamodb PutItem ‖ dynamodb UpdateItem → …`: each round trip, its parallel requests joined by ‖. */
const sequenceOf = (window: RequestWindow) =>
  window.rounds.map((round) => [...round].sort().join(' ‖ ')).join(' → ');
/** The most frequent value: the request mix of a typical call (a first call may differ). */
const mode = (values: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
};

/**
 * Runs `call` `warmup` times unmeasured, then `runs` times measured one after the other.
 * `prepare` runs before the calls, outside the measured windows (storing the raw mail, say).
 * With `BENCH_PROFILE_DIR` set, the measured calls of each operation are CPU-profiled into
 * `<dir>/<name>.cpuprofile` (open it in Chrome's DevTools).
 */
async function measure<T>(
  name: string,
  settings: Settings,
  prepare: (i: number) => Promise<T>,
  call: (prepared: T, i: number) => Promise<void>,
  track: () => { end(): RequestWindow },
): Promise<Sample[]> {
  for (let i = 0; i < settings.warmup; i++) await call(await prepare(i), i);
  const prepared: T[] = [];
  for (let i = settings.warmup; i < settings.warmup + settings.runs; i++) prepared.push(await prepare(i));
  const profiler = await startProfiler();
  const samples: Sample[] = [];
  for (const [n, item] of prepared.entries()) {
    const window = track();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await call(item, settings.warmup + n);
    const wallMs = performance.now() - started;
    const cpuMs = cpuMsSince(cpu);
    samples.push({ cpuMs, systemMs: systemMsSince(cpu), wallMs, requests: window.end() });
  }
  await profiler?.stop(name);
  return samples;
}

async function startProfiler() {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(name: string) {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${name.replaceAll(/[^\w]+/g, '-')}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function figuresOf(
  name: string,
  samples: readonly Sample[],
  target: { cpu: number; rounds: number | undefined },
): Figure[] {
  const rounds = samples.map((s) => s.requests.sequentialRoundTrips);
  const requests = mode(samples.map((s) => describe(s.requests.requests)));
  const kb = (values: number[]) => median(values) / 1024;
  return [
    {
      name: `${name}: handler CPU`,
      value: median(samples.map((s) => s.cpuMs)),
      unit: 'ms',
      target: target.cpu,
      note: `median of ${samples.length} (of it in the kernel: ${median(samples.map((s) => s.systemMs)).toFixed(1)} ms); wall ${median(samples.map((s) => s.wallMs)).toFixed(1)} ms with the emulators`,
    },
    {
      name: `${name}: sequential AWS round trips`,
      value: median(rounds),
      unit: 'n',
      ...(target.rounds === undefined ? {} : { target: target.rounds }),
      note: `${median(samples.map((s) => s.requests.total))} requests: ${requests}; in order: ${mode(samples.map((s) => sequenceOf(s.requests)))}`,
    },
    {
      name: `${name}: body bytes sent`,
      value: kb(samples.map((s) => s.requests.bytesSent)),
      unit: 'KB',
      note: `requests by service: ${mode(samples.map((s) => describe(s.requests.byService)))}`,
    },
    {
      name: `${name}: body bytes received`,
      value: kb(samples.map((s) => s.requests.bytesReceived)),
      unit: 'KB',
    },
  ];
}

/** CPU milliseconds per parse of each message, one after the other, through `parse`. */
async function parserCpu(
  parse: (raw: Buffer) => Promise<unknown>,
  mails: readonly BenchMail[],
): Promise<number> {
  for (const mail of mails.slice(0, 2)) await parse(mail.raw);
  const cpu = process.cpuUsage();
  for (const mail of mails) await parse(mail.raw);
  return cpuMsSince(cpu) / mails.length;
}

export async function runHandlerCost(options: SuiteOptions): Promise<SuiteResult> {
  const settings = sizes[options.size];
  const workDir = await mkdtemp(join(tmpdir(), 'spoke-bench-cost-'));
  const loadAtStart = loadNote('at the start');
  const cloud = spawnNode<MailReadyReport>(
    'bench/child-mail-cloud.ts',
    ['--data-dir', join(workDir, 'data')],
    MAIL_READY_MARKER,
  );
  cloud.child.stderr?.pipe(process.stderr);
  try {
    const { urls } = await cloud.report;
    const port = (url: string | undefined) => Number(new URL(url as string).port);
    const tracker = startRequestTracker({
      [port(urls.dynamodb)]: 'dynamodb',
      [port(urls.s3)]: 's3',
      [port(urls.outbox)]: 'ses',
      [port(urls.events)]: 'events',
    });
    // Both handlers run in this one process: the union of their environments from the local template.
    const origins = { portal: urls.portal as string, issuer: urls.identity as string };
    const env: Record<string, string> = {
      ...(await localFunctionEnvironment('functions/handlers/api.ts', origins)),
      ...(await localFunctionEnvironment('functions/handlers/inbound-email.ts', origins)),
      ...LOAD_LIMITS,
    };
    const rawMail = (await loadLocalTemplate()).receiptRule;
    Object.assign(process.env, env, { AWS_REGION: 'local' });
    wireLocalCloud({
      parameters: (await loadLocalTemplate()).parameters,
      endpoints: { dynamodb: urls.dynamodb as string, s3: urls.s3 as string, ses: urls.outbox as string },
      events: new EventBridgeEventPublisher(
        new EventBridgeClient({
          endpoint: urls.events,
          region: 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
        { eventBusName: String(env.EVENT_BUS_NAME) },
      ),
    });
    const inbound = (await import('#handlers/inbound-email.ts')) as {
      handler: (event: SESEvent) => Promise<{ kind: string; ticket?: { id: string; number: string } }[]>;
    };
    const api = (await import('#handlers/api.ts')) as { handler: ApiHandler };
    const s3 = new S3Client({ ...localS3Config, endpoint: urls.s3 });
    const run = randomBytes(3).toString('hex');
    const domain = LOCAL_SUPPORT_ADDRESS.split('@')[1] as string;

    const store = async (mail: BenchMail): Promise<SESEvent> => {
      const messageId = randomBytes(18).toString('hex');
      await s3.send(
        new PutObjectCommand({
          Bucket: rawMail.bucket,
          Key: `${rawMail.prefix}${messageId}`,
          Body: mail.raw,
        }),
      );
      return sesEvent(messageId, mail.raw, mail.from, [LOCAL_SUPPORT_ADDRESS]);
    };
    const deliver = async (event: SESEvent, expected: string) => {
      const [outcome] = await inbound.handler(event);
      if (outcome?.kind !== expected)
        throw new Error(`inbound mail: expected ${expected}, got ${JSON.stringify(outcome)}`);
      return outcome;
    };
    const total = settings.warmup + settings.runs;
    const track = () => tracker.begin();
    const figures: Figure[] = [];
    const mailSamples: Record<keyof typeof MAIL_TARGETS, Sample[]> = {
      'new 5 KB mail': [],
      'reply 5 KB': [],
      '1 MB mail with attachment': [],
    };

    const small = (index: number, replyTo?: MailSpec['replyTo']) =>
      buildMail({
        index,
        size: 'small',
        supportAddress: LOCAL_SUPPORT_ADDRESS,
        senders: total,
        run,
        ...(replyTo ? { replyTo } : {}),
      });
    // New mails, each from its own sender; the tickets they open are what the replies answer.
    const opened: { id: string; number: string; from: string }[] = [];
    mailSamples['new 5 KB mail'] = await measure(
      'new 5 KB mail',
      settings,
      (i) => {
        const mail = small(i);
        return store(mail).then((event) => ({ event, from: mail.from }));
      },
      async ({ event, from }) => {
        const outcome = await deliver(event, 'ticket');
        opened.push({ ...(outcome.ticket as { id: string; number: string }), from });
      },
      track,
    );
    mailSamples['reply 5 KB'] = await measure(
      'reply 5 KB',
      settings,
      (i) => {
        const ticket = opened[i] as (typeof opened)[number];
        const replyTo = {
          messageId: ourMessageId(ticket.id, 'ack', domain),
          number: ticket.number,
          from: ticket.from,
        };
        return store(small(i, replyTo));
      },
      async (event) => {
        await deliver(event, 'article');
      },
      track,
    );
    const largeSettings = { ...settings, runs: Math.max(3, Math.ceil(settings.runs / 3)) };
    mailSamples['1 MB mail with attachment'] = await measure(
      '1 MB mail with attachment',
      largeSettings,
      (i) =>
        store(
          buildMail({
            index: total + i,
            size: 'large',
            supportAddress: LOCAL_SUPPORT_ADDRESS,
            senders: 2 * total,
            run,
          }),
        ),
      async (event) => {
        await deliver(event, 'ticket');
      },
      track,
    );
    for (const [name, target] of Object.entries(MAIL_TARGETS) as [
      keyof typeof MAIL_TARGETS,
      (typeof MAIL_TARGETS)[keyof typeof MAIL_TARGETS],
    ][])
      figures.push(...figuresOf(name, mailSamples[name], target));

    // The API: an employee opens, reads and lists their tickets.
    const employees: Claims[] = Array.from({ length: total }, (_, i) =>
      claimsOf(
        { id: `bench-cost-${run}-${i}`, email: `cost.${run}.${i}@example.com`, name: `Cost ${i}` },
        [],
      ),
    );
    const created: { claims: Claims; id: string }[] = [];
    const apiTarget = { cpu: API_CPU_TARGET, rounds: undefined };
    const apiRead = async (
      name: string,
      request: (ticket: (typeof created)[number]) => [string, string, Claims],
    ) =>
      figuresOf(
        name,
        await measure(
          name,
          settings,
          async (i) => request(created[i] as (typeof created)[number]),
          async ([method, url, claims]) => {
            expectStatus(await invoke(api.handler, claims, method, url), 200, name);
          },
          track,
        ),
        apiTarget,
      );
    figures.push(
      ...figuresOf(
        'API create',
        await measure(
          'API create',
          settings,
          async (i) => employees[i] as Claims,
          async (claims) => {
            const response = expectStatus(
              await invoke(api.handler, claims, 'POST', '/api/tickets', {
                shortDescription: 'Laptop does not wake from sleep',
                description: 'Since the update on Monday the lid has to be closed and opened twice.',
                impact: 3,
                urgency: 2,
              }),
              201,
              'create',
            );
            created.push({ claims, id: response.body.id as string });
          },
          track,
        ),
        apiTarget,
      ),
      ...(await apiRead('API get', ({ claims, id }) => ['GET', `/api/tickets/${id}`, claims])),
      ...(await apiRead('API list (mine)', ({ claims }) => ['GET', '/api/tickets?view=mine', claims])),
    );

    // The parsers alone, on the same messages: Spoke's parseMail (postal-mime) and mailparser.
    const notes: string[] = [];
    const parserSets: Record<Size, BenchMail[]> = {
      small: Array.from({ length: settings.parserRuns }, (_, i) =>
        buildMail({
          index: i,
          size: 'small',
          supportAddress: LOCAL_SUPPORT_ADDRESS,
          senders: 50,
          run: `${run}p`,
        }),
      ),
      large: Array.from({ length: Math.max(3, Math.ceil(settings.parserRuns / 3)) }, (_, i) =>
        buildMail({
          index: i,
          size: 'large',
          supportAddress: LOCAL_SUPPORT_ADDRESS,
          senders: 50,
          run: `${run}p`,
        }),
      ),
    };
    const mailparser = await loadMailparser();
    const parsers = [
      ['postal-mime (parseMail)', (raw: Buffer) => parseMail(raw)] as const,
      ...(mailparser ? [[`mailparser ${mailparser.version}`, mailparser.parse] as const] : []),
    ];
    for (const [name, parse] of parsers) {
      for (const size of ['small', 'large'] as const) {
        figures.push({
          name: `parser CPU, ${size === 'small' ? '5 KB' : '1 MB with attachment'}: ${name}`,
          value: await parserCpu(parse, parserSets[size]),
          unit: 'ms',
          note: `mean of ${parserSets[size].length}, one after another`,
        });
      }
    }
    if (!mailparser) notes.push('mailparser is not in node_modules: only postal-mime was measured.');
    notes.push(
      `${loadAtStart}, ${loadNote('at the end')}.`,
      'Handler CPU is process.cpuUsage() (user + system, all threads) across one handler call, in a process that runs nothing but the handler: the emulators run in a child. It includes the SDK and the HTTP client, as Lambda bills them.',
      'Sequential round trips: a request started while another is in flight counts as parallel. Bytes are request and response bodies (content-length), without HTTP headers.',
    );
    tracker.close();
    s3.destroy();
    return { suite: 'handler-cost', figures, notes };
  } finally {
    await stopChild(cloud);
    await rm(workDir, { recursive: true, force: true });
  }
}

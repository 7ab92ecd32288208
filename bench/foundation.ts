import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { build } from 'esbuild';
import { localS3Config } from '#config/composition-root.ts';
import { externalModules } from '#infra/spoke-function.ts';
import { LOCAL_SUPPORT_ADDRESS } from '#local/cloud.ts';
import { demoUsers } from '#local/demo-users.ts';
import { loadLocalTemplate, localFunctionEnvironment } from '#local/local-template.ts';
import { sesEvent } from '#local/smtp-intake.ts';
import { INVOKED_MARKER, type InvokeReport } from './child-invoke.ts';
import { READY_MARKER, type ReadyReport } from './child-start.ts';
import { startEventBusStandIn } from './event-bus-stand-in.ts';
import { cloudMemory, type NodeChild, repoRoot, spawnNode, stopChild } from './processes.ts';
import type { Figure, SuiteResult } from './report.ts';

const BUNDLE_BUDGET_KB = 300;
export const COLD_START_BUDGET_MS = 150;
const MEMORY_BUDGET_MB = 1200;
const IDLE_BEFORE_MEMORY_MS = 5_000;
const RUNS = 3;

/** The bucket names `startLocalCloud` creates (private constants of functions/local/cloud.ts). */

/**
 * How a handler is bundled. `cdk` is what `SpokeFunction` deploys: `@aws-sdk/*` external (the
 * Lambda runtime's SDK is used) and `@aws-lambda-powertools/*` external (the Powertools layer
 * provides it; `@smithy/*` stays bundled unless the `sdkV3ExcludeSmithyPackages` feature flag
 * is set, which cdk.json does not). `pinned` bundles the SDK and Powertools the lockfile pins
 * instead. (Bundling the SDK alone, Powertools external, was measured on 2026-12-03 and dropped:
 * its import + first event CPU was within noise of `cdk` for every function, at 3–4× the bytes.)
 */
const variants = {
  cdk: externalModules,
  'cdk+smithy-flag': [...externalModules, '@smithy/*'],
  pinned: [],
} as const satisfies Record<string, readonly string[]>;

export type Variant = keyof typeof variants;
const invokedVariants: readonly Variant[] = ['cdk', 'pinned'];

export interface Bundle {
  readonly handler: string;
  readonly variant: Variant;
  readonly file: string;
  readonly bytes: number;
}

/** Bundles one handler with the esbuild options of `infra/spoke-function.ts` (CDK passes them on the CLI). */
export async function bundle(handler: string, variant: Variant, outDir: string): Promise<Bundle> {
  const file = join(outDir, variant, handler, 'index.mjs');
  await build({
    entryPoints: [join(repoRoot, 'functions', 'handlers', `${handler}.ts`)],
    bundle: true,
    outfile: file,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    external: [...variants[variant]],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return { handler, variant, file, bytes: (await stat(file)).size };
}

export async function handlerNames(): Promise<string[]> {
  const files = await readdir(join(repoRoot, 'functions', 'handlers'));
  return files.filter((name) => name.endsWith('.ts')).map((name) => basename(name, '.ts'));
}

function healthEvent(): APIGatewayProxyEventV2WithJWTAuthorizer {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath: '/api/health',
    rawQueryString: '',
    headers: { host: 'api.spoke.localhost', 'user-agent': 'spoke-bench' },
    pathParameters: { proxy: 'health' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.spoke.localhost',
      domainPrefix: 'api',
      http: {
        method: 'GET',
        path: '/api/health',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'spoke-bench',
      },
      requestId: 'bench-request',
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: {}, scopes: [] } },
    },
    isBase64Encoded: false,
  };
}

/** Stores a fresh plain-text mail where the receipt rule's S3 action would and returns its SES event. */
async function inboundMailEvent(s3Endpoint: string) {
  const sender = demoUsers[0] as (typeof demoUsers)[number];
  const messageId = randomBytes(18).toString('hex');
  const raw = Buffer.from(
    [
      `From: ${sender.name} <${sender.email}>`,
      `To: ${LOCAL_SUPPORT_ADDRESS}`,
      'Subject: Printer on floor 3 is offline',
      `Message-ID: <${messageId}@bench.example.com>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The printer next to the kitchen shows "offline" since this morning.',
      '',
    ].join('\r\n'),
  );
  const { bucket, prefix } = (await loadLocalTemplate()).receiptRule;
  const s3 = new S3Client({ ...localS3Config, endpoint: s3Endpoint });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${messageId}`, Body: raw }));
  s3.destroy();
  return sesEvent(messageId, raw, sender.email, [LOCAL_SUPPORT_ADDRESS]);
}

/**
 * The environment a deployed function gets, pointed at the running local cloud through the
 * SDK's service-specific endpoint variables: a bundle cannot call `wireLocalCloud`, so this is
 * the only way in. Credentials are s3rver's; DynamoDB Local (-sharedDb) and the SES outbox take any.
 */
async function lambdaEnv(urls: Record<string, string>, handler: string): Promise<NodeJS.ProcessEnv> {
  // The local template has no federation, so no pre token generation function to take it from.
  // Nor CMDB discovery (opt-in, off locally): it reads only the data settings, as housekeeping does.
  const entry = handler === 'cmdb-discovery' ? 'ticket-housekeeping' : handler;
  const environment =
    handler === 'pre-token-generation'
      ? {}
      : await localFunctionEnvironment(`functions/handlers/${entry}.ts`, {
          portal: urls.portal as string,
          issuer: urls.identity as string,
        });
  // A bundle in a plain process has no Parameter Store to read: the inline change settings serve.
  const { CHANGE_SETTINGS_PARAMETER: _, ...functionEnvironment } = environment as Record<string, string>;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
    AWS_ENDPOINT_URL_S3: urls.s3,
    AWS_ENDPOINT_URL_SES: urls.outbox,
    AWS_ENDPOINT_URL_EVENTBRIDGE: urls.events,
    // CodePipeline has no emulator: the gate's job answers go to the same accept-all stand-in.
    AWS_ENDPOINT_URL_CODEPIPELINE: urls.events,
    ...functionEnvironment,
    GROUP_MAPPING: JSON.stringify({ agents: ['IT-Service-Desk'], approvers: [], admins: [] }),
  };
}

async function firstEvent(handler: string, urls: Record<string, string>): Promise<unknown> {
  if (handler === 'api') return healthEvent();
  // The last round of an approval that does not exist: one DynamoDB read, no mail, no change.
  if (handler === 'change-workflow')
    return { action: 'expire', changeId: 'bench-no-such-change', step: 'cab' };
  if (handler === 'ticket-housekeeping') return {};
  // A mid-month tick: the monthly report mails only in a month's first week (nothing to do here).
  if (handler === 'monthly-report')
    return { id: 'bench', 'detail-type': 'Scheduled Event', time: '2026-11-15T06:00:00.000Z', detail: {} };
  // The expiry of a request that does not exist: one DynamoDB read, no mail.
  if (handler === 'catalog-workflow')
    return { action: 'approval-expire', requestId: 'bench-no-such-request', index: 1 };
  // A record event about no record: parsed and answered without a write (nothing counted or timed).
  if (handler === 'reporting' || handler === 'sla') {
    const detail = { eventId: 'bench' };
    return { id: 'bench', 'detail-type': 'ticket.updated', time: new Date().toISOString(), detail };
  }
  // The search API's first request: unauthenticated, answered without the index.
  if (handler === 'search') return healthEvent();
  // A stream batch with nothing to index.
  if (handler === 'search-indexer') return { Records: [] };
  // A VPC's Config notification (the test fixture): one configuration item upserted.
  if (handler === 'cmdb-discovery')
    return JSON.parse(await readFile(join(repoRoot, 'test/fixtures/events/config/vpc.json'), 'utf8'));
  // A fixture's events (recorded shapes, test/fixtures/events/): read as the rules deliver them.
  const fixture = async (path: string): Promise<unknown> =>
    JSON.parse(await readFile(join(repoRoot, 'test/fixtures/events', path), 'utf8'));
  // The release API's first request: unauthenticated, answered 401 without a read.
  if (handler === 'release-api') return healthEvent();
  // The expiry of a go/no-go round of a release that does not exist: one DynamoDB read.
  if (handler === 'release-workflow') return { action: 'expire', releaseId: 'bench-no-such-release' };
  // A pipeline execution that started: not final, so nothing is read or written.
  if (handler === 'pipeline-events') return fixture('codepipeline/execution-started.json');
  // A CodePipeline job: the gate decides and answers the job (CodePipeline is the stand-in).
  if (handler === 'pipeline-gate') return fixture('codepipeline/lambda-invoke-job.json');
  // An alarm on a resource the CMDB does not hold: an incident against "unknown CI".
  if (handler === 'cloud-operations') return fixture('alarm/unknown-instance-alarm.json');
  // A ticket event without a ticket: nothing to follow.
  if (handler === 'service-status') {
    const detail = { eventId: 'bench' };
    return { id: 'bench', 'detail-type': 'ticket.updated', time: new Date().toISOString(), detail };
  }
  // The run of an asset import that does not exist: one DynamoDB read, nothing imported.
  if (handler === 'asset-import') {
    const detail = { eventId: 'bench', importId: 'bench-no-such-import' };
    return { id: 'bench', 'detail-type': 'asset_import.requested', time: new Date().toISOString(), detail };
  }
  // A change closed that does not exist: one DynamoDB read, nothing resolved.
  if (handler === 'problem-events') {
    const detail = {
      eventId: 'bench',
      changeId: 'bench-no-such-change',
      changes: [{ field: 'state', newValue: 'closed' }],
    };
    return { id: 'bench', 'detail-type': 'change.updated', time: new Date().toISOString(), detail };
  }
  if (handler === 'notifications') {
    const detail = { ticketId: 'NO-SUCH-TICKET', number: 'INC0000000', articleId: 'none', type: 'reply' };
    return { id: 'bench', 'detail-type': 'article.added', time: new Date().toISOString(), detail };
  }
  if (handler === 'mail-feedback') {
    const bounce = { notificationType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [] } };
    return { Records: [{ Sns: { Message: JSON.stringify(bounce) } }] };
  }
  if (handler === 'inbound-email') return inboundMailEvent(urls.s3 as string);
  if (handler === 'pre-token-generation') {
    return {
      version: '1',
      triggerSource: 'TokenGeneration_HostedAuth',
      userName: 'EntraID_bench',
      request: {
        userAttributes: {
          identities: '[{"providerName":"EntraID"}]',
          'custom:idp_groups': '[IT-Service-Desk]',
        },
        groupConfiguration: { groupsToOverride: [] },
      },
      response: {},
    };
  }
  throw new Error(
    `No first event defined for functions/handlers/${handler}.ts: add one to bench/foundation.ts`,
  );
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

export async function coldStarts(
  bundle: Bundle,
  urls: Record<string, string>,
  workDir: string,
  count = RUNS,
): Promise<Figure[]> {
  const runs: InvokeReport[] = [];
  for (let run = 0; run < count; run++) {
    const eventFile = join(workDir, `event-${bundle.handler}-${bundle.variant}-${run}.json`);
    await writeFile(eventFile, JSON.stringify(await firstEvent(bundle.handler, urls)));
    const invocation = spawnNode<InvokeReport>(
      'bench/child-invoke.ts',
      ['--bundle', bundle.file, '--event', eventFile],
      INVOKED_MARKER,
      await lambdaEnv(urls, bundle.handler),
    );
    runs.push(await invocation.report);
    await invocation.exited;
  }
  const outcomes = [...new Set(runs.map((r) => r.outcome))].join('; ');
  const label = `${bundle.handler} (${bundle.variant})`;
  return [
    {
      name: `${label}: import`,
      value: median(runs.map((r) => r.importMs)),
      unit: 'ms',
      note: `${median(runs.map((r) => r.importModules))} module files, ${Math.round(median(runs.map((r) => r.importKb)))} KB of source`,
    },
    {
      name: `${label}: first event`,
      value: median(runs.map((r) => r.firstEventMs)),
      unit: 'ms',
      note: `${outcomes}; ${median(runs.map((r) => r.firstEventModules))} more module files, ${Math.round(median(runs.map((r) => r.firstEventKb)))} KB`,
    },
    {
      name: `${label}: import + first event`,
      value: median(runs.map((r) => r.importMs + r.firstEventMs)),
      unit: 'ms',
      target: COLD_START_BUDGET_MS,
      note: `median of ${count} fresh processes`,
    },
    {
      name: `${label}: import + first event, CPU`,
      value: median(runs.map((r) => r.importCpuMs + r.firstEventCpuMs)),
      unit: 'ms',
      target: COLD_START_BUDGET_MS,
      note: `user + system CPU of the process for the same steps, median of ${count}: a loaded machine stretches it far less than wall time`,
    },
  ];
}

export async function startCloud(
  dataDir: string,
): Promise<{ cloud: NodeChild<ReadyReport>; wallMs: number }> {
  const spawned = performance.now();
  const cloud = spawnNode<ReadyReport>('bench/child-start.ts', ['--data-dir', dataDir], READY_MARKER);
  await cloud.report;
  return { cloud, wallMs: performance.now() - spawned };
}

export const stopCloud = stopChild;

function startFigure(name: string, wallMs: number, ready: ReadyReport): Figure {
  return {
    name,
    value: wallMs,
    unit: 'ms',
    note: `spawn → ready; imports ${Math.round(ready.importMs)} ms, startLocalCloud() ${Math.round(ready.startMs)} ms`,
  };
}

/**
 * The foundation figures: local cloud start (fresh and restart) and memory at rest, and per
 * Lambda bundle its minified size and cold start (import + first event). Each start and each
 * cold start runs in a fresh process, so module imports are cold as they are for a user or in Lambda.
 */
export async function runFoundation(): Promise<SuiteResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'spoke-bench-'));
  const figures: Figure[] = [];
  const notes: string[] = [];
  const running: NodeChild<ReadyReport>[] = [];
  try {
    const bundleDir = join(workDir, 'bundles');
    await mkdir(bundleDir, { recursive: true });
    await symlink(join(repoRoot, 'node_modules'), join(bundleDir, 'node_modules'), 'dir');
    const bundles: Bundle[] = [];
    for (const handler of await handlerNames()) {
      for (const variant of Object.keys(variants) as Variant[])
        bundles.push(await bundle(handler, variant, bundleDir));
    }
    for (const b of bundles) {
      figures.push({
        name: `${b.handler} (${b.variant}): bundle size`,
        value: b.bytes / 1024,
        unit: 'KB',
        ...(b.variant === 'cdk' ? { target: BUNDLE_BUDGET_KB } : {}),
        note: 'index.mjs, minified, without its source map',
      });
    }

    const dataDir = join(workDir, 'data');
    const fresh = await startCloud(dataDir);
    running.push(fresh.cloud);
    figures.push(
      startFigure('local cloud start, fresh data dir (seeds)', fresh.wallMs, await fresh.cloud.report),
    );
    await stopCloud(fresh.cloud);

    const restart = await startCloud(dataDir);
    running.push(restart.cloud);
    const ready = await restart.cloud.report;
    figures.push(startFigure('local cloud start, restart on same data dir', restart.wallMs, ready));

    await sleep(IDLE_BEFORE_MEMORY_MS);
    const memory = await cloudMemory(ready.pid, Number(new URL(ready.urls.dynamodb as string).port));
    if (!memory.jvmFound)
      notes.push('No DynamoDB Local JVM was found under the cloud process: JVM memory is missing.');
    figures.push(
      { name: 'RSS at rest: node', value: memory.nodeMB, unit: 'MB' },
      { name: 'RSS at rest: DynamoDB Local JVM', value: memory.jvmMB, unit: 'MB' },
      { name: 'RSS at rest: other (sh watchdog, …)', value: memory.otherMB, unit: 'MB' },
      {
        name: 'RSS at rest: total',
        value: memory.totalMB,
        unit: 'MB',
        target: MEMORY_BUDGET_MB,
        note: `after ready + ${IDLE_BEFORE_MEMORY_MS / 1000} s idle, process tree of the cloud`,
      },
    );

    const eventBus = await startEventBusStandIn();
    try {
      for (const b of bundles.filter((b) => invokedVariants.includes(b.variant))) {
        figures.push(...(await coldStarts(b, { ...ready.urls, events: eventBus.url }, workDir)));
      }
    } finally {
      eventBus.server.close();
    }
    notes.push(
      'Cold starts run with NODE_OPTIONS=--enable-source-maps, as SpokeFunction deploys them; the `cdk` variant resolves @aws-sdk/* and @aws-lambda-powertools/* from node_modules, standing in for the Lambda runtime SDK and the Powertools layer.',
      'inbound-email talks to the local cloud through AWS_ENDPOINT_URL_{DYNAMODB,S3,SES}; its first event reads S3, writes DynamoDB and sends SES on loopback emulators, so it is not an AWS latency.',
    );
    return { suite: 'foundation', figures, notes };
  } finally {
    for (const cloud of running) await stopCloud(cloud);
    await rm(workDir, { recursive: true, force: true });
  }
}

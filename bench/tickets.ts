import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { wireLocalCloud } from '#config/composition-root.ts';
import { addMember, createGroup, saveRoutingConfig } from '#core/group/group-service.ts';
import type { Person, TicketKind } from '#core/ticket/ticket.ts';
import {
  type ApiHandler,
  flattenClaims,
  routesForHandler,
  startApiGateway,
  toEvent,
} from '#local/api-gateway.ts';
import { LOCAL_CLIENT_ID, LOCAL_TABLE_PREFIX } from '#local/cloud.ts';
import { ensureTables } from '#local/create-tables.ts';
import { type DemoUser, demoUsers } from '#local/demo-users.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { createLocalEventBus } from '#local/event-bus.ts';
import { startIdentityProvider } from '#local/identity-provider.ts';
import { functionByEntry, loadLocalTemplate } from '#local/local-template.ts';
import { claimPort } from '#local/preflight.ts';
import { signIn } from '../test/support/sign-in.ts';
import { type CountingProxy, countsSince, describeCounts, startCountingProxy } from './dynamo-proxy.ts';
import { cloudMemory, repoRoot, UNLIMITED_TICKET_OPENS } from './processes.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';
import {
  AGENTS_PER_GROUP,
  currentSequences,
  EMPLOYEES,
  employee,
  GROUPS,
  groupAgent,
  loadTickets,
  MEASURED_GROUP,
  type TicketRef,
} from './ticket-data.ts';

/**
 * The ticket-engine suite: create, get with conversation, update and the lists, through the
 * real API handler against DynamoDB Local, at 1,000 tickets and again at 100,000 (the same
 * table, topped up), with the DynamoDB requests each operation sends.
 *
 * The handler runs in this process and is handed the `APIGatewayProxyEventV2` the local API
 * Gateway builds (`toEvent`) with the claims its JWT authorizer passes (`flattenClaims`), so
 * a figure is handler + DynamoDB and nothing else; create and get are also measured once
 * through the emulator over HTTP, JWT verification included, to show what that adds.
 * DynamoDB Local sits behind a counting TCP proxy (`dynamo-proxy.ts`); the tickets are
 * loaded around the handler with the store's key functions (`ticket-data.ts`).
 */

const CREATE_P50_BUDGET_MS = 10;
const GET_P50_BUDGET_MS = 10;
const LIST_P50_BUDGET_MS = 15;
/** 100 tickets/s with 8 concurrent clients is 10 ms of wall time per ticket. */
const CREATE_THROUGHPUT_BUDGET_MS = 1000 / 100;
const LIST_RATIO_BUDGET = 1.2;
const CLIENTS = 8;
/** Concurrent creators of one record type, each on its own handler instance (issue 12). */
const CREATORS = 32;
const PAGE = 25;
const TENTH_PAGE = 10;

interface Settings {
  readonly scales: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  readonly concurrentCreates: number;
}
const full: Settings = { scales: [1_000, 100_000], runs: 200, warmup: 20, concurrentCreates: 800 };
const quick: Settings = { scales: [1_000, 10_000], runs: 60, warmup: 10, concurrentCreates: 240 };
const smoke: Settings = { scales: [1_000], runs: 15, warmup: 5, concurrentCreates: 48 };

const scaleLabel = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Claims as API Gateway's JWT authorizer hands them over: strings, lists as `[a b]`. */
export function claimsOf(person: Person, groups: readonly string[]) {
  const now = Math.floor(Date.now() / 1000);
  return flattenClaims({
    sub: person.id,
    email: person.email,
    email_verified: true,
    ...(person.name ? { name: person.name } : {}),
    'cognito:username': person.id,
    ...(groups.length > 0 ? { 'cognito:groups': [...groups] } : {}),
    token_use: 'id',
    aud: LOCAL_CLIENT_ID,
    iss: 'http://127.0.0.1/bench',
    iat: now,
    exp: now + 3600,
  });
}
export type Claims = ReturnType<typeof claimsOf>;

export const lambdaContext = (requestId: string): Context => ({
  awsRequestId: requestId,
  functionName: 'spoke-bench-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:spoke-bench-api',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/spoke-bench-api',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export interface Response {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One request to a handler instance, as the local API Gateway would pass it; returns status and JSON body. */
export async function invoke(
  handler: ApiHandler,
  claims: Claims,
  method: string,
  url: string,
  body?: unknown,
): Promise<Response> {
  const requestId = randomUUID();
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  const request = {
    url,
    method,
    httpVersion: '1.1',
    headers: {
      host: '127.0.0.1',
      'user-agent': 'spoke-bench',
      accept: 'application/json',
      ...(payload.length > 0 ? { 'content-type': 'application/json' } : {}),
    },
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
  const result = (await handler(
    toEvent(request, payload, claims, requestId),
    lambdaContext(requestId),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : {} };
}

export function expectStatus(response: Response, status: number, what: string): Response {
  if (response.status !== status)
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}

interface Sample {
  readonly ms: number;
  /** Of `ms`, the time spent waiting on DynamoDB Local. */
  readonly dynamoMs: number;
  readonly requests: string;
}

interface OperationResult {
  readonly p50: number;
  readonly p95: number;
  /** Median time in DynamoDB Local per call. */
  readonly dynamoP50: number;
  readonly requests: string;
}

/**
 * Runs `call` `warmup` times unmeasured, then `runs` times one after the other. `call` times
 * its own measured part (so a list walk can time its 10th page only) and returns it; the
 * DynamoDB requests are those the proxy saw during the measured part.
 */
async function measure(
  proxy: CountingProxy,
  runs: number,
  warmup: number,
  call: (i: number, timed: <T>(work: () => Promise<T>) => Promise<T>) => Promise<void>,
): Promise<OperationResult> {
  const samples: Sample[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    let sample: Sample | undefined;
    await call(i, async (work) => {
      const before = proxy.counts();
      const busy = proxy.busyMs();
      const started = performance.now();
      const result = await work();
      const ms = performance.now() - started;
      sample = {
        ms,
        dynamoMs: proxy.busyMs() - busy,
        requests: describeCounts(countsSince(before, proxy.counts())),
      };
      return result;
    });
    if (!sample) throw new Error('A measured call did not time its work');
    if (i >= warmup) samples.push(sample);
  }
  const ms = samples.map((s) => s.ms);
  return {
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    dynamoP50: percentile(
      samples.map((s) => s.dynamoMs),
      50,
    ),
    requests: requestSummary(samples),
  };
}

/** The usual request mix of an operation, then any other mix with how often it happened. */
function requestSummary(samples: readonly Sample[]): string {
  const tally = new Map<string, number>();
  for (const s of samples) tally.set(s.requests, (tally.get(s.requests) ?? 0) + 1);
  const [usual, ...others] = [...tally].sort((a, b) => b[1] - a[1]);
  if (!usual) return 'none';
  return [usual[0], ...others.map(([mix, count]) => `${mix} on ${count}/${samples.length}`)].join('; ');
}

/**
 * Runs `total` calls spread over `clients` loops that each wait for their previous answer.
 * On a thrown error no new call starts, the running ones finish, then the error is thrown.
 */
async function concurrently(
  clients: number,
  total: number,
  call: (client: number, i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let failed = false;
  const started = performance.now();
  const loops = await Promise.allSettled(
    Array.from({ length: clients }, async (_, client) => {
      while (next < total && !failed) {
        try {
          await call(client, next++);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const rejected = loops.find((loop) => loop.status === 'rejected');
  if (rejected) throw rejected.reason;
  return performance.now() - started;
}

const unused = 'http://127.0.0.1:9';
const apiHandlerUrl = pathToFileURL(join(repoRoot, 'functions', 'handlers', 'api.ts')).href;
let instances = 0;

/**
 * A fresh instance of the API handler module, as a new Lambda container has: its own
 * DynamoDB client, ticket store (with its number cache) and group cache.
 */
async function freshHandler(): Promise<ApiHandler> {
  const module = (await import(`${apiHandlerUrl}?bench-instance=${++instances}`)) as { handler: ApiHandler };
  return module.handler;
}

/**
 * Where DynamoDB Local keeps its database file: tmpfs when the machine has one. The local
 * cloud keeps it on disk, where BatchWriteItem waits for fsyncs (the bulk load is about 2.5×
 * slower there; TransactWriteItems measured the same on both). `SPOKE_BENCH_DATA_DIR`
 * chooses another place.
 */
function dataRoot(): string {
  if (process.env.SPOKE_BENCH_DATA_DIR) return process.env.SPOKE_BENCH_DATA_DIR;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

const person = (user: DemoUser): Person => ({ id: user.sub, email: user.email, name: user.name });
const demo = (username: string) => demoUsers.find((u) => u.username === username) as DemoUser;

export async function runTickets(options: SuiteOptions): Promise<SuiteResult> {
  const settings = { smoke, quick, full }[options.size];
  const figures: Figure[] = [];
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const workDir = await mkdtemp(join(dataRoot(), 'spoke-bench-tickets-'));
  const log = (message: string) => process.stderr.write(`[bench] tickets: ${message}\n`);
  const savedEnv = { ...process.env };
  try {
    const dynamoPort = await claimPort(0, 'DynamoDB Local');
    const dynamo = await startDynamoDbLocal({ port: dynamoPort, dataDir: join(workDir, 'dynamodb') });
    stops.push(() => dynamo.stop());
    const direct = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stops.push(async () => direct.destroy());
    const documents = DynamoDBDocumentClient.from(direct, {
      marshallOptions: { removeUndefinedValues: true },
    });
    await ensureTables(direct, LOCAL_TABLE_PREFIX);
    const table = tableName(LOCAL_TABLE_PREFIX, domainTable);

    const proxy = await startCountingProxy(dynamo.endpoint);
    stops.push(() => proxy.close());

    // Groups, members and routing through the core, as an admin would set them up.
    const emma = person(demo('employee'));
    const alex = person(demo('agent'));
    const admin = demo('admin');
    const adminActor = { id: admin.sub, email: admin.email, name: admin.name, groups: [...admin.groups] };
    const groupDeps = {
      groups: new DynamoGroupStore({ client: documents, domainTable: table }),
      clock: { now: () => new Date() },
    };
    for (const group of GROUPS) {
      await createGroup(groupDeps, adminActor, { id: group, name: `Group ${group}` });
      for (let n = 1; n <= AGENTS_PER_GROUP; n++) {
        const agent = groupAgent(group, n);
        await addMember(groupDeps, adminActor, group, { email: agent.email, name: agent.name as string });
      }
    }
    for (const group of [MEASURED_GROUP, 'g08', 'g13'])
      await addMember(groupDeps, adminActor, group, { email: alex.email, name: alex.name as string });
    await saveRoutingConfig(groupDeps, adminActor, {
      version: 0,
      defaultGroup: 'g01',
      rules: [
        {
          id: 'network',
          name: 'Network',
          conditions: { keywords: ['vpn', 'wi-fi'] },
          actions: { group: 'g03' },
        },
        {
          id: 'devices',
          name: 'Devices',
          conditions: { keywords: ['printer', 'laptop', 'monitor'] },
          actions: { group: 'g05' },
        },
      ],
    });

    // The handler, wired to DynamoDB Local through the proxy; S3 and SES are never called by these routes.
    // The local cloud's own function environment, so the suite follows every variable the API gains.
    const template = await loadLocalTemplate();
    Object.assign(process.env, functionByEntry(template, 'functions/handlers/api.ts').environment, {
      DOMAIN_TABLE: table,
      IDEMPOTENCY_TABLE: tableName(LOCAL_TABLE_PREFIX, idempotencyTable),
      EVENT_BUS_NAME: 'spoke-bench-events',
      ATTACHMENT_BUCKET: 'spoke-bench-attachments',
      ...UNLIMITED_TICKET_OPENS,
    });
    wireLocalCloud({
      endpoints: { dynamodb: proxy.endpoint, s3: unused, ses: unused },
      events: createLocalEventBus().publisher,
      parameters: template.parameters,
    });
    const handler = await freshHandler();

    // The same handler behind the API Gateway emulator, with tokens from the local identity provider.
    const redirectUri = 'http://127.0.0.1:9/auth/callback';
    const identity = await startIdentityProvider({
      port: 0,
      clientId: LOCAL_CLIENT_ID,
      redirectUris: [redirectUri],
      postLogoutRedirectUris: ['http://127.0.0.1:9/'],
      users: demoUsers,
    });
    stops.push(() => identity.close());
    const gateway = await startApiGateway({
      port: 0,
      routes: routesForHandler({
        handler,
        issuer: identity.issuer,
        audience: LOCAL_CLIENT_ID,
        publicRoutes: ['GET /api/health'],
      }),
    });
    stops.push(() => gateway.close());
    const token = async (username: string) => {
      const { body } = await signIn({
        issuer: identity.issuer,
        clientId: LOCAL_CLIENT_ID,
        redirectUri,
        username,
      });
      if (!body.id_token) throw new Error(`Sign-in of ${username} failed: ${body.error}`);
      return body.id_token;
    };

    const emmaClaims = claimsOf(emma, []);
    const alexClaims = claimsOf(alex, demo('agent').groups);
    const creators = Array.from({ length: 50 }, (_, i) => claimsOf(employee(EMPLOYEES - i), []));
    const newTicket = (i: number) => ({
      shortDescription: ['Printer jams on every page', 'VPN asks for the password twice', 'Outlook is slow'][
        i % 3
      ] as string,
      description: 'Since this morning; restarting did not help. Please have a look.',
      impact: 3,
      urgency: 2,
    });
    const create = async (h: ApiHandler, i: number) =>
      expectStatus(
        await invoke(h, creators[i % creators.length] as Claims, 'POST', '/api/tickets', newTicket(i)),
        201,
        'create',
      );

    let sequences: Record<TicketKind, number> = await currentSequences(documents, table);
    let loaded = 0;
    const results = new Map<string, OperationResult>();
    const versions = new Map<string, number>();
    let edits = 0;
    const seed = 20_260_101;
    const until = Date.now() - 3600_000;
    const from = until - 365 * 24 * 3600_000;

    for (const scale of settings.scales) {
      const label = scaleLabel(scale);
      // Top up the table to this scale.
      const started = performance.now();
      const set = await loadTickets(
        documents,
        table,
        {
          count: scale - loaded,
          firstIndex: loaded,
          sequences,
          from,
          until,
          measuredRequester: emma,
          measuredAgent: alex,
          seed: seed + loaded,
        },
        8,
        (tickets, items) => log(`${label}: ${tickets} tickets (${items} items) written`),
      );
      const loadMs = performance.now() - started;
      notes.push(
        `${label}: loaded ${scale - loaded} tickets (${set.items} items) in ${round(loadMs / 1000)} s, ${Math.round(set.items / (loadMs / 1000))} items/s (BatchWriteItem × 8 in flight).`,
      );
      log(`${label}: loaded ${scale - loaded} tickets in ${round(loadMs / 1000)} s`);
      loaded = scale;
      for (const ref of [...set.withConversation, ...set.active]) versions.set(ref.id, ref.version);

      // Cold containers: the first request of a fresh handler instance, caches empty.
      if (scale === settings.scales[0]) {
        const first = async (name: string, note: string, work: (h: ApiHandler) => Promise<unknown>) => {
          const cold = await freshHandler();
          const before = proxy.counts();
          const started = performance.now();
          await work(cold);
          figures.push({
            name: `${label}: fresh instance, first ${name}`,
            value: performance.now() - started,
            unit: 'ms',
            note: `${describeCounts(countsSince(before, proxy.counts()))}: ${note}`,
          });
        };
        await first(
          'create',
          'routing config read, the number taken with one counter update, then the create transaction',
          (h) => create(h, 0),
        );
        const ref = set.withConversation[0] as TicketRef;
        await first('get (agent)', "the agent's groups are read once per 30 s", async (h) =>
          expectStatus(await invoke(h, alexClaims, 'GET', `/api/tickets/${ref.id}`), 200, 'cold get'),
        );
      }

      // One warm-up create on the measured instance.
      await create(handler, 0);

      // The first scale runs everything twice and keeps the second pass: DynamoDB Local's JIT
      // (C1 only, as the local cloud starts it) would otherwise make the 1k figures the slow ones.
      const passes = scale === settings.scales[0] ? ['JVM warm-up', 'measured'] : ['measured'];
      for (const pass of passes) {
        const op = async (name: string, work: () => Promise<OperationResult>) => {
          log(`${label}: ${name}${pass === 'measured' ? '' : ` (${pass})`}`);
          const result = await work();
          if (pass === 'measured') results.set(`${label} ${name}`, result);
          return result;
        };
        const { runs, warmup } = settings;

        await op('create', () =>
          measure(proxy, runs, warmup, async (i, timed) => void (await timed(() => create(handler, i)))),
        );

        const conversations = set.withConversation;
        await op('get with conversation', () =>
          measure(proxy, runs, warmup, async (i, timed) => {
            const ref = conversations[i % conversations.length] as TicketRef;
            const response = await timed(() => invoke(handler, alexClaims, 'GET', `/api/tickets/${ref.id}`));
            expectStatus(response, 200, 'get');
            const articles = (response.body.articles as unknown[]).length;
            if (articles !== ref.articles)
              throw new Error(`get: expected ${ref.articles} articles, got ${articles}`);
          }),
        );

        const active = set.active;
        await op('update', () =>
          measure(proxy, runs, warmup, async (i, timed) => {
            const ref = active[i % active.length] as TicketRef;
            const version = versions.get(ref.id) as number;
            const response = await timed(() =>
              invoke(handler, alexClaims, 'PATCH', `/api/tickets/${ref.id}`, {
                version,
                shortDescription: `Edited by the bench (${++edits})`,
              }),
            );
            expectStatus(response, 200, 'update');
            versions.set(ref.id, response.body.version as number);
          }),
        );

        const listPage = async (
          claims: Claims,
          query: string,
          page: number,
          timed: <T>(w: () => Promise<T>) => Promise<T>,
        ) => {
          let cursor: string | undefined;
          for (let p = 1; p <= page; p++) {
            const url = `/api/tickets?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
            const call = () => invoke(handler, claims, 'GET', url);
            const response = expectStatus(
              p === page ? await timed(call) : await call(),
              200,
              `list ${query} page ${p}`,
            );
            const items = (response.body.items as unknown[]).length;
            if (items !== PAGE) throw new Error(`list ${query} page ${p}: ${items} items, expected ${PAGE}`);
            cursor = response.body.cursor as string | undefined;
            if (p < page && !cursor) throw new Error(`list ${query} ended before page ${page}`);
          }
        };
        const mine = 'view=mine';
        const queue = `view=queue&group=${MEASURED_GROUP}&state=new`;
        const pageRuns = Math.max(20, Math.floor(runs / 2));
        await op('list mine, page 1', () =>
          measure(proxy, runs, warmup, (_, timed) => listPage(emmaClaims, mine, 1, timed)),
        );
        await op('list mine, page 10', () =>
          measure(proxy, pageRuns, 2, (_, timed) => listPage(emmaClaims, mine, TENTH_PAGE, timed)),
        );
        await op('list queue, page 1', () =>
          measure(proxy, runs, warmup, (_, timed) => listPage(alexClaims, queue, 1, timed)),
        );
        await op('list queue, page 10', () =>
          measure(proxy, pageRuns, 2, (_, timed) => listPage(alexClaims, queue, TENTH_PAGE, timed)),
        );

        // Through the API Gateway emulator over HTTP: JWT verification, event building, loopback HTTP.
        const averyToken = await token('approver');
        const alexToken = await token('agent');
        const http = async (bearer: string, method: string, path: string, body?: unknown) => {
          const response = await fetch(`${gateway.url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${bearer}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          const text = await response.text();
          return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
        };
        await op('create over HTTP', () =>
          measure(proxy, runs, warmup, async (i, timed) => {
            expectStatus(
              await timed(() => http(averyToken, 'POST', '/api/tickets', newTicket(i))),
              201,
              'HTTP create',
            );
          }),
        );
        await op('get with conversation over HTTP', () =>
          measure(proxy, runs, warmup, async (i, timed) => {
            const ref = conversations[i % conversations.length] as TicketRef;
            expectStatus(
              await timed(() => http(alexToken, 'GET', `/api/tickets/${ref.id}`)),
              200,
              'HTTP get',
            );
          }),
        );
      }

      // Throughput: 8 clients, each sending its next create when the previous one is answered.
      const throughput = async (name: string, handlers: readonly ApiHandler[], clients = CLIENTS) => {
        log(`${label}: ${name}`);
        for (const h of handlers) for (let w = 0; w < 2; w++) await create(h, w);
        const statuses = new Map<number, number>();
        // A create that fails logs its error as the API does; count those lines instead of printing them.
        const logError = console.error;
        let errorLines = 0;
        console.error = () => {
          errorLines++;
        };
        const before = proxy.counts();
        let wallMs: number;
        try {
          wallMs = await concurrently(clients, settings.concurrentCreates, async (client, i) => {
            const response = await invoke(
              handlers[client % handlers.length] as ApiHandler,
              creators[i % creators.length] as Claims,
              'POST',
              '/api/tickets',
              newTicket(i),
            );
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          });
        } finally {
          console.error = logError;
        }
        const seen = countsSince(before, proxy.counts());
        const created = statuses.get(201) ?? 0;
        const failures = [...statuses].filter(([status]) => status !== 201);
        const perCreate = (seen.TransactWriteItems ?? 0) / settings.concurrentCreates;
        const serverErrors = failures
          .filter(([status]) => status >= 500)
          .reduce((sum, [, count]) => sum + count, 0);
        const retried = Math.max(0, (seen.TransactWriteItems ?? 0) - settings.concurrentCreates);
        figures.push({
          name: `${label}: ${name}`,
          value: wallMs / created,
          unit: 'ms',
          target: CREATE_THROUGHPUT_BUDGET_MS,
          note: [
            `wall ms per created ticket = ${Math.round((created * 1000) / wallMs)} tickets/s`,
            `${settings.concurrentCreates} creates`,
            ...(failures.length
              ? [
                  `FAILED: ${failures.map(([status, count]) => `${count} × HTTP ${status}`).join(', ')} (${errorLines} error logs)`,
                ]
              : []),
            `${round(perCreate, 2)} TransactWriteItems per create (${describeCounts(seen)})`,
            `transactions retried for contention: ${retried}; 5xx: ${serverErrors}`,
          ].join('; '),
        });
      };
      const containers = await Promise.all(Array.from({ length: CLIENTS }, () => freshHandler()));
      await throughput(`create, ${CLIENTS} clients on ${CLIENTS} handler instances`, containers);
      await throughput(`create, ${CLIENTS} clients on 1 handler instance`, [handler]);
      // Numbers under concurrency (issue 12): 32 creators at once, each on its own handler instance.
      const crowd = await Promise.all(Array.from({ length: CREATORS }, () => freshHandler()));
      await throughput(
        `create, ${CREATORS} concurrent creators on ${CREATORS} handler instances`,
        crowd,
        CREATORS,
      );

      const memory = await cloudMemory(process.pid, dynamoPort);
      const dbFile = await stat(join(workDir, 'dynamodb', 'shared-local-instance.db')).catch(() => undefined);
      figures.push({
        name: `${label}: DynamoDB Local JVM RSS`,
        value: memory.jvmMB,
        unit: 'MB',
        note: `-Xmx256m as the local cloud runs it; database file ${dbFile ? Math.round(dbFile.size / 2 ** 20) : '?'} MB`,
      });

      const push = (name: string, target: number | undefined, extra = '') => {
        const r = results.get(`${label} ${name}`) as OperationResult;
        figures.push({
          name: `${label}: ${name} p50`,
          value: r.p50,
          unit: 'ms',
          ...(target === undefined ? {} : { target }),
          note: `p95 ${round(r.p95)} ms; in DynamoDB Local ${round(r.dynamoP50)} ms (p50); ${r.requests}${extra}`,
        });
      };
      push('create', CREATE_P50_BUDGET_MS);
      push('get with conversation', GET_P50_BUDGET_MS, ' (5 articles)');
      push('update', undefined);
      const ratio = (name: string) => {
        const first = results.get(`${scaleLabel(settings.scales[0] as number)} ${name}`) as OperationResult;
        const now = results.get(`${label} ${name}`) as OperationResult;
        if (first === now) return '';
        const value = now.p50 / first.p50;
        return `; p50 ${label}/${scaleLabel(settings.scales[0] as number)} = ${value.toFixed(2)} (≤ ${LIST_RATIO_BUDGET}: ${value <= LIST_RATIO_BUDGET ? 'within' : 'OVER'})`;
      };
      for (const name of [
        'list mine, page 1',
        'list mine, page 10',
        'list queue, page 1',
        'list queue, page 10',
      ])
        push(name, LIST_P50_BUDGET_MS, ratio(name));
      push(
        'create over HTTP',
        undefined,
        ` (in-process ${round((results.get(`${label} create`) as OperationResult).p50)} ms)`,
      );
      push(
        'get with conversation over HTTP',
        undefined,
        ` (in-process ${round((results.get(`${label} get with conversation`) as OperationResult).p50)} ms)`,
      );
      sequences = await currentSequences(documents, table);
    }

    // What the counting hop itself costs: one GetItem, direct and through the proxy.
    const viaProxy = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const hop = async (client: DynamoDBClient) => {
      const ms: number[] = [];
      for (let i = 0; i < 300; i++) {
        const started = performance.now();
        await client.send(
          new GetItemCommand({
            TableName: table,
            Key: { pk: { S: 'COUNTER#incident' }, sk: { S: '#COUNTER' } },
          }),
        );
        if (i >= 50) ms.push(performance.now() - started);
      }
      return percentile(ms, 50);
    };
    const directMs = await hop(direct);
    const proxiedMs = await hop(viaProxy);
    viaProxy.destroy();
    notes.push(
      `The counting proxy adds ${round(proxiedMs - directMs, 2)} ms per DynamoDB request (GetItem p50 ${round(directMs, 2)} ms direct, ${round(proxiedMs, 2)} ms through it); the figures include it.`,
      `Data: ${loaded} tickets over ${GROUPS.length} groups and ${EMPLOYEES} requesters, 6 states, ${AGENTS_PER_GROUP} agents a group; the measured requester has 320 tickets at every scale (the list grows only with the table), the measured queue (${MEASURED_GROUP}, new) holds 300 at 1k and grows with the table.`,
      `Sequential figures: ${settings.runs} runs after ${settings.warmup} warm-up (10th pages: ${Math.max(20, Math.floor(settings.runs / 2))} walks, only the 10th request timed). Handler called in-process with the event of the local API Gateway; agent requests add a group-membership Query when the 30 s group cache is cold.`,
      `"${CLIENTS} handler instances" imports the handler module ${CLIENTS} times, like ${CLIENTS} Lambda containers: every create takes its number with one atomic counter update (the UpdateItem counts) before its transaction, which writes only new items, so concurrent creates do not conflict (docs/adr/0002-record-numbers.md). "1 handler instance" is the local cloud: its creates run concurrently. "${CREATORS} concurrent creators" is the issue-12 figure: creates/s, transactions retried for contention (TransactWriteItems beyond one per create), 5xx (must be 0).`,
    );
    return { suite: 'tickets', figures, notes };
  } finally {
    for (const stop of stops.reverse())
      await stop().catch((error) => console.error(`[bench] tickets: stop: ${error}`));
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    await rm(workDir, { recursive: true, force: true });
  }
}

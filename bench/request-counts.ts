import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTransport } from 'nodemailer';
import { PowertoolsTelemetry } from '#adapters/powertools/telemetry.powertools.ts';
import { LOCAL_CLIENT_ID, LOCAL_SUPPORT_ADDRESS, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import type { CostData, Usage } from '#ops/cost-model.ts';
import { signIn } from '../test/support/sign-in.ts';
import { repoRoot, UNLIMITED_TICKET_OPENS } from './processes.ts';

/**
 * `npm run cost:measure`: drives the local cloud through one ticket's life — opened by mail
 * and acknowledged, three articles (an agent's reply, the requester's reply by mail, another
 * agent reply), resolved, read by the requester — and counts every request the handlers send:
 * DynamoDB requests with the capacity units DynamoDB Local reports for them, S3, SES and
 * EventBridge requests, Lambda invocations and API requests. It also measures one agent queue
 * page, one "my tickets" page and one housekeeping run. The figures replace the `measured`
 * part of functions/ops/cost-data.json, which `npm run cost` reads.
 *
 * Counting sits on the AWS SDK's `Client.prototype.send`, which every SDK client shares, so
 * the handlers run unchanged; DynamoDB requests are sent with `ReturnConsumedCapacity: TOTAL`.
 */

const dataFile = join(repoRoot, 'functions/ops/cost-data.json');

const readOperations = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const documentOperations: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

interface Tally {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  invocations: number;
  invocationMs: number;
  apiRequests: number;
  mailsReceived: number;
  events: number;
}

const emptyTally = (): Tally => ({
  requests: {},
  readUnits: 0,
  writeUnits: 0,
  invocations: 0,
  invocationMs: 0,
  apiRequests: 0,
  mailsReceived: 0,
  events: 0,
});

let tally = emptyTally();

type Capacity = { CapacityUnits?: number };

function countSdkRequests(): void {
  const bases = new Set(
    [DynamoDBClient, DynamoDBDocumentClient, S3Client, SESClient, EventBridgeClient].map(
      (client) =>
        Object.getPrototypeOf(client.prototype) as {
          send: (command: { input: Record<string, unknown> }, ...rest: unknown[]) => Promise<unknown>;
        },
    ),
  );
  for (const base of bases) {
    const send = base.send;
    base.send = async function (
      this: object,
      command: { input: Record<string, unknown> },
      ...rest: unknown[]
    ) {
      const service = this.constructor.name.replace(/(Document)?Client$/, '');
      const name = command.constructor.name.replace(/Command$/, '');
      const operation = service === 'DynamoDB' ? (documentOperations[name] ?? name) : name;
      const key = `${service}:${operation}`;
      tally.requests[key] = (tally.requests[key] ?? 0) + 1;
      if (service === 'DynamoDB' && operation !== 'DescribeTable' && operation !== 'CreateTable') {
        command.input.ReturnConsumedCapacity ??= 'TOTAL';
      }
      const output = (await send.call(this, command, ...rest)) as {
        ConsumedCapacity?: Capacity | Capacity[];
      };
      const units = [output?.ConsumedCapacity ?? []]
        .flat()
        .reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (readOperations.has(operation)) tally.readUnits += units;
      else tally.writeUnits += units;
      return output;
    };
  }
  // Locally an event's subscribers run inside the invocation that published it (in AWS they
  // are invocations of their own, later): wall time is summed for outermost invocations only,
  // so nested work is counted once.
  const invocation = PowertoolsTelemetry.prototype.invocation;
  let depth = 0;
  PowertoolsTelemetry.prototype.invocation = async function <T>(
    this: PowertoolsTelemetry,
    context: Parameters<typeof invocation>[0],
    work: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    depth++;
    try {
      return (await invocation.call(this, context, work)) as T;
    } finally {
      depth--;
      tally.invocations++;
      if (depth === 0) tally.invocationMs += performance.now() - started;
    }
  } as typeof invocation;
}

function usageOf(t: Tally): Usage {
  const only = (service: string) =>
    Object.entries(t.requests)
      .filter(([key]) => key.startsWith(`${service}:`))
      .reduce((sum, [, count]) => sum + count, 0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    apiRequests: t.apiRequests,
    lambdaInvocations: t.invocations,
    lambdaMs: Math.round(t.invocationMs),
    dynamodbReadUnits: round(t.readUnits),
    dynamodbWriteUnits: round(t.writeUnits),
    dynamodbRequests: Object.fromEntries(
      Object.entries(t.requests)
        .filter(([key]) => key.startsWith('DynamoDB:'))
        .map(([key, count]) => [key.slice('DynamoDB:'.length), count])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ),
    sesSent: only('SES'),
    sesReceived: t.mailsReceived,
    s3Puts: t.requests['S3:PutObject'] ?? 0,
    s3Gets: (t.requests['S3:GetObject'] ?? 0) + (t.requests['S3:HeadObject'] ?? 0),
    events: t.events,
  };
}

async function measure(what: string, steps: () => Promise<void>): Promise<Usage> {
  tally = emptyTally();
  await steps();
  const usage = usageOf(tally);
  console.error(`[cost:measure] ${what}: ${JSON.stringify(usage)}`);
  return usage;
}

async function main(): Promise<void> {
  countSdkRequests();
  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-cost-'));
  let cloud: LocalCloud | undefined;
  try {
    cloud = await startLocalCloud({
      dataDir,
      seed: true,
      settings: UNLIMITED_TICKET_OPENS,
      ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    });
    const urls = cloud.urls;
    const local = cloud;
    cloud.events.subscribe(() => {
      tally.events++;
    });
    const token = async (username: string) => {
      const { body } = await signIn({
        issuer: urls.identity,
        clientId: LOCAL_CLIENT_ID,
        redirectUri: `${urls.portal}/auth/callback`,
        username,
      });
      if (!body.id_token) throw new Error(`No ID token for ${username}`);
      return body.id_token;
    };
    const tokens = { employee: await token('employee'), agent: await token('agent') };
    const queuePage = '/api/tickets?view=queue&group=service-desk';
    const api = async (as: keyof typeof tokens, method: string, path: string, body?: unknown) => {
      tally.apiRequests++;
      const response = await fetch(`${urls.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens[as]}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const mail = async (subject: string, text: string) => {
      tally.mailsReceived++;
      const transport = createTransport({
        host: '127.0.0.1',
        port: Number(new URL(urls.smtp).port),
        ignoreTLS: true,
      });
      try {
        await transport.sendMail({
          from: 'emma.employee@example.com',
          to: LOCAL_SUPPORT_ADDRESS,
          subject,
          text,
        });
      } finally {
        transport.close();
        await local.mailIdle();
      }
    };
    type TicketJson = { id: string; number: string; version: number };

    let ticket: { id: string } | undefined;
    const lifecycle = await measure('ticket lifecycle', async () => {
      await mail('The printer on floor 3 jams', 'Every second page jams since this morning.');
      // The agent's queue page (one Query on an index, as every queue is); the harness takes the
      // ticket from the ticket.created event rather than from a page, which costs nothing.
      await api('agent', 'GET', queuePage);
      const created = [...local.events.recent()].reverse().find((event) => event.type === 'ticket.created');
      if (!created) throw new Error('The mail opened no ticket');
      const opened = { id: String(created.detail.ticketId), number: String(created.detail.number) };
      await api('agent', 'GET', `/api/tickets/${opened.id}`);
      await api('agent', 'POST', `/api/tickets/${opened.id}/articles`, {
        type: 'reply',
        body: 'Which printer exactly? The label on its front says.',
      });
      await mail(`Re: [${opened.number}] The printer on floor 3 jams`, 'It is PRN-3-East.');
      await api('agent', 'GET', `/api/tickets/${opened.id}`);
      await api('agent', 'POST', `/api/tickets/${opened.id}/articles`, {
        type: 'reply',
        body: 'A technician replaces the fuser this afternoon.',
      });
      const current = (await api('agent', 'GET', `/api/tickets/${opened.id}`)) as { ticket: TicketJson };
      tally.apiRequests--; // the harness's own read of the version: the portal already has it
      await api('agent', 'PATCH', `/api/tickets/${opened.id}`, {
        version: current.ticket.version,
        state: 'resolved',
        resolutionCode: 'solved',
        resolutionNotes: 'Fuser replaced.',
      });
      await api('employee', 'GET', `/api/tickets/${opened.id}`);
      ticket = opened;
    });
    if (!ticket) throw new Error('No ticket');
    // Full pages (25 tickets) for the page figures: the employee opens 25 more tickets first.
    for (let n = 1; n <= 25; n++) {
      await api('employee', 'POST', '/api/tickets', {
        shortDescription: `Page filler ${n}`,
        impact: 3,
        urgency: 3,
      });
    }
    const agentQueuePage = await measure('agent queue page (25 tickets)', async () => {
      const page = (await api('agent', 'GET', queuePage)) as { items: unknown[] };
      if (page.items.length < 25)
        throw new Error(`The queue page holds ${page.items.length} tickets, not 25`);
    });
    const employeeTicketsPage = await measure('employee "my tickets" page (25 tickets)', async () => {
      const page = (await api('employee', 'GET', '/api/tickets?view=mine')) as { items: unknown[] };
      if (page.items.length < 25) throw new Error(`My tickets holds ${page.items.length} tickets, not 25`);
    });
    const housekeeping = (await import('#handlers/ticket-housekeeping.ts')) as {
      handler: (event: unknown) => Promise<unknown>;
    };
    const housekeepingRun = await measure('housekeeping run', async () => {
      await housekeeping.handler({});
    });

    const data = JSON.parse(await readFile(dataFile, 'utf8')) as CostData;
    const measured: CostData['measured'] = {
      at: new Date().toISOString(),
      how: 'npm run cost:measure (bench/request-counts.ts): the local cloud with demo data (DynamoDB Local, s3rver, the SES outbox, the in-process event bus); capacity units as DynamoDB Local reports them; Lambda time is local wall time',
      lifecycle,
      agentQueuePage,
      employeeTicketsPage,
      housekeepingRun,
    };
    await writeFile(dataFile, `${JSON.stringify({ ...data, measured }, null, 2)}\n`);
    console.error(`[cost:measure] wrote the measured part of ${dataFile}`);
  } finally {
    await cloud?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();

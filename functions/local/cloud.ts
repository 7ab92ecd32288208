import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import S3rver from 's3rver';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { S3RawMailStore } from '#adapters/s3/raw-mail-store.s3.ts';
import { notifiedEvents } from '#channels/email/notifications.ts';
import { localS3Config, wireLocalCloud } from '#config/composition-root.ts';
import type { InboundEmailEnv } from '#config/env.ts';
import type { ReleaseRequest } from '#handlers/inbound-email.ts';
import type { DomainEventDelivery } from '#handlers/notifications.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { ApiHandler } from './api-gateway.ts';
import { startApiGateway } from './api-gateway.ts';
import { ensureTables } from './create-tables.ts';
import { demoUsers } from './demo-users.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createLocalEventBus } from './event-bus.ts';
import { startIdentityProvider } from './identity-provider.ts';
import { startPortalHost } from './portal-host.ts';
import { checkJava, claimPort } from './preflight.ts';
import { seedDemoData } from './seed.ts';
import { startSmtpIntake } from './smtp-intake.ts';
import { createLocalWorkflows, LOCAL_ACCOUNT, type LocalWorkflows } from './workflow-runner.ts';

export interface LocalPorts {
  readonly portal: number;
  readonly api: number;
  readonly identity: number;
  readonly outbox: number;
  readonly s3: number;
  readonly dynamodb: number;
  readonly smtp: number;
}

/** The well-known local ports; `SPOKE_PORT_BASE` moves the 3000s block, `SPOKE_SMTP_PORT` the intake. */
export function defaultPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  const base = Number(env.SPOKE_PORT_BASE ?? 3000);
  return {
    portal: base,
    api: base + 1,
    identity: base + 2,
    outbox: base + 3,
    s3: base + 4,
    dynamodb: base + 5,
    smtp: Number(env.SPOKE_SMTP_PORT ?? 2525),
  };
}

export interface LocalCloudOptions {
  /** Where state lives between runs (`.data/`). */
  readonly dataDir: string;
  /** Ports to use; 0 picks a free one. @default defaultPorts() */
  readonly ports?: Partial<LocalPorts>;
  /**
   * Deployment settings on top of the defaults, as an account config would set them (tests
   * raise the per-person limits, for example). @default {}
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** Seed demo data when the data folder is new. @default true */
  readonly seed?: boolean;
  /** Keep the emulators' request logs quiet. @default true */
  readonly quiet?: boolean;
  /** How long approval rounds really wait locally (tests shrink days to seconds). @default as declared */
  readonly taskTimeoutSeconds?: (stateName: string, declared: number) => number;
}

export interface LocalCloud {
  readonly urls: Record<keyof LocalPorts, string>;
  /** Resolves when every accepted mail has been processed (for tests and benchmarks). */
  mailIdle(): Promise<void>;
  readonly events: ReturnType<typeof createLocalEventBus>;
  /** The change-approval state machine, synthesized from the CDK app, on the local runner. */
  readonly workflows: LocalWorkflows;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_PREFIX = 'spoke-local';
export const LOCAL_CLIENT_ID = 'spoke-portal-local';
export const LOCAL_SUPPORT_ADDRESS = 'support@spoke.localhost';
export const RAW_MAIL_BUCKET = 'spoke-local-raw-mail';
export const ATTACHMENT_BUCKET = 'spoke-local-attachments';
export const RAW_MAIL_PREFIX = 'raw/';

/** The environment every function gets in the local cloud: the same variables CDK sets in AWS. */
export function localFunctionEnv(portalUrl: string): InboundEmailEnv & {
  ATTACHMENT_BUCKET: string;
  LINK_KEY_ID: string;
  CHANGE_APPROVAL_ARN: string;
  SERVICE_OWNERS: string;
} {
  return {
    LINK_KEY_ID: 'local',
    SERVICE_OWNERS: 'Email=morgan.manager@example.com,VPN=morgan.manager@example.com',
    CHANGE_APPROVAL_ARN: `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:spoke-local-change-approval`,
    DOMAIN_TABLE: tableName(LOCAL_TABLE_PREFIX, domainTable),
    IDEMPOTENCY_TABLE: tableName(LOCAL_TABLE_PREFIX, idempotencyTable),
    EVENT_BUS_NAME: 'spoke-local-events',
    ATTACHMENT_BUCKET,
    RAW_MAIL_BUCKET,
    RAW_MAIL_PREFIX,
    SUPPORT_ADDRESS: LOCAL_SUPPORT_ADDRESS,
    MAIL_FROM: LOCAL_SUPPORT_ADDRESS,
    PORTAL_URL: portalUrl,
  };
}

/** The portal uploads and downloads attachments straight from the bucket, as it does from S3 in AWS. */
const attachmentCors = (portalOrigin: string) =>
  `<CORSConfiguration><CORSRule><AllowedOrigin>${portalOrigin}</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-amz-checksum-sha256</AllowedHeader><ExposeHeader>etag</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** A domain event as an EventBridge rule would hand it to a function. */
const asEventBridgeEvent = (event: DomainEvent) => ({
  version: '0',
  id: event.id,
  'detail-type': event.type,
  source: 'spoke.local',
  account: '000000000000',
  time: event.at,
  region: 'local',
  resources: [],
  detail: { ...event.detail, eventId: event.id },
});

/** A random key kept in the data folder (created on first start, owner-only), like KMS keeps its own. */
async function localKey(file: string): Promise<Uint8Array> {
  const existing = await readFile(file).catch(() => undefined);
  if (existing && existing.length >= 32) return existing;
  const key = randomBytes(32);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The whole product on one machine: DynamoDB Local, S3 (s3rver), the SES outbox
 * (aws-ses-v2-local), the OpenID provider, the API Gateway emulator running the API
 * handler, the SMTP intake running the inbound-mail handler, and the portal host. Every
 * piece listens on loopback only; `stop()` takes everything down, the JVM included.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const wanted = { ...defaultPorts(), ...options.ports };
  const quiet = options.quiet ?? true;
  const ports: LocalPorts = {
    portal: await claimPort(wanted.portal, 'portal'),
    api: await claimPort(wanted.api, 'API'),
    identity: await claimPort(wanted.identity, 'identity provider'),
    outbox: await claimPort(wanted.outbox, 'SES outbox'),
    s3: await claimPort(wanted.s3, 'S3'),
    dynamodb: await claimPort(wanted.dynamodb, 'DynamoDB Local'),
    smtp: await claimPort(wanted.smtp, 'SMTP intake'),
  };
  const host = '127.0.0.1';
  const urls = {
    portal: `http://${host}:${ports.portal}`,
    api: `http://${host}:${ports.api}`,
    identity: `http://${host}:${ports.identity}`,
    outbox: `http://${host}:${ports.outbox}`,
    s3: `http://${host}:${ports.s3}`,
    dynamodb: `http://${host}:${ports.dynamodb}`,
    smtp: `smtp://${host}:${ports.smtp}`,
  };
  const firstRun = !existsSync(join(options.dataDir, 'dynamodb'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch((error) => console.error(`[stop] ${error}`));
    stops.length = 0;
  };

  const env = { ...localFunctionEnv(urls.portal), ...options.settings };
  Object.assign(process.env, env);

  try {
    await checkJava();
    const dynamoReady = startDynamoDbLocal({
      port: ports.dynamodb,
      dataDir: join(options.dataDir, 'dynamodb'),
      javaChecked: true,
    });
    const workflowsReady = createLocalWorkflows({
      env: { ...env },
      cacheDir: join(options.dataDir, 'cache'),
      ...(options.taskTimeoutSeconds ? { taskTimeoutSeconds: options.taskTimeoutSeconds } : {}),
    });
    const dynamo = await dynamoReady;
    stops.push(() => dynamo.stop());
    const dynamoClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(dynamoClient, LOCAL_TABLE_PREFIX);
    dynamoClient.destroy();

    const s3Dir = join(options.dataDir, 's3');
    await mkdir(s3Dir, { recursive: true });
    const s3 = new S3rver({
      address: host,
      port: ports.s3,
      directory: s3Dir,
      silent: quiet,
      configureBuckets: [
        { name: RAW_MAIL_BUCKET },
        { name: ATTACHMENT_BUCKET, configs: [attachmentCors(urls.portal)] },
      ],
    });
    await s3.run();
    stops.push(() => s3.close());

    const sesServer = (await import('aws-ses-v2-local')).default as unknown as { default?: unknown };
    const startSes = (typeof sesServer === 'function' ? sesServer : sesServer.default) as (config: {
      host: string;
      port: number;
    }) => Promise<import('node:http').Server>;
    const outbox = await startSes({ host, port: ports.outbox });
    stops.push(
      () =>
        new Promise<void>((done) => {
          outbox.close(() => done());
          outbox.closeAllConnections();
        }),
    );

    const identity = await startIdentityProvider({
      port: ports.identity,
      host,
      clientId: LOCAL_CLIENT_ID,
      redirectUris: [`${urls.portal}/auth/callback`],
      postLogoutRedirectUris: [`${urls.portal}/`],
      users: demoUsers,
      keysFile: join(options.dataDir, 'identity', 'signing-keys.json'),
    });
    stops.push(() => identity.close());

    const events = createLocalEventBus();
    const workflows = await workflowsReady;
    wireLocalCloud({
      endpoints: { dynamodb: dynamo.endpoint, s3: urls.s3, ses: urls.outbox },
      events: events.publisher,
      changeWorkflow: workflows.changeWorkflow,
      linkKey: await localKey(join(options.dataDir, 'keys', 'approval-links.key')),
    });

    const apiModule = (await import('#handlers/api.ts')) as { handler: ApiHandler; publicRoutes: string[] };
    const api = await startApiGateway({
      port: ports.api,
      host,
      issuer: identity.issuer,
      audience: LOCAL_CLIENT_ID,
      jwksUri: identity.jwksUri,
      handler: apiModule.handler,
      publicRoutes: apiModule.publicRoutes,
    });
    stops.push(() => api.close());

    const inbound = (await import('#handlers/inbound-email.ts')) as {
      handler: (event: SESEvent | ReleaseRequest) => Promise<unknown>;
    };
    const notifications = (await import('#handlers/notifications.ts')) as {
      handler: (event: DomainEventDelivery) => Promise<unknown>;
    };
    events.subscribe(async (event) => {
      if (!(notifiedEvents as readonly string[]).includes(event.type)) return;
      await notifications.handler(asEventBridgeEvent(event) as DomainEventDelivery);
    });
    const problemEvents = (await import('#handlers/problem-events.ts')) as {
      handler: (event: DomainEventDelivery) => Promise<unknown>;
    };
    events.subscribe(async (event) => {
      if (event.type !== 'ticket.created' && event.type !== 'change.updated') return;
      await problemEvents.handler(asEventBridgeEvent(event) as DomainEventDelivery);
    });
    events.subscribe(async (event) => {
      if (event.type !== 'mail.release_requested') return;
      await inbound.handler(asEventBridgeEvent(event) as unknown as ReleaseRequest);
    });
    const rawMail = new S3RawMailStore(
      new S3Client({ ...localS3Config, endpoint: urls.s3 }),
      RAW_MAIL_BUCKET,
    );
    const smtp = await startSmtpIntake({
      port: ports.smtp,
      host,
      recipientDomains: [LOCAL_SUPPORT_ADDRESS.split('@')[1] as string],
      rawMail,
      rawPrefix: RAW_MAIL_PREFIX,
      handler: inbound.handler,
      deadLetterDir: join(options.dataDir, 'dead-letters'),
    });
    stops.push(() => smtp.close());
    const recovered = await smtp.retryDeadLetters();
    if (recovered > 0) console.log(`Reprocessed ${recovered} dead-lettered mail(s) from an earlier run.`);

    const portal = await startPortalHost({
      port: ports.portal,
      host,
      distDir: join(repoRoot, 'web', 'dist'),
      apiOrigin: urls.api,
      identityOrigin: urls.identity,
      transferOrigin: urls.s3,
      portalConfig: {
        authority: identity.issuer,
        clientId: LOCAL_CLIENT_ID,
        apiBase: '/api',
        outboxUrl: urls.outbox,
      },
    });
    stops.push(() => portal.close());

    if (firstRun && (options.seed ?? true)) {
      await seedDemoData({
        env,
        smtpPort: ports.smtp,
        supportAddress: LOCAL_SUPPORT_ADDRESS,
      });
      await smtp.idle();
      await writeFile(join(options.dataDir, 'seeded-at'), new Date().toISOString());
    }

    return { urls, events, workflows, mailIdle: () => smtp.idle(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import S3rver from 's3rver';
import { tableDefinitions, tableName } from '#adapters/dynamodb/table-definition.ts';
import { S3RawMailStore } from '#adapters/s3/raw-mail-store.s3.ts';
import { localS3Config, wireLocalCloud } from '#config/composition-root.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { startApiGateway } from './api-gateway.ts';
import { ensureTables } from './create-tables.ts';
import { demoUsers } from './demo-users.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createLocalEventBus } from './event-bus.ts';
import { type LocalFaults, startFaultRelays } from './fault-injection.ts';
import { startIdentityProvider } from './identity-provider.ts';
import { inboundQueue } from './inbound-queue.ts';
import { type LocalFunctions, startLocalFunctions } from './lambda-runtime.ts';
import {
  checkPortalSignIn,
  functionByEntry,
  LOCAL_ACCOUNT,
  LOCAL_CLIENT_ID,
  type LocalTemplate,
  loadLocalTemplate,
  localize,
  type TemplateBucket,
} from './local-template.ts';
import { startPortalHost } from './portal-host.ts';
import { checkJava, type HeldPort, holdPort } from './preflight.ts';
import { type LocalScheduler, startLocalScheduler } from './scheduler.ts';
import { seedDemoData } from './seed.ts';
import { startSmtpIntake } from './smtp-intake.ts';
import { startStreamPoller } from './stream-poller.ts';
import { createLocalWorkflows, type LocalWorkflows } from './workflow-runner.ts';

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
   * Environment variables added to every function's environment from the template, for settings
   * the config schema does not offer yet (tests raise the per-person limits, for example). @default {}
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** Seed demo data when the data folder is new. @default true */
  readonly seed?: boolean;
  /** Keep the emulators' request logs quiet. @default true */
  readonly quiet?: boolean;
  /** How long approval rounds really wait locally (tests shrink days to seconds). @default as declared */
  readonly taskTimeoutSeconds?: (stateName: string, declared: number) => number;
  /** Faults the functions meet in S3 and SES (`npm run chaos`). @default none */
  readonly faults?: LocalFaults;
  /**
   * Where the functions send their DynamoDB requests when not straight to DynamoDB Local: a
   * proxy in front of it on `ports.dynamodb` (the mail benchmark records through one).
   * @default DynamoDB Local
   */
  readonly dynamodbEndpoint?: string;
}

export interface LocalCloud {
  readonly urls: Record<keyof LocalPorts, string>;
  /** The local EventBridge Scheduler (its endpoint and the schedules it holds). */
  readonly scheduler: LocalScheduler;
  /** Resolves when every accepted mail has been processed (for tests and benchmarks). */
  mailIdle(): Promise<void>;
  readonly events: ReturnType<typeof createLocalEventBus>;
  /** The change-approval state machine, synthesized from the CDK app, on the local runner. */
  readonly workflows: LocalWorkflows;
  /** The catalog request state machine, likewise. */
  readonly catalogWorkflows: LocalWorkflows;
  /** What the cloud was built from: the synthesized template, translated to this machine. */
  readonly template: LocalTemplate;
  /** The template's functions, each in its own worker with its own environment. */
  readonly functions: LocalFunctions;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_PREFIX = 'spoke-local';
export { LOCAL_CLIENT_ID };
export const LOCAL_SUPPORT_ADDRESS = 'support@spoke.localhost';

/** A bucket's CORS rules from the template, as the S3 XML s3rver is configured with. */
function corsXml(bucket: TemplateBucket): string[] {
  if (bucket.cors.length === 0) return [];
  const tags = (tag: string, values: readonly string[]) =>
    values.map((v) => `<${tag}>${v}</${tag}>`).join('');
  const rules = bucket.cors.map(
    (rule) =>
      `<CORSRule>${tags('AllowedOrigin', rule.allowedOrigins)}${tags('AllowedMethod', rule.allowedMethods)}${tags('AllowedHeader', rule.allowedHeaders)}${tags('ExposeHeader', rule.exposedHeaders)}${rule.maxAge === undefined ? '' : `<MaxAgeSeconds>${rule.maxAge}</MaxAgeSeconds>`}</CORSRule>`,
  );
  return [`<CORSConfiguration>${rules.join('')}</CORSConfiguration>`];
}

/** A domain event as an EventBridge rule would hand it to a function. */
const asEventBridgeEvent = (event: DomainEvent, region: string) => ({
  version: '0',
  id: event.id,
  'detail-type': event.type,
  source: 'spoke.local',
  account: LOCAL_ACCOUNT,
  time: event.at,
  region,
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
 * The whole product on one machine, built from the synthesized template (`local-template.ts`):
 * DynamoDB Local, S3 (s3rver) with the template's buckets, the SES outbox (aws-ses-v2-local),
 * the OpenID provider registering the app client's URLs, the template's functions (each in its
 * own worker with its own environment, `lambda-runtime.ts`) behind the API Gateway emulator (the
 * HTTP API's routes, authorizer and throttles), the SMTP intake (the receipt rule), the event
 * rules and schedules on the local bus, the change approval ASL, and the portal host. Every piece
 * listens on loopback only (DynamoDB Local aside); `stop()` takes everything down, the JVM included.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const wanted = { ...defaultPorts(), ...options.ports };
  const relays = await startFaultRelays(options.faults);
  const quiet = options.quiet ?? true;
  // Each port is held from here until its server listens, so no other process takes it meanwhile.
  const held: Record<keyof LocalPorts, HeldPort> = {
    portal: await holdPort(wanted.portal, 'portal'),
    api: await holdPort(wanted.api, 'API'),
    identity: await holdPort(wanted.identity, 'identity provider'),
    outbox: await holdPort(wanted.outbox, 'SES outbox'),
    s3: await holdPort(wanted.s3, 'S3'),
    dynamodb: await holdPort(wanted.dynamodb, 'DynamoDB Local'),
    smtp: await holdPort(wanted.smtp, 'SMTP intake'),
  };
  const ports = Object.fromEntries(
    Object.entries(held).map(([name, port]) => [name, port.port]),
  ) as unknown as LocalPorts;
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
  const reached = relays.connect({ s3: urls.s3, ses: urls.outbox });
  const stops: (() => Promise<void>)[] = [() => relays.close()];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch((error) => console.error(`[stop] ${error}`));
    stops.length = 0;
  };
  stops.push(async () => {
    await Promise.all(Object.values(held).map((port) => port.release()));
  });

  let functionsReady: Promise<LocalFunctions> | undefined;
  try {
    const templateReady = loadLocalTemplate();
    templateReady.catch(() => undefined);
    await checkJava();
    await held.dynamodb.release();
    const dynamoReady = startDynamoDbLocal({
      port: ports.dynamodb,
      dataDir: join(options.dataDir, 'dynamodb'),
      javaChecked: true,
    });
    dynamoReady.then((dynamo) => stops.push(() => dynamo.stop())).catch(() => undefined);
    const synthesized = await templateReady;
    // The portal's sign-in URLs must be the app client's, or Cognito refuses every sign-in.
    checkPortalSignIn(synthesized, urls.portal);
    // Every address is known from the ports, so the functions start now, while the JVM does.
    const template = localize(synthesized, { portal: urls.portal, issuer: urls.identity });
    const events = createLocalEventBus();
    // EventBridge Scheduler: the functions create schedules at run time; a firing invokes the
    // target through the template's scheduler role, which must be allowed to invoke it.
    const scheduler = await startLocalScheduler({
      file: join(options.dataDir, 'scheduler', 'schedules.json'),
      region: template.region,
      account: LOCAL_ACCOUNT,
      groupNames: template.scheduler.groupNames,
      invoke: async (arn, input, roleArn) => {
        const target = Object.values(template.functions).find((fn) => fn.arn === arn);
        if (!target) throw new Error(`A schedule targets ${arn}, which is not a function of the template`);
        if (!roleArn || !template.scheduler.roles[roleArn]?.includes(target.logicalId))
          throw new Error(`AccessDenied: the schedule's role ${roleArn} may not invoke ${target.logicalId}`);
        const ready = await (functionsReady as Promise<LocalFunctions>);
        await ready.invoke(target.logicalId, input === undefined ? {} : JSON.parse(input));
      },
    });
    stops.push(() => scheduler.close());
    // Functions reach S3 and SES through the fault relays (pass-through unless faults are asked for).
    const endpoints = {
      dynamodb: options.dynamodbEndpoint ?? urls.dynamodb,
      s3: reached.s3,
      ses: reached.ses,
      scheduler: scheduler.endpoint,
    };
    const linkKey = await localKey(join(options.dataDir, 'keys', 'approval-links.key'));
    let workflows: LocalWorkflows | undefined;
    let catalogWorkflows: LocalWorkflows | undefined;
    const taskFunctions = new Set(Object.values(template.workflow.functionsByArn));
    const settings = options.settings ?? {};
    functionsReady = startLocalFunctions({
      functions: Object.values(template.functions).map((fn) => ({
        ...fn,
        environment: { ...fn.environment, ...settings },
      })),
      region: template.region,
      endpoints,
      linkKey,
      parameters: template.parameters,
      services: {
        publish: (published) => events.publisher.publish(published),
        workflow: () => {
          if (!workflows) throw new Error('The local workflow runner is not ready yet');
          return workflows.changeWorkflow;
        },
        requestWorkflow: () => {
          if (!catalogWorkflows) throw new Error('The local catalog workflow runner is not ready yet');
          return catalogWorkflows.requestWorkflow;
        },
      },
      // Everything the local cloud routes to starts now, so a function that cannot start
      // (an environment variable its schema refuses, say) stops `npm start` with its name.
      eager: [
        ...new Set([
          ...template.httpApi.routes.map((route) => route.functionId),
          template.receiptRule.functionId,
          ...template.eventRules.flatMap((rule) => rule.functionIds),
          ...template.streamMappings.map((mapping) => mapping.functionId),
          ...Object.values(template.functions)
            .filter((fn) => taskFunctions.has(fn.logicalId))
            .map((fn) => fn.logicalId),
        ]),
      ],
    });
    functionsReady.then((functions) => stops.push(() => functions.close())).catch(() => undefined);
    const dynamo = await dynamoReady;
    if (dynamo.endpoint !== urls.dynamodb)
      throw new Error(`DynamoDB Local listens on ${dynamo.endpoint}, not ${urls.dynamodb}`);
    const dynamoClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(dynamoClient, LOCAL_TABLE_PREFIX);
    dynamoClient.destroy();
    const localTables = tableDefinitions.map((table) => tableName(LOCAL_TABLE_PREFIX, table));
    const missing = synthesized.tables.filter((name) => !localTables.includes(name));
    if (missing.length > 0)
      throw new Error(`The template's tables ${missing.join(', ')} have no local definition`);

    const s3Dir = join(options.dataDir, 's3');
    await mkdir(s3Dir, { recursive: true });
    const s3 = new S3rver({
      address: host,
      port: ports.s3,
      directory: s3Dir,
      silent: quiet,
      configureBuckets: template.buckets.map((bucket) => ({ name: bucket.name, configs: corsXml(bucket) })),
    });
    await held.s3.release();
    await s3.run();
    stops.push(() => s3.close());

    const sesServer = (await import('aws-ses-v2-local')).default as unknown as { default?: unknown };
    const startSes = (typeof sesServer === 'function' ? sesServer : sesServer.default) as (config: {
      host: string;
      port: number;
    }) => Promise<import('node:http').Server>;
    await held.outbox.release();
    const outbox = await startSes({ host, port: ports.outbox });
    stops.push(
      () =>
        new Promise<void>((done) => {
          outbox.close(() => done());
          outbox.closeAllConnections();
        }),
    );

    await held.identity.release();
    const identity = await startIdentityProvider({
      port: ports.identity,
      host,
      clientId: template.portalClient.clientId,
      // Exactly the app client's CallbackURLs and LogoutURLs, on the local portal's origin.
      redirectUris: template.portalClient.callbackUrls,
      postLogoutRedirectUris: template.portalClient.logoutUrls,
      users: demoUsers,
      keysFile: join(options.dataDir, 'identity', 'signing-keys.json'),
    });
    stops.push(() => identity.close());
    if (identity.issuer !== urls.identity)
      throw new Error(`The identity provider's issuer is ${identity.issuer}, not ${urls.identity}`);
    const functions = await (functionsReady as Promise<LocalFunctions>);
    workflows = createLocalWorkflows({
      workflow: template.workflow,
      invoke: (functionId, event) => functions.invoke(functionId, event),
      ...(options.taskTimeoutSeconds ? { taskTimeoutSeconds: options.taskTimeoutSeconds } : {}),
    });
    catalogWorkflows = createLocalWorkflows({
      workflow: template.catalogWorkflow,
      invoke: (functionId, event) => functions.invoke(functionId, event),
      ...(options.taskTimeoutSeconds ? { taskTimeoutSeconds: options.taskTimeoutSeconds } : {}),
    });
    // The seed runs here, in the main thread, through the same core and adapters.
    wireLocalCloud({
      endpoints,
      events: events.publisher,
      changeWorkflow: workflows.changeWorkflow,
      requestWorkflow: catalogWorkflows.requestWorkflow,
      linkKey,
    });

    for (const rule of template.eventRules) {
      events.subscribe(async (event) => {
        if (!rule.detailTypes.includes(event.type)) return;
        for (const functionId of rule.functionIds)
          await functions.invoke(functionId, asEventBridgeEvent(event, template.region));
      });
    }

    // DynamoDB stream → Lambda mappings: DynamoDB Local's stream polled like Lambda's poller.
    for (const mapping of template.streamMappings) {
      const streamClient = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const poller = await startStreamPoller({
        dynamodb: streamClient,
        endpoint: dynamo.endpoint,
        region: template.region,
        mapping,
        invoke: (event) => functions.invoke(mapping.functionId, event),
        onError: (error) =>
          console.error(`[stream] ${mapping.logicalId} → ${mapping.functionId}: ${error.message}`),
      });
      stops.push(async () => {
        await poller.stop();
        streamClient.destroy();
      });
    }

    // EventBridge schedules: the same rate, the Scheduled Event shape.
    for (const schedule of template.schedules) {
      const timer = setInterval(() => {
        const event = {
          version: '0',
          id: randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: LOCAL_ACCOUNT,
          time: new Date().toISOString(),
          region: template.region,
          resources: [`arn:aws:events:${template.region}:${LOCAL_ACCOUNT}:rule/${schedule.logicalId}`],
          detail: {},
        };
        for (const functionId of schedule.functionIds)
          functions.invoke(functionId, event).catch((error: Error) => {
            console.error(`[schedule] ${schedule.logicalId} → ${functionId} failed: ${error.message}`);
          });
      }, schedule.everySeconds * 1000);
      timer.unref();
      stops.push(async () => clearInterval(timer));
    }

    await held.api.release();
    const api = await startApiGateway({
      port: ports.api,
      host,
      routes: template.httpApi.routes.map((route) => ({
        routeKey: route.routeKey,
        ...(route.authorizer ? { authorizer: route.authorizer } : {}),
        invoke: (event, requestId) => functions.invoke(route.functionId, event, requestId),
      })),
      ...(template.httpApi.throttle ? { throttle: template.httpApi.throttle } : {}),
      routeThrottles: template.httpApi.routeThrottles,
    });
    stops.push(() => api.close());

    const { receiptRule } = template;
    const rawMail = new S3RawMailStore(
      new S3Client({ ...localS3Config, endpoint: reached.s3 }),
      receiptRule.bucket,
    );
    await held.smtp.release();
    const smtp = await startSmtpIntake({
      port: ports.smtp,
      host,
      recipientDomains: [
        ...new Set(receiptRule.recipients.map((recipient) => recipient.split('@').at(-1) ?? '')),
      ],
      rawMail,
      rawPrefix: receiptRule.prefix,
      handler: (event: SESEvent) => functions.invoke(receiptRule.functionId, event),
      deadLetterDir: join(options.dataDir, 'dead-letters'),
      queue: inboundQueue(join(options.dataDir, 'inbound-queue')),
    });
    stops.push(() => smtp.close());
    const recovered = await smtp.retryDeadLetters();
    if (recovered > 0) console.log(`Reprocessed ${recovered} dead-lettered mail(s) from an earlier run.`);

    await held.portal.release();
    const portal = await startPortalHost({
      port: ports.portal,
      host,
      distDir: join(repoRoot, 'web', 'dist'),
      apiOrigin: urls.api,
      identityOrigin: urls.identity,
      transferOrigin: urls.s3,
      portalConfig: {
        authority: identity.issuer,
        clientId: template.portalClient.clientId,
        logoutEndpoint: identity.logoutEndpoint,
        apiBase: '/api',
        outboxUrl: urls.outbox,
      },
    });
    stops.push(() => portal.close());

    if (firstRun && (options.seed ?? true)) {
      await seedDemoData({
        env: functions.environment(functionByEntry(template, 'functions/handlers/api.ts').logicalId),
        smtpPort: ports.smtp,
        supportAddress: LOCAL_SUPPORT_ADDRESS,
      });
      await smtp.idle();
      await writeFile(join(options.dataDir, 'seeded-at'), new Date().toISOString());
    }

    return {
      urls,
      scheduler,
      events,
      workflows,
      catalogWorkflows,
      template,
      functions,
      mailIdle: () => smtp.idle(),
      stop,
    };
  } catch (error) {
    await stop();
    // Functions that finish starting after the failure are stopped too.
    await functionsReady?.then((functions) => functions.close()).catch(() => undefined);
    throw error;
  }
}

import { timingSafeEqual } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SESClient } from '@aws-sdk/client-ses';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { DynamoAttachmentStore } from '#adapters/dynamodb/attachment-store.dynamo.ts';
import { DynamoAutoReplyTickets } from '#adapters/dynamodb/auto-reply-tickets.dynamo.ts';
import { DynamoCatalogStore, DynamoRequestStore } from '#adapters/dynamodb/catalog-store.dynamo.ts';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoDeliveryLedger } from '#adapters/dynamodb/delivery-ledger.dynamo.ts';
import { DynamoResponseStore, DynamoSavedViewStore } from '#adapters/dynamodb/desk-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoKnowledgeStore } from '#adapters/dynamodb/knowledge-store.dynamo.ts';
import { DynamoMailDedupe } from '#adapters/dynamodb/mail-dedupe.dynamo.ts';
import { DynamoMailReferenceStore } from '#adapters/dynamodb/mail-references.dynamo.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { DynamoQuarantineStore } from '#adapters/dynamodb/quarantine-store.dynamo.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limiter.dynamo.ts';
import type { RecordTableOptions } from '#adapters/dynamodb/record-table.ts';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import { DynamoSlaStore } from '#adapters/dynamodb/sla-store.dynamo.ts';
import { DynamoSuppressionList } from '#adapters/dynamodb/suppression-list.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { EventBridgeEventPublisher } from '#adapters/eventbridge/event-publisher.eventbridge.ts';
import { SchedulerSlaTimers } from '#adapters/eventbridge/sla-timers.scheduler.ts';
import { HttpAutomationHooks, parseHooks } from '#adapters/http/automation-hooks.ts';
import { KmsLinkSigner } from '#adapters/kms/link-signer.kms.ts';
import { PowertoolsTelemetry } from '#adapters/powertools/telemetry.powertools.ts';
import { S3ArticleDigestStore } from '#adapters/s3/article-digest-store.s3.ts';
import { S3AssetImportFiles } from '#adapters/s3/asset-import-files.s3.ts';
import { S3AttachmentStorage } from '#adapters/s3/attachment-storage.s3.ts';
import { S3ConfigNotificationReader } from '#adapters/s3/config-notification-reader.s3.ts';
import { S3MailBodyStore } from '#adapters/s3/mail-body-store.s3.ts';
import { S3RawMailStore } from '#adapters/s3/raw-mail-store.s3.ts';
import { clientOf, s3Sdk } from '#adapters/s3/s3-sdk.ts';
import { S3SearchIndexStore } from '#adapters/s3/search-index-store.s3.ts';
import { SesMailer } from '#adapters/ses/mailer.ses.ts';
import { SfnChangeWorkflow, SfnWorkflow } from '#adapters/stepfunctions/change-workflow.sfn.ts';
import { HmacLinkSigner, systemClock, ulids } from '#adapters/system/system.ts';
import type { NotificationDeps } from '#channels/email/notifications.ts';
import type { InboundMailDeps } from '#channels/email/process-inbound.ts';
import { knowledgeBody } from '#channels/web/rich-text.ts';
import type { AttachmentDeps } from '#core/attachment/attachment-service.ts';
import type { CatalogDeps } from '#core/catalog/catalog-service.ts';
import type { RequestApprovalDeps } from '#core/catalog/request-approval.ts';
import { defaultApprovalSettings } from '#core/change/approval.ts';
import type { ApprovalLinkDeps } from '#core/change/approval-links.ts';
import { type ChangeSettings, viewChange } from '#core/change/change-service.ts';
import { defaultRiskQuestionnaire, RiskQuestionnaire } from '#core/change/risk.ts';
import type { AssetImportDeps } from '#core/cmdb/asset-import.ts';
import type { DeviceReportDeps } from '#core/cmdb/asset-service.ts';
import type { CmdbDeps } from '#core/cmdb/cmdb-service.ts';
import type { DiscoveryDeps } from '#core/cmdb/discovery-service.ts';
import type { RecordCiDeps } from '#core/cmdb/record-cis.ts';
import type { ServiceStatusDeps } from '#core/cmdb/service-status-service.ts';
import type { DeskDeps } from '#core/desk/desk.ts';
import { articleFiles, closedArticle, type KnowledgeDeps } from '#core/knowledge/knowledge-service.ts';
import { defaultProblemSettings } from '#core/problem/problem.ts';
import { type ProblemDeps, viewProblem } from '#core/problem/problem-service.ts';
import type { ReleaseWorkflow } from '#core/release/release-service.ts';
import type { CountingDeps } from '#core/reporting/counting-service.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import type { MonthlyReportDeps } from '#core/reporting/monthly-report.ts';
import type { ReportDeps } from '#core/reporting/report-service.ts';
import type { SatisfactionDeps } from '#core/satisfaction/satisfaction-service.ts';
import { SearchIndexes } from '#core/search/search-indexes.ts';
import type { SearchDeps } from '#core/search/search-service.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import { BusinessCalendar } from '#core/sla/business-calendar.ts';
import { problemSource, taskSource, ticketSource } from '#core/sla/record-sources.ts';
import type { SlaDeps, SlaReadDeps } from '#core/sla/sla-service.ts';
import type { OpenTicketLimit } from '#core/ticket/open-limit.ts';
import type { Priority, PriorityMatrix } from '#core/ticket/priority.ts';
import { ticketActions } from '#core/ticket/ticket-escalation.ts';
import {
  authorizeTicketAccess,
  defaultTicketSettings,
  type TicketDeps,
  type TicketSettings,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import { ORIGIN_VERIFY_HEADER, type OriginCheck } from '#http/origin.ts';
import type { SlaRouteDeps } from '#http/routes/sla.ts';
import type { AutomationHooks } from '#ports/catalog-automation.ts';
import type { RequestWorkflow } from '#ports/catalog-store.ts';
import type { ChangeWorkflow } from '#ports/change-workflow.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import type { Mailer } from '#ports/mail.ts';
import type { MailBodyStore } from '#ports/mail-body-store.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import type { SuppressionList } from '#ports/suppression-list.ts';
import type { Telemetry } from '#ports/telemetry.ts';
import { assetImportWiring, assetServices } from './assets.ts';
import {
  type apiEnv,
  type assetImportEnv,
  type ChangeSettingsDocument,
  type catalogEnv,
  type catalogWorkflowEnv,
  type changeEnv,
  changeSettingsDocument,
  type changeWorkflowEnv,
  type cmdbDiscoveryEnv,
  type dataEnv,
  type inboundEmailEnv,
  type mailEnv,
  type monthlyReportEnv,
  type notificationsEnv,
  type problemEnv,
  type searchEnv,
  type serviceStatusEnv,
  type slaEnv,
} from './env.ts';
import { articleSuggester } from './knowledge.ts';
import { reportRecipients, valueAssumptions } from './reporting.ts';
import { satisfactionServices, satisfactionSettings, surveyMailServices } from './satisfaction.ts';
import { changeCmdbReader, recordAccess, recordCiServices, serviceStatusServices } from './service-status.ts';
import { observedTicketStore } from './telemetry.ts';

/**
 * The composition root: the only module that decides which adapters run. In Lambda every
 * client talks to AWS; the local cloud calls `wireLocalCloud` first, which points the same
 * SDK clients at the emulators and swaps EventBridge for the in-process bus. Nothing else
 * asks where it runs.
 */
export interface LocalCloudWiring {
  readonly endpoints: {
    readonly dynamodb: string;
    readonly s3: string;
    readonly ses: string;
    /** The local EventBridge Scheduler (`functions/local/scheduler.ts`). */
    readonly scheduler?: string;
    /** The local CodePipeline job-result API (`functions/local/codepipeline.ts`). */
    readonly codepipeline?: string;
  };
  readonly events: DomainEventPublisher;
  /** The local Step Functions runner's change approval workflow. */
  readonly changeWorkflow?: ChangeWorkflow;
  /** The local Step Functions runner's catalog request workflow. */
  readonly requestWorkflow?: RequestWorkflow;
  /** The local Step Functions runner's release go/no-go workflow. */
  readonly releaseWorkflow?: ReleaseWorkflow;
  /** The HMAC key that signs approval links on this machine. */
  readonly linkKey?: Uint8Array;
  /** SSM parameters by name (from the synthesized template): the local Parameter Store. */
  readonly parameters?: Readonly<Record<string, string>>;
}

let local: LocalCloudWiring | undefined;

/** s3rver's fixed credentials; path-style addressing because buckets are not DNS names on loopback. */
export const localS3Config = {
  region: 'local',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
} as const;

export function wireLocalCloud(wiring: LocalCloudWiring): void {
  local = wiring;
}

/** The local cloud's wiring, or undefined in Lambda (for the wiring of one domain in its own file). */
export const localWiring = (): LocalCloudWiring | undefined => local;

const localClientConfig = () =>
  local ? { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};

/**
 * The SDK clients other than DynamoDB's are made at first use, and their packages imported then:
 * a function that never sends mail or reads S3 on a path never loads those SDKs at cold start
 * (the composition root decides the configuration now, as before; only the import waits).
 */
function s3Client(): () => Promise<S3Client> {
  const config = local ? { ...localS3Config, endpoint: local.endpoints.s3 } : {};
  return clientOf(() => s3Sdk().then((sdk) => new sdk.S3Client(config)));
}

function sesClient(): () => Promise<SESClient> {
  const config = { ...localClientConfig(), ...(local ? { endpoint: local.endpoints.ses } : {}) };
  return clientOf(() => import('@aws-sdk/client-ses').then((sdk) => new sdk.SESClient(config)));
}

/** A client's `send` that makes the client at first use. */
function sendThrough<Client extends S3Client | SESClient | EventBridgeClient | SchedulerClient>(
  client: () => Promise<Client>,
): Pick<Client, 'send'> {
  const once = clientOf(client);
  const send = (command: never) =>
    once().then((made) => (made.send as (c: never) => Promise<unknown>)(command));
  return { send } as unknown as Pick<Client, 'send'>;
}

let sharedTelemetry: Telemetry | undefined;

/**
 * The function's logger and metrics (Powertools), one per module instance. Metrics are
 * published only in Lambda (where CloudWatch reads them from the log); locally and in tests
 * the logs are the same and the counts go nowhere.
 */
export function telemetry(): Telemetry {
  sharedTelemetry ??= new PowertoolsTelemetry({
    ...(local ? { serviceName: 'spoke-local' } : {}),
    metrics: !local && process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined,
  });
  return sharedTelemetry;
}

/** `'123234345'` → the 3 × 3 matrix, row by row. */
export function priorityMatrixOf(digits: string): PriorityMatrix {
  const p = [...digits].map(Number) as Priority[];
  return [
    [p[0] ?? 1, p[1] ?? 2, p[2] ?? 3],
    [p[3] ?? 2, p[4] ?? 3, p[5] ?? 4],
    [p[6] ?? 3, p[7] ?? 4, p[8] ?? 5],
  ];
}

const domainList = (text: string) =>
  text
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);

export function ticketSettings(env: z.output<typeof dataEnv>): TicketSettings {
  return {
    ...defaultTicketSettings,
    agentVisibility: env.AGENT_VISIBILITY,
    reopenWindowDays: Number(env.REOPEN_WINDOW_DAYS),
    autoCloseDays: Number(env.AUTO_CLOSE_DAYS),
    priorityMatrix: priorityMatrixOf(env.PRIORITY_MATRIX),
    watcherPolicy: env.WATCHER_POLICY,
    knownDomains: domainList(env.KNOWN_SENDER_DOMAINS),
  };
}

export function dataAdapters(env: z.output<typeof dataEnv>) {
  const dynamo = new DynamoDBClient({
    ...localClientConfig(),
    ...(local ? { endpoint: local.endpoints.dynamodb } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const groups = new DynamoGroupStore({ client: documents, domainTable: env.DOMAIN_TABLE });
  return {
    documents,
    tickets: observedTicketStore(
      new DynamoTicketStore({
        client: documents,
        domainTable: env.DOMAIN_TABLE,
        idempotencyTable: env.IDEMPOTENCY_TABLE,
      }),
      telemetry(),
    ),
    quarantine: new DynamoQuarantineStore(documents, env.DOMAIN_TABLE),
    groupStore: groups as GroupStore,
    groups,
    routing: groups,
    clock: systemClock,
    ids: ulids,
    events:
      local?.events ??
      new EventBridgeEventPublisher(
        sendThrough(() => import('@aws-sdk/client-eventbridge').then((sdk) => new sdk.EventBridgeClient({}))),
        { eventBusName: env.EVENT_BUS_NAME },
      ),
    settings: ticketSettings(env),
  };
}

/** What the scheduled housekeeping needs: the ticket engine alone. */
export function ticketServices(env: z.output<typeof dataEnv>): TicketDeps {
  return dataAdapters(env);
}

/**
 * The change settings from the environment, and from the SSM document when the function has one
 * (`stored`, see {@link loadChangeSettings}): service owners and the questionnaire come from it.
 */
export function changeSettings(
  env: z.output<typeof changeEnv>,
  stored?: ChangeSettingsDocument,
): ChangeSettings {
  const serviceOwners =
    stored?.serviceOwners ??
    Object.fromEntries(
      env.SERVICE_OWNERS.split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=').map((part) => part.trim()) as [string, string]),
    );
  const questionnaire =
    stored?.riskQuestionnaire ??
    (env.RISK_QUESTIONNAIRE ? RiskQuestionnaire.parse(JSON.parse(env.RISK_QUESTIONNAIRE)) : undefined);
  return {
    questionnaire: questionnaire ?? defaultRiskQuestionnaire,
    approval: {
      ...defaultApprovalSettings,
      cabGroup: env.CAB_GROUP,
      emergencyCabGroup: env.ECAB_GROUP,
      escalationGroup: env.ESCALATION_GROUP,
      cabQuorum: Number(env.CAB_QUORUM),
      serviceOwners,
    },
  };
}

/**
 * Reads the large change settings from SSM Parameter Store, once per cold start (the functions
 * call it at module load). Without `CHANGE_SETTINGS_PARAMETER` (the local cloud) there is none:
 * the inline variables serve. A document that does not parse fails the cold start, naming why.
 */
export async function loadChangeSettings(
  env: z.output<typeof changeEnv>,
  client?: Pick<SSMClient, 'send'>,
): Promise<ChangeSettingsDocument | undefined> {
  const name = env.CHANGE_SETTINGS_PARAMETER;
  if (!name) return undefined;
  const ssm = async () => {
    // Imported here, not at the top: the SSM SDK is the largest the functions load (≈400 KB of source), and only this read uses it.
    const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
    return (client ?? new SSMClient({})).send(new GetParameterCommand({ Name: name }));
  };
  const value = local ? local.parameters?.[name] : (await ssm()).Parameter?.Value;
  if (value === undefined) throw new Error(`SSM parameter ${name} does not exist`);
  const parsed = changeSettingsDocument.safeParse(JSON.parse(value));
  if (!parsed.success)
    throw new Error(`SSM parameter ${name} is not valid change settings: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The change workflow: Step Functions in AWS, the local runner on a laptop. Resolved at first
 * use, because the local runner loads the handlers (and so this module) before it is wired.
 */
function changeWorkflow(stateMachineArn: string | undefined): ChangeWorkflow {
  const resolve = (): ChangeWorkflow => {
    if (!local) return new SfnChangeWorkflow(stateMachineArn ?? '');
    if (!local.changeWorkflow) throw new Error('The local cloud was wired without a change workflow runner');
    return local.changeWorkflow;
  };
  let workflow: ChangeWorkflow | undefined;
  const get = () => {
    workflow ??= resolve();
    return workflow;
  };
  return {
    start: (input) => get().start(input),
    stop: (executionId, cause) => get().stop(executionId, cause),
    answer: (token, outcome) => get().answer(token, outcome),
  };
}

/** Approval links: KMS in AWS, the local cloud's key file on a laptop (resolved at first use, like the workflow). */
export function linkSigner(keyId: string): LinkSigner {
  let signer: LinkSigner | undefined;
  const get = () => {
    if (!signer && local && !local.linkKey)
      throw new Error('The local cloud was wired without an approval link key');
    signer ??= local?.linkKey ? new HmacLinkSigner(local.linkKey) : new KmsLinkSigner(keyId);
    return signer;
  };
  return { sign: (message) => get().sign(message), verify: (message, mac) => get().verify(message, mac) };
}

/** The catalog request workflow: Step Functions in AWS, the local runner on a laptop (resolved at first use). */
function requestWorkflow(stateMachineArn: string | undefined): RequestWorkflow {
  let workflow: RequestWorkflow | undefined;
  const get = (): RequestWorkflow => {
    if (workflow) return workflow;
    if (local && !local.requestWorkflow)
      throw new Error('The local cloud was wired without a catalog request workflow runner');
    const sfn = new SfnWorkflow(stateMachineArn ?? '', 'Request.Cancelled');
    workflow = local?.requestWorkflow ?? {
      start: ({ requestId }) => sfn.start(requestId, { requestId }),
      stop: (executionId, cause) => sfn.stop(executionId, cause),
      answer: (token, output) => sfn.answer(token, output),
    };
    return workflow;
  };
  return {
    start: (input) => get().start(input),
    stop: (executionId, cause) => get().stop(executionId, cause),
    answer: (token, output) => get().answer(token, output),
  };
}

/** The service catalog: its definitions, and requests with their approvals and tasks. */
function catalogAdapters(
  env: z.output<typeof catalogEnv> & z.output<typeof dataEnv>,
  stateMachineArn: string | undefined,
  data: ReturnType<typeof dataAdapters>,
): { catalog: CatalogDeps; requests: RequestApprovalDeps } {
  const options = {
    client: data.documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  };
  const catalog = new DynamoCatalogStore(options);
  return {
    catalog: { catalog, groups: data.groups, clock: data.clock },
    requests: {
      catalog,
      requests: new DynamoRequestStore(options),
      workflow: requestWorkflow(stateMachineArn),
      groups: data.groups,
      groupStore: data.groupStore,
      events: data.events,
      clock: data.clock,
      ids: data.ids,
      signer: linkSigner(env.LINK_KEY_ID),
      settings: {
        escalationGroup: env.ESCALATION_GROUP,
        linkValidHours: Number(env.APPROVAL_LINK_VALID_HOURS),
      },
    },
  };
}

export function changeAdapters(
  env: z.output<typeof changeEnv> & z.output<typeof dataEnv>,
  stateMachineArn?: string,
  data = dataAdapters(env),
  stored?: ChangeSettingsDocument,
) {
  return {
    ...data,
    changes: new DynamoChangeStore(data.documents, env.DOMAIN_TABLE, env.IDEMPOTENCY_TABLE),
    workflow: changeWorkflow(stateMachineArn),
    signer: linkSigner(env.LINK_KEY_ID),
    settings: changeSettings(env, stored),
    linkValidHours: Number(env.APPROVAL_LINK_VALID_HOURS),
  };
}

/**
 * Whether a request came through CloudFront: its origin header carries the deployment's secret.
 * Locally every request passes (the local gateway on 127.0.0.1 is the only way in); in AWS a
 * function without the secret fails its cold start rather than serve requests unchecked.
 */
export function originCheck(secret: string | undefined): OriginCheck {
  const expected = secret ? Buffer.from(secret) : undefined;
  if (!local && !expected)
    throw new Error('ORIGIN_VERIFY_SECRET is not set: the API could not tell CloudFront from anyone else');
  return (headers) => {
    if (local) return true;
    const given = Buffer.from(headers[ORIGIN_VERIFY_HEADER] ?? '');
    return expected !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** Problem management: the problem store on the record table, with the ticket engine and the changes it reads. */
export function problemServices(
  env: z.output<typeof problemEnv> & z.output<typeof dataEnv>,
  data = dataAdapters(env),
): ProblemDeps {
  return {
    ...data,
    problems: new DynamoProblemStore({
      client: data.documents,
      domainTable: env.DOMAIN_TABLE,
      idempotencyTable: env.IDEMPOTENCY_TABLE,
    }),
    changes: new DynamoChangeStore(data.documents, env.DOMAIN_TABLE, env.IDEMPOTENCY_TABLE),
    problemSettings: {
      ...defaultProblemSettings,
      priorityMatrix: data.settings.priorityMatrix,
      managersGroup: env.PROBLEM_MANAGERS_GROUP,
      onFix: env.PROBLEM_FIX_POLICY,
      proactive: {
        threshold: Number(env.PROBLEM_SUGGESTION_THRESHOLD),
        windowDays: Number(env.PROBLEM_SUGGESTION_WINDOW_DAYS),
      },
    },
  };
}

export interface ApiServices extends TicketDeps {
  /** Whether a request came through the portal's CloudFront distribution. */
  readonly fromOrigin: OriginCheck;
  readonly quarantine: QuarantineStore;
  readonly groupStore: GroupStore;
  readonly attachments: AttachmentDeps;
  readonly change: ApprovalLinkDeps;
  readonly problems: ProblemDeps;
  readonly knowledge: KnowledgeDeps;
  /** The pictures of knowledge articles: the ticket attachments' routes behind the article's gate. */
  readonly knowledgeFiles: AttachmentDeps;
  readonly desk: DeskDeps;
  readonly cmdb: CmdbDeps;
  readonly assets: DeviceReportDeps;
  readonly assetImports: AssetImportDeps;
  readonly serviceStatus: ServiceStatusDeps;
  readonly recordCis: RecordCiDeps;
  readonly reports: ReportDeps;
  readonly catalog: { readonly catalog: CatalogDeps; readonly requests: RequestApprovalDeps };
  readonly mailBodies: MailBodyStore;
  readonly openLimit: OpenTicketLimit;
  readonly slaRoutes: SlaRouteDeps;
  readonly satisfaction: SatisfactionDeps;
}

export function apiServices(env: z.output<typeof apiEnv>, stored?: ChangeSettingsDocument): ApiServices {
  const data = dataAdapters(env);
  const s3 = s3Client();
  const cmdb = cmdbServices(env, data);
  const recordCis = recordCiServices(
    env,
    data,
    cmdb,
    recordAccess({
      ticket: async (actor, id) => (await viewTicket(data, actor, id)).ticket,
      problem: async (actor, id) => (await viewProblem(problems, actor, id)).problem,
      change: async (actor, id) => (await viewChange(change, actor, id)).change,
    }),
  );
  const change = {
    ...changeAdapters(env, env.CHANGE_APPROVAL_ARN, data, stored),
    cmdb: changeCmdbReader(recordCis, Number(env.CMDB_CRITICAL_RISK_WEIGHT)),
  };
  const problems = problemServices(env, data);
  const knowledge = knowledgeServices(env, data);
  const attachments: AttachmentDeps = {
    storage: new S3AttachmentStorage(s3, env.ATTACHMENT_BUCKET),
    attachments: new DynamoAttachmentStore(data.documents, env.DOMAIN_TABLE),
    ids: data.ids,
    clock: data.clock,
    authorizeTicket: (actor, ticketId) => authorizeTicketAccess(data, actor, ticketId),
  };
  const openLimit = {
    limiter: new DynamoRateLimiter(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    clock: data.clock,
    perMinute: Number(env.TICKET_OPEN_LIMIT_PER_MINUTE),
    perHour: Number(env.TICKET_OPEN_LIMIT_PER_HOUR),
  };
  return {
    ...data,
    fromOrigin: originCheck(env.ORIGIN_VERIFY_SECRET),
    change,
    problems,
    knowledge,
    knowledgeFiles: {
      ...attachments,
      authorizeTicket: (actor, id) => articleFiles(knowledge, actor, id),
      closed: closedArticle,
    },
    desk: deskServices(data, {
      client: data.documents,
      domainTable: env.DOMAIN_TABLE,
      idempotencyTable: env.IDEMPOTENCY_TABLE,
    }),
    slaRoutes: {
      sla: slaReadServices(env, data),
      async authorizeRecord(actor, recordType, recordId) {
        if (recordType === 'incident' || recordType === 'request')
          await authorizeTicketAccess(data, actor, recordId);
        else if (recordType === 'problem') await viewProblem(problems, actor, recordId);
        else throw new NotFoundError(`No record ${recordId}`);
      },
      groupsOf: (email) => data.groups.groupsOf(email),
      agentsSeeAll: env.AGENT_VISIBILITY === 'all',
    },
    cmdb,
    satisfaction: satisfactionServices(
      data,
      { client: data.documents, domainTable: env.DOMAIN_TABLE, idempotencyTable: env.IDEMPOTENCY_TABLE },
      linkSigner(env.LINK_KEY_ID),
      satisfactionSettings(env),
      (actor, ticketId) => authorizeTicketAccess(data, actor, ticketId),
    ),
    assets: assetServices(cmdb, data, openLimit),
    assetImports: assetImportServices(env, data, cmdb),
    serviceStatus: serviceStatusServices(env, data, cmdb),
    recordCis,
    reports: {
      reports: reportStore(data.documents, env),
      groups: data.groups,
      timeZone: env.TIME_ZONE,
      clock: data.clock,
      value: valueAssumptions(env),
    },
    catalog: catalogAdapters(env, env.CATALOG_WORKFLOW_ARN, data),
    mailBodies: new S3MailBodyStore(sendThrough(s3), env.ATTACHMENT_BUCKET),
    openLimit,
    attachments,
  };
}

/** The desk's tools (responses and macros, bulk, merge, saved views) on the ticket engine. */
function deskServices(data: ReturnType<typeof dataAdapters>, table: RecordTableOptions): DeskDeps {
  const common = { clock: data.clock, ids: data.ids };
  return {
    ticket: data,
    responses: { ...common, responses: new DynamoResponseStore(table), groupStore: data.groupStore },
    views: { ...common, views: new DynamoSavedViewStore(table) },
  };
}

/** The CMDB on the domain table. */
export function cmdbServices(
  env: z.output<typeof dataEnv> & { readonly CMDB_MANAGER_GROUP?: string },
  data: ReturnType<typeof dataAdapters>,
): CmdbDeps {
  return {
    cis: new DynamoCmdbStore({
      client: data.documents,
      domainTable: env.DOMAIN_TABLE,
      idempotencyTable: env.IDEMPOTENCY_TABLE,
    }),
    groups: data.groups,
    events: data.events,
    clock: data.clock,
    ids: data.ids,
    managerGroup: env.CMDB_MANAGER_GROUP ?? 'configuration-managers',
  };
}

/** What the status page's function needs: the status items, the CMDB and the incidents. */
export function serviceStatusHandlerServices(env: z.output<typeof serviceStatusEnv>): ServiceStatusDeps {
  const data = dataAdapters(env);
  return serviceStatusServices(env, data, cmdbServices(env, data));
}

/** The shared adapters cloud operations builds on (`config/cloud-operations.ts` wires the rest). */
export function operationsAdapters(
  env: z.output<typeof dataEnv> & {
    readonly MAIL_FROM: string;
    readonly MAIL_CONFIGURATION_SET?: string | undefined;
  },
) {
  const data = dataAdapters(env);
  return {
    data,
    cmdb: cmdbServices(env, data),
    mailer: new SesMailer(sendThrough(sesClient()), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    rateLimiter: new DynamoRateLimiter(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
  };
}

/** What the CMDB discovery function needs: the CMDB, and S3 for oversized Config items. */
export function cmdbDiscoveryServices(env: z.output<typeof cmdbDiscoveryEnv>): DiscoveryDeps {
  return {
    ...cmdbServices(env, dataAdapters(env)),
    oversized: new S3ConfigNotificationReader(sendThrough(s3Client())),
  };
}

/** CSV imports of assets (the API opens and starts them, the asset-import function runs them). */
export function assetImportServices(
  env: z.output<typeof assetImportEnv>,
  data = dataAdapters(env),
  cmdb: CmdbDeps = cmdbServices(env, data),
): AssetImportDeps {
  const s3 = s3Client();
  const storage = new S3AttachmentStorage(s3, env.ATTACHMENT_BUCKET);
  const files = new S3AssetImportFiles(storage, sendThrough(s3), env.ATTACHMENT_BUCKET);
  const table = {
    client: data.documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  };
  return assetImportWiring(cmdb, table, files);
}

/** Knowledge articles: bodies sanitized by the mail sanitizer, tickets read through the ticket module's gate. */
function knowledgeServices(env: z.output<typeof dataEnv>, data = dataAdapters(env)): KnowledgeDeps {
  return {
    knowledge: new DynamoKnowledgeStore({
      client: data.documents,
      domainTable: env.DOMAIN_TABLE,
      idempotencyTable: env.IDEMPOTENCY_TABLE,
    }),
    events: data.events,
    clock: data.clock,
    ids: data.ids,
    sanitize: knowledgeBody,
    ticketOf: async (actor, id) => {
      const { ticket } = await viewTicket(data, actor, id);
      return {
        id: ticket.id,
        number: ticket.number,
        state: ticket.state,
        shortDescription: ticket.shortDescription,
        description: ticket.description,
        ...(ticket.resolution ? { resolutionNotes: ticket.resolution.notes } : {}),
        ...(ticket.category ? { category: ticket.category } : {}),
        ...(ticket.service ? { service: ticket.service } : {}),
      };
    },
  };
}

/** The two indexes (tickets, knowledge) in the search bucket. */
export function searchIndexes(
  bucket: string,
  clock: { now(): Date },
  options: { readonly ticketShards: number; readonly refreshMs: number },
): SearchIndexes {
  const s3 = sendThrough(s3Client());
  return new SearchIndexes(
    {
      ticket: new S3SearchIndexStore(s3, bucket, 'ticket'),
      knowledge: new S3SearchIndexStore(s3, bucket, 'knowledge'),
      // The mail intake's suggestions: rewritten after every batch that changed articles.
      digest: new S3ArticleDigestStore(s3, bucket),
    },
    { ...options, clock },
  );
}

/** The search functions: the index kept in S3 and in this instance's memory, and the group directory for visibility. */
export function searchServices(
  env: z.output<typeof searchEnv>,
): SearchDeps & { readonly keeper: SearchIndexes } {
  const data = dataAdapters(env);
  const keeper = searchIndexes(env.SEARCH_BUCKET, data.clock, {
    ticketShards: Number(env.SEARCH_SHARDS),
    refreshMs: Number(env.SEARCH_REFRESH_MS),
  });
  return {
    keeper,
    index: (kind) => keeper.current(kind),
    groups: data.groups,
    agentVisibility: env.AGENT_VISIBILITY,
  };
}

export function inboundEmailServices(env: z.output<typeof inboundEmailEnv>): InboundMailDeps {
  const s3 = s3Client();
  const ses = sesClient();
  const data = dataAdapters(env);
  return {
    ...data,
    rawMail: new S3RawMailStore(sendThrough(s3), env.RAW_MAIL_BUCKET),
    mailBodies: new S3MailBodyStore(sendThrough(s3), env.ATTACHMENT_BUCKET),
    attachments: {
      storage: new S3AttachmentStorage(s3, env.ATTACHMENT_BUCKET),
      records: new DynamoAttachmentStore(data.documents, env.DOMAIN_TABLE),
      clock: data.clock,
    },
    mailer: new SesMailer(sendThrough(ses), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    references: new DynamoMailReferenceStore(data.documents, env.DOMAIN_TABLE),
    dedupe: new DynamoMailDedupe(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    autoReplyTickets: new DynamoAutoReplyTickets(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    attachmentPolicy: {
      blockedExtensions: env.BLOCKED_ATTACHMENT_EXTENSIONS.split(',')
        .map((e) => e.trim().replace(/^\./, '').toLowerCase())
        .filter(Boolean),
    },
    rateLimiter: new DynamoRateLimiter(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    suppressions: new DynamoSuppressionList(data.documents, env.DOMAIN_TABLE, data.clock),
    unknownSenders: {
      policy: env.UNKNOWN_SENDER_POLICY,
      knownDomains: domainList(env.KNOWN_SENDER_DOMAINS),
    },
    ackLimits: {
      perSenderPerHour: Number(env.ACK_LIMIT_PER_SENDER_PER_HOUR),
      perMinute: Number(env.ACK_LIMIT_PER_MINUTE),
    },
    supportAddress: env.SUPPORT_ADDRESS,
    portalUrl: env.PORTAL_URL,
    suggestArticles: articleSuggester(
      new S3ArticleDigestStore(sendThrough(s3), env.ATTACHMENT_BUCKET),
      data.clock,
    ),
  };
}

export function notificationServices(env: z.output<typeof notificationsEnv>): NotificationDeps {
  const data = dataAdapters(env);
  const mailer = new SesMailer(sendThrough(sesClient()), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET);
  return {
    tickets: data.tickets,
    mailer,
    references: new DynamoMailReferenceStore(data.documents, env.DOMAIN_TABLE),
    rateLimiter: new DynamoRateLimiter(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    suppressions: new DynamoSuppressionList(data.documents, env.DOMAIN_TABLE, data.clock),
    supportAddress: env.SUPPORT_ADDRESS,
    portalUrl: env.PORTAL_URL,
    perRecipientPerHour: Number(env.NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR),
    deliveries: new DynamoDeliveryLedger(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    survey: surveyMailServices(
      data,
      { mailer, portalUrl: env.PORTAL_URL, supportAddress: env.SUPPORT_ADDRESS },
      linkSigner(env.LINK_KEY_ID),
      satisfactionSettings(env),
    ),
  };
}

const reportStore = (documents: DynamoDBDocumentClient, env: z.output<typeof dataEnv>) =>
  new DynamoReportStore({
    client: documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  });

/** What the reporting consumer needs: the report counters and the desk's calendar. */
export function reportingServices(env: z.output<typeof dataEnv>): CountingDeps {
  const data = dataAdapters(env);
  return {
    reports: reportStore(data.documents, env),
    calendar: deskCalendar(env.TIME_ZONE, env.BUSINESS_HOURS),
  };
}

/** The monthly report mail: the report over the counters, SES, and the delivery ledger (each month once). */
export function monthlyReportServices(env: z.output<typeof monthlyReportEnv>): MonthlyReportDeps {
  const data = dataAdapters(env);
  return {
    report: {
      reports: reportStore(data.documents, env),
      groups: data.groups,
      timeZone: env.TIME_ZONE,
      clock: data.clock,
      value: valueAssumptions(env),
    },
    mailer: new SesMailer(sendThrough(sesClient()), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    deliveries: new DynamoDeliveryLedger(data.documents, env.IDEMPOTENCY_TABLE, data.clock),
    recipients: reportRecipients(env.MONTHLY_REPORT_TO),
    portalUrl: env.PORTAL_URL,
    supportAddress: env.SUPPORT_ADDRESS,
  };
}

/** What the SES feedback function needs: the suppression list alone. */
export function mailFeedbackServices(env: z.output<typeof dataEnv>): SuppressionList {
  const data = dataAdapters(env);
  return new DynamoSuppressionList(data.documents, env.DOMAIN_TABLE, data.clock);
}

export interface ChangeWorkflowServices extends ApprovalLinkDeps {
  readonly mailer: Mailer;
  readonly suppressions: SuppressionList;
  readonly portalUrl: string;
  readonly supportAddress: string;
  readonly linkValidHours: number;
}

/** What the approval workflow's task needs: the change engine, approval links and mail. */
export function changeWorkflowServices(
  env: z.output<typeof changeWorkflowEnv>,
  stored?: ChangeSettingsDocument,
): ChangeWorkflowServices {
  const change = changeAdapters(env, undefined, undefined, stored);
  const ses = sesClient();
  return {
    ...change,
    mailer: new SesMailer(sendThrough(ses), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    suppressions: new DynamoSuppressionList(change.documents, env.DOMAIN_TABLE, change.clock),
    portalUrl: env.PORTAL_URL,
    supportAddress: env.SUPPORT_ADDRESS,
  };
}

/** The deployment's business hours (`TIME_ZONE`, `BUSINESS_HOURS`) as the SLA `default` calendar. */
export function defaultCalendarOf(env: z.output<typeof dataEnv>): BusinessCalendar {
  const [days = '', range = ''] = env.BUSINESS_HOURS.split(' ');
  const hours = Object.fromEntries(days.split(',').map((day) => [day, [range]]));
  return BusinessCalendar.parse({ timeZone: env.TIME_ZONE, hours, holidays: [] });
}

function slaStore(env: z.output<typeof dataEnv>, data: ReturnType<typeof dataAdapters>) {
  return new DynamoSlaStore({
    client: data.documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  });
}

/** What the API reads of service levels (definitions, calendars, a record's clocks, the due queue). */
export function slaReadServices(env: z.output<typeof dataEnv>, data = dataAdapters(env)): SlaReadDeps {
  return {
    sla: slaStore(env, data),
    clock: data.clock,
    ids: data.ids,
    events: data.events,
    defaultCalendar: defaultCalendarOf(env),
    existingGroups: (ids) => data.groups.existingGroups(ids),
  };
}

/**
 * The SLA function: record sources per family, its timers on EventBridge Scheduler (the local
 * emulator on a laptop) and mail for escalations. `targetArn` is the function itself, read from
 * the invocation's context (an environment variable naming it would be a cycle in the template).
 */
export function slaServices(env: z.output<typeof slaEnv>, targetArn: () => string): SlaDeps {
  const data = dataAdapters(env);
  const ses = sesClient();
  const schedulerConfig = {
    ...localClientConfig(),
    ...(local?.endpoints.scheduler ? { endpoint: local.endpoints.scheduler } : {}),
  };
  const scheduler = sendThrough(() =>
    import('@aws-sdk/client-scheduler').then((sdk) => new sdk.SchedulerClient(schedulerConfig)),
  );
  const groups = data.groups;
  return {
    ...slaReadServices(env, data),
    sources: {
      ticket: ticketSource(data.tickets),
      task: taskSource(
        new DynamoRequestStore({
          client: data.documents,
          domainTable: env.DOMAIN_TABLE,
          idempotencyTable: env.IDEMPOTENCY_TABLE,
        }),
      ),
      problem: problemSource(
        new DynamoProblemStore({
          client: data.documents,
          domainTable: env.DOMAIN_TABLE,
          idempotencyTable: env.IDEMPOTENCY_TABLE,
        }),
      ),
    },
    timers: new SchedulerSlaTimers(scheduler, {
      groupName: env.SLA_SCHEDULE_GROUP,
      targetArn,
      roleArn: env.SLA_SCHEDULER_ROLE_ARN,
      deadLetterArn: env.SLA_TIMER_DEAD_LETTER_ARN,
    }),
    actions: { incident: ticketActions(data), request: ticketActions(data) },
    mailer: new SesMailer(sendThrough(ses), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    managerOf: async (group) => (await groups.getGroup(group))?.managerEmail,
    groupsOf: (email) => groups.groupsOf(email),
    portalUrl: env.PORTAL_URL,
    supportAddress: env.SUPPORT_ADDRESS,
  };
}

export interface CatalogWorkflowServices extends RequestApprovalDeps {
  readonly hooks: AutomationHooks;
  readonly mailer: Mailer;
  readonly suppressions: SuppressionList;
  readonly portalUrl: string;
  readonly supportAddress: string;
}

/** Mail a workflow task sends (approval requests), with the suppression list it honours. */
export function workflowMail(
  env: z.output<typeof dataEnv> & z.output<typeof mailEnv>,
  data: ReturnType<typeof dataAdapters>,
): { readonly mailer: Mailer; readonly suppressions: SuppressionList } {
  return {
    mailer: new SesMailer(sendThrough(sesClient()), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    suppressions: new DynamoSuppressionList(data.documents, env.DOMAIN_TABLE, data.clock),
  };
}

/** What the catalog request workflow's task needs: requests, their approvals and tasks, links and mail. */
export function catalogWorkflowServices(env: z.output<typeof catalogWorkflowEnv>): CatalogWorkflowServices {
  const data = dataAdapters(env);
  return {
    ...catalogAdapters(env, undefined, data).requests,
    mailer: new SesMailer(sendThrough(sesClient()), env.MAIL_FROM, env.MAIL_CONFIGURATION_SET),
    suppressions: new DynamoSuppressionList(data.documents, env.DOMAIN_TABLE, data.clock),
    portalUrl: env.PORTAL_URL,
    supportAddress: env.SUPPORT_ADDRESS,
    hooks: new HttpAutomationHooks(parseHooks(env.CATALOG_AUTOMATION_HOOKS)),
  };
}

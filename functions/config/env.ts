import * as z from 'zod';
import { defaultBlockedExtensions } from '#channels/email/attachment-types.ts';
import { RiskQuestionnaire } from '#core/change/risk.ts';
import { GroupMapping } from '#core/identity/group-mapping.ts';
import { OperationsSettings } from '#core/operations/operations-settings.ts';

/**
 * The environment of each Lambda function, as zod schemas. Handlers parse `process.env`
 * with them once at cold start; the CDK constructs type their `environment` with the
 * same inferred types, so a variable missing on either side is a compile error.
 */

const nonEmpty = z.string().min(1);
const count = z.string().regex(/^\d{1,6}$/, 'a whole number');
const days = z.string().regex(/^\d{1,3}$/, 'a whole number of days');

export const dataEnv = z.object({
  /** Name of the single-table domain table. */
  DOMAIN_TABLE: nonEmpty,
  /** Name of the table for idempotency keys and rate-limit windows (TTL on `expiresAt`). */
  IDEMPOTENCY_TABLE: nonEmpty,
  /** Name of the EventBridge bus domain events are published to (`spoke-<stage>-events`). */
  EVENT_BUS_NAME: nonEmpty,
  /** The company's mail domains, comma-separated (subdomains included). @default '' (everyone is known) */
  KNOWN_SENDER_DOMAINS: z.string().max(2000).default(''),
  /**
   * Whom a requester may add as a watcher: `known` (the company's domains — or, with none
   * configured, the requester's own — and people already on the ticket) or `any`. @default 'known'
   */
  WATCHER_POLICY: z.enum(['known', 'any']).default('known'),
  /** Whether agents see only their groups' tickets or all of them. @default 'groups' */
  AGENT_VISIBILITY: z.enum(['groups', 'all']).default('groups'),
  /** Days after resolution during which a caller's reply reopens a ticket. @default '7' */
  REOPEN_WINDOW_DAYS: days.default('7'),
  /** Days after resolution after which a ticket closes by itself. @default '5' */
  AUTO_CLOSE_DAYS: days.default('5'),
  /**
   * The priority matrix, row by row: impact 1–3 down, urgency 1–3 across, nine digits 1–5.
   * @default '123234345' (the ITIL matrix)
   */
  PRIORITY_MATRIX: z
    .string()
    .regex(/^[1-5]{9}$/, 'nine digits 1–5, row by row (impact down, urgency across)')
    .default('123234345'),
  /** The service desk's IANA time zone (account config `businessHours.timeZone`). @default 'UTC' */
  TIME_ZONE: z.string().min(1).default('UTC'),
  /** Staffed hours in that zone (`businessHours`), e.g. `mon,tue,wed,thu,fri 08:00-18:00`. */
  BUSINESS_HOURS: z
    .string()
    .regex(
      /^(mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))* \d\d:\d\d-\d\d:\d\d$/,
      'days and hours such as mon,tue,wed,thu,fri 08:00-18:00',
    )
    .default('mon,tue,wed,thu,fri 08:00-18:00'),
});

export const mailEnv = z.object({
  /** The address employees write to, e.g. `support@example.com`; reply tokens are `support+<token>@…`. */
  SUPPORT_ADDRESS: z.email(),
  /** The From of every mail Spoke sends (an SES-verified identity). */
  MAIL_FROM: z.email(),
  /** The portal's base URL, linked from notifications. */
  PORTAL_URL: z.url(),
  /** The SES configuration set whose bounce and complaint events suppress addresses. */
  MAIL_CONFIGURATION_SET: z.string().max(64).optional(),
});

/** Satisfaction surveys (docs/reporting.md): the API rates, the notifications function mails the links. */
export const satisfactionEnv = z.object({
  /** Days after the resolution a ticket can be rated and the rating changed. @default '14' */
  SATISFACTION_DAYS: count.default('14'),
  /** A score at or below this mails the group's manager a follow-up; '0' turns it off. @default '2' */
  SATISFACTION_FOLLOW_UP_AT_OR_BELOW: z.enum(['0', '1', '2', '3', '4']).default('2'),
});

/** Business-value assumptions of reports (docs/reporting.md, "Business value"). */
export const businessValueEnv = z.object({
  /** Minutes an agent would have spent on a question an article answered. @default '20' */
  DEFLECTION_HANDLING_MINUTES: count.default('20'),
  /** What the desk costs a month in USD, for cost per ticket; '0': not shown. @default '0' */
  MONTHLY_COST_USD: z
    .string()
    .regex(/^\d{1,8}(\.\d{1,2})?$/, 'an amount in USD')
    .default('0'),
});

/** Change management settings, shared by the API and the approval workflow's task. */
export const changeEnv = z.object({
  /** The KMS HMAC key that signs approval links (`local` on a laptop, where a key file does it). */
  LINK_KEY_ID: nonEmpty,
  /** Hours an approve/reject link in mail stays valid. @default '72' */
  APPROVAL_LINK_VALID_HOURS: z
    .string()
    .regex(/^\d{1,4}$/, 'a whole number of hours')
    .default('72'),
  /** Group id of the change advisory board. @default 'cab' */
  CAB_GROUP: z.string().min(2).max(64).default('cab'),
  /** Group id of the emergency CAB. @default 'ecab' */
  ECAB_GROUP: z.string().min(2).max(64).default('ecab'),
  /** Group id that gets overdue approvals and may decide them. @default 'change-managers' */
  ESCALATION_GROUP: z.string().min(2).max(64).default('change-managers'),
  /** CAB approvals a medium-risk change needs (N of M). @default '2' */
  CAB_QUORUM: z
    .string()
    .regex(/^[1-9]\d?$/, 'a whole number 1–99')
    .default('2'),
  /**
   * The SSM parameter holding the large change settings (service owners and the risk
   * questionnaire, {@link changeSettingsDocument}), read once per cold start. In AWS it replaces
   * `SERVICE_OWNERS` and `RISK_QUESTIONNAIRE`, which would not fit the 4 KB of environment.
   */
  CHANGE_SETTINGS_PARAMETER: z.string().min(1).optional(),
  /** Service owners inline (the local cloud): `service=owner@example.com`, comma-separated. @default '' */
  SERVICE_OWNERS: z
    .string()
    .max(4000)
    .regex(
      /^([^=,]+=[^=,@\s]+@[^=,\s]+)?(,[^=,]+=[^=,@\s]+@[^=,\s]+)*$/,
      'service=owner@example.com, comma-separated',
    )
    .default(''),
  /** The risk questionnaire as JSON, inline (the local cloud). @default the built-in one */
  RISK_QUESTIONNAIRE: z.string().max(20_000).optional(),
});

/** The JSON document in the `CHANGE_SETTINGS_PARAMETER` parameter (written by CDK from the account config). */
export const changeSettingsDocument = z.object({
  serviceOwners: z.record(z.string().min(1), z.email()).default({}),
  riskQuestionnaire: RiskQuestionnaire.optional(),
});
export type ChangeSettingsDocument = z.output<typeof changeSettingsDocument>;

/** Problem management settings, shared by the API and the problem-events function. */
export const problemEnv = z.object({
  /** Group id of the problem managers (they see and move every problem, and get suggestions). @default 'problem-managers' */
  PROBLEM_MANAGERS_GROUP: z.string().min(2).max(64).default('problem-managers'),
  /** When a linked change closes successfully: tell the incidents' requesters, or tell them and resolve. @default 'notify' */
  PROBLEM_FIX_POLICY: z.enum(['notify', 'notify-and-resolve']).default('notify'),
  /** Incidents on one service or category within the window that suggest a problem. @default '5' */
  PROBLEM_SUGGESTION_THRESHOLD: count.default('5'),
  /** The window of that count, in days. @default '7' */
  PROBLEM_SUGGESTION_WINDOW_DAYS: days.default('7'),
});

/** Release management and the pipeline gate (account config `release`). */
export const releaseEnv = z.object({
  /** Group id whose members decide a release's go/no-go. @default 'cab' */
  RELEASE_GO_NO_GO_GROUP: z.string().min(2).max(64).default('cab'),
  /** The pipelines the gate knows, as JSON (`PipelineConfig[]`: name, account, template, release, windowMinutes). @default '[]' */
  PIPELINES: z.string().max(3000).default('[]'),
});

/** Catalog request settings: the change approvals' link key, link lifetime and escalation group serve catalog approvals too. */
export const catalogEnv = changeEnv.pick({
  LINK_KEY_ID: true,
  APPROVAL_LINK_VALID_HOURS: true,
  ESCALATION_GROUP: true,
});

/** The search functions: the index's bucket (prefix `search-index/v1/`), its shards, how fresh a reader keeps it. */
export const searchEnv = dataEnv.extend({
  SEARCH_BUCKET: nonEmpty,
  /** Shards of the index; changing it needs a rebuild. @default '8' */
  SEARCH_SHARDS: z
    .string()
    .regex(/^([1-9]|[1-5]\d|6[0-4])$/, '1 to 64')
    .default('8'),
  /** How old a reader's copy may get before it checks for newer shards. @default '1000' */
  SEARCH_REFRESH_MS: count.default('1000'),
  /** The CloudFront origin secret (the search route, like the API, answers the portal only). */
  ORIGIN_VERIFY_SECRET: z.string().optional(),
});
export type SearchEnv = z.input<typeof searchEnv>;
export const apiEnv = dataEnv
  .merge(changeEnv)
  .merge(satisfactionEnv)
  .merge(businessValueEnv)
  .merge(problemEnv)
  .extend({
    /** The catalog request state machine, started when someone orders from the catalog. */
    CATALOG_WORKFLOW_ARN: nonEmpty,
    /** Bucket holding attachments (presigned upload and download). */
    ATTACHMENT_BUCKET: nonEmpty,
    /** The change approval state machine, started when a change is submitted for approval. */
    CHANGE_APPROVAL_ARN: nonEmpty,
    /**
     * The value CloudFront sends in `x-spoke-origin-verify` (a Secrets Manager secret, resolved by
     * CloudFormation); requests without it are refused. Required in AWS; the local cloud, whose
     * gateway is the only way in, has none.
     */
    ORIGIN_VERIFY_SECRET: z.string().min(32).optional(),
    /** Tickets one person may open through the API per minute; more get 429 with Retry-After. @default '10' */
    TICKET_OPEN_LIMIT_PER_MINUTE: count.default('10'),
    /** Tickets one person may open through the API per hour. @default '60' */
    TICKET_OPEN_LIMIT_PER_HOUR: count.default('60'),
    /** The support group whose members manage the whole CMDB (account config `cmdb.managerGroup`). @default 'configuration-managers' */
    CMDB_MANAGER_GROUP: z.string().min(1).max(64).default('configuration-managers'),
    /** Points a critical business service adds to a change's risk score at submission (account config `cmdb.criticalServiceRiskWeight`). @default '2' */
    CMDB_CRITICAL_RISK_WEIGHT: z
      .string()
      .regex(/^\d{1,2}$/, 'a whole number 0–99')
      .default('2'),
  });

/** The CMDB discovery function: AWS Config configuration-item changes into the CMDB. */
export const cmdbDiscoveryEnv = dataEnv.extend({
  /** The support group whose members manage the CMDB. @default 'configuration-managers' */
  CMDB_MANAGER_GROUP: z.string().min(1).max(64).default('configuration-managers'),
});

/** The asset import function: the domain table, and the attachments bucket its files are uploaded to (`asset-imports/`). */
export const assetImportEnv = dataEnv.extend({
  ATTACHMENT_BUCKET: nonEmpty,
  /** The support group whose members manage the CMDB. @default 'configuration-managers' */
  CMDB_MANAGER_GROUP: z.string().min(1).max(64).default('configuration-managers'),
});
export type AssetImportEnv = z.input<typeof assetImportEnv>;
/** The status page function: incident events into the status items of business services. */
export const serviceStatusEnv = cmdbDiscoveryEnv.extend({
  /** How far an incident on a CI reaches business services (downstream steps; account config `cmdb.statusImpactDepth`). @default '3' */
  CMDB_STATUS_DEPTH: z
    .string()
    .regex(/^[1-6]$/, 'a depth of 1 to 6')
    .default('3'),
});
export type ServiceStatusEnv = z.input<typeof serviceStatusEnv>;

export const inboundEmailEnv = dataEnv.merge(mailEnv).extend({
  /** Bucket of ticket attachments: the files of inbound mail are kept there under `tickets/`. */
  ATTACHMENT_BUCKET: nonEmpty,
  /** Bucket the SES receipt rule writes raw messages to, before the Lambda runs. */
  RAW_MAIL_BUCKET: nonEmpty,
  /**
   * Mail from outside `KNOWN_SENDER_DOMAINS`: `create` a ticket anyway, `reply` that only company
   * addresses are served, or `quarantine` it. @default 'create'
   */
  UNKNOWN_SENDER_POLICY: z.enum(['create', 'reply', 'quarantine']).default('create'),
  /** Acknowledgements one address gets per hour at most; a loop or a flood stops there. @default '5' */
  ACK_LIMIT_PER_SENDER_PER_HOUR: count.default('5'),
  /** Acknowledgements sent to everyone together per minute at most. @default '120' */
  ACK_LIMIT_PER_MINUTE: count.default('120'),
  /**
   * File name extensions of mail attachments that are never kept (comma-separated, no dots):
   * files that run when opened. Executables are blocked by their bytes as well.
   * @default exe, com, scr, … (see `defaultBlockedExtensions`)
   */
  BLOCKED_ATTACHMENT_EXTENSIONS: z.string().max(2000).default(defaultBlockedExtensions.join(',')),
  /** Key prefix of raw messages in that bucket (the receipt rule's `objectKeyPrefix`). */
  RAW_MAIL_PREFIX: z.string().default('raw/'),
});

export const changeWorkflowEnv = dataEnv.merge(mailEnv).merge(changeEnv);

export const catalogWorkflowEnv = dataEnv
  .merge(mailEnv)
  .merge(catalogEnv)
  .extend({
    /** Automated fulfilment tasks' hooks: a JSON object of name → URL (config `catalog.automationHooks`). @default '{}' */
    CATALOG_AUTOMATION_HOOKS: z.string().max(4000).default('{}'),
  });

/** The release go/no-go workflow's task, the CodePipeline gate and the pipeline outcome function. */
export const releaseFunctionEnv = dataEnv.merge(mailEnv).merge(changeEnv).merge(releaseEnv);
export type ReleaseFunctionEnv = z.input<typeof releaseFunctionEnv>;
/** The release API: release routes and the token-guarded pipeline gate, behind the same HTTP API. */
export const releaseApiEnv = dataEnv
  .merge(changeEnv)
  .merge(releaseEnv)
  .extend({
    /** The release go/no-go state machine, started when a release manager asks for a decision. */
    RELEASE_WORKFLOW_ARN: nonEmpty,
    /** The CloudFront origin secret: like the API, this function answers the portal's origin only. */
    ORIGIN_VERIFY_SECRET: z.string().min(32).optional(),
  });
export type ReleaseApiEnv = z.input<typeof releaseApiEnv>;

/** The function that follows record events for problem management (fixes, incident counters). */
export const problemEventsEnv = dataEnv.merge(problemEnv);
export type ProblemEventsEnv = z.input<typeof problemEventsEnv>;

export const notificationsEnv = dataEnv
  .extend(mailEnv.shape)
  .extend(satisfactionEnv.shape)
  .extend({
    /** The KMS HMAC key that signs the survey links in resolution mail (`local` on a laptop). */
    LINK_KEY_ID: nonEmpty,
    /** Mails one address gets per hour at most about its tickets. @default '30' */
    NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR: count.default('30'),
  });
/** The SLA function: record events and its own timers (EventBridge Scheduler). */
export const slaEnv = dataEnv.extend(mailEnv.shape).extend({
  /** The schedule group holding one one-time schedule per record (`spoke-<stage>-sla`). */
  SLA_SCHEDULE_GROUP: nonEmpty,
  /** The role EventBridge Scheduler assumes to invoke this function. */
  SLA_SCHEDULER_ROLE_ARN: nonEmpty,
  /** Where a timer whose invocation keeps failing is kept (SQS). */
  SLA_TIMER_DEAD_LETTER_ARN: nonEmpty,
});
export type SlaEnv = z.input<typeof slaEnv>;

/** The reporting consumer: the domain table and the desk's calendar (`TIME_ZONE`, `BUSINESS_HOURS`). */
export const reportingEnv = dataEnv;

/** The monthly report mail: last month's figures to chosen managers, from the counters. */
export const monthlyReportEnv = dataEnv
  .extend(mailEnv.shape)
  .extend(businessValueEnv.shape)
  .extend({
    /** Who gets it, comma-separated; empty: nobody (the function does nothing). @default '' */
    MONTHLY_REPORT_TO: z.string().max(5000).default(''),
  });
export type MonthlyReportEnv = z.input<typeof monthlyReportEnv>;
export const preTokenGenerationEnv = z.object({
  /** JSON: IdP group names per Spoke group, `{"agents":[…],"approvers":[…],"admins":[…]}`. */
  GROUP_MAPPING: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(GroupMapping),
});
export type PreTokenGenerationEnv = z.input<typeof preTokenGenerationEnv>;

export type NotificationsEnv = z.input<typeof notificationsEnv>;

export type DataEnv = z.input<typeof dataEnv>;
export type CmdbDiscoveryEnv = z.input<typeof cmdbDiscoveryEnv>;
export type ApiEnv = z.input<typeof apiEnv>;
export type InboundEmailEnv = z.input<typeof inboundEmailEnv>;
export type ChangeWorkflowEnv = z.input<typeof changeWorkflowEnv>;
export type CatalogWorkflowEnv = z.input<typeof catalogWorkflowEnv>;

/** Parses `process.env` with a schema and fails the cold start with the names of what is wrong. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid function environment: ${problems}`);
  }
  return result.data;
}

/**
 * The env schema of each Lambda entry point, by handler module. CDK types each function's
 * `environment` with the same schema (STYLE habit 4); the template test checks that a function
 * is given only what its schema reads, and the local cloud may give each handler its own.
 */
/** The cloud-operations function's environment (its settings as one JSON document). */
export const cloudOperationsEnv = dataEnv.extend(mailEnv.shape).extend({
  /** The support group whose members manage the CMDB. @default 'configuration-managers' */
  CMDB_MANAGER_GROUP: z.string().min(1).max(64).default('configuration-managers'),
  /** `cloudOperations` of the account config as JSON (`OperationsSettings`). @default '{}' */
  OPERATIONS_SETTINGS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return OperationsSettings.parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not valid settings: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  /** `cloudOperations.cloudTrail` as JSON (`TrailSettings`). @default '{}' */
  TRAIL_SETTINGS: z.string().default('{}'),
});
export type CloudOperationsEnv = z.input<typeof cloudOperationsEnv>;

export const handlerEnvSchemas = {
  'functions/handlers/api.ts': apiEnv,
  'functions/handlers/inbound-email.ts': inboundEmailEnv,
  'functions/handlers/notifications.ts': notificationsEnv,
  'functions/handlers/reporting.ts': reportingEnv,
  'functions/handlers/monthly-report.ts': monthlyReportEnv,
  'functions/handlers/problem-events.ts': problemEventsEnv,
  'functions/handlers/mail-feedback.ts': dataEnv,
  'functions/handlers/ticket-housekeeping.ts': dataEnv,
  'functions/handlers/change-workflow.ts': changeWorkflowEnv,
  'functions/handlers/catalog-workflow.ts': catalogWorkflowEnv,
  'functions/handlers/release-workflow.ts': releaseFunctionEnv,
  'functions/handlers/release-api.ts': releaseApiEnv,
  'functions/handlers/pipeline-gate.ts': releaseFunctionEnv,
  'functions/handlers/pipeline-events.ts': releaseFunctionEnv,
  'functions/handlers/pre-token-generation.ts': preTokenGenerationEnv,
  'functions/handlers/sla.ts': slaEnv,
  'functions/handlers/cmdb-discovery.ts': cmdbDiscoveryEnv,
  'functions/handlers/asset-import.ts': assetImportEnv,
  'functions/handlers/service-status.ts': serviceStatusEnv,
  'functions/handlers/search.ts': searchEnv,
  'functions/handlers/search-indexer.ts': searchEnv,
  'functions/handlers/cloud-operations.ts': cloudOperationsEnv,
} as const satisfies Record<string, z.ZodObject>;

/** Variables the runtime reads rather than Spoke's code: Node's options and Powertools' names. */
export const runtimeEnv = [
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
] as const;

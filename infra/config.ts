import { readFileSync } from 'node:fs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { RiskQuestionnaire } from '#core/change/risk.ts';
import { cloudOperationsConfig } from './cloud-operations-config.ts';
import { checkPipelineAccounts, releaseConfigSchema } from './release-config.ts';
import { receivesMail, sesReceivingRegions } from './ses-regions.ts';

/**
 * The per-account, per-stage configuration of a Spoke deployment (DESIGN §8). One JSON file
 * per account is validated here before the stack is built, so a typo fails the synth with
 * the field that is wrong instead of deploying a half-configured service desk. Every field is
 * documented in docs/configuration.md; `infra/configs/example.json` is a fictional company.
 */

const retentionDays = new Set<number>(Object.values(RetentionDays).filter((v) => typeof v === 'number'));

/** A Spoke group id, as the change settings name approver groups. */
const groupId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'a group id: lowercase letters, digits, dashes');

/**
 * The change settings too large for a function's environment (4 KB for all variables): service
 * owners and the risk questionnaire travel as one JSON document in SSM Parameter Store, whose
 * advanced tier holds 8 KB.
 */
export const CHANGE_SETTINGS_MAX_BYTES = 8192;

/** The JSON document of the large change settings, as the SSM parameter holds it. */
export const changeSettingsDocument = (changes: {
  serviceOwners: Record<string, string>;
  riskQuestionnaire?: unknown;
}): string =>
  JSON.stringify({
    serviceOwners: changes.serviceOwners,
    ...(changes.riskQuestionnaire ? { riskQuestionnaire: changes.riskQuestionnaire } : {}),
  });

const changeDocumentSize = (changes: Parameters<typeof changeSettingsDocument>[0]) =>
  Buffer.byteLength(changeSettingsDocument(changes), 'utf8');

/** The Spoke groups the API authorizes by; employees are plain users. */
export const spokeGroups = ['agents', 'approvers', 'admins'] as const;

const dnsName = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, 'a lowercase DNS name such as help.example.com');

/** `support@help.example.com` → `help.example.com`. */
export const domainOf = (address: string): string =>
  address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** True when `domain` is `parent` or one of its subdomains. */
const within = (domain: string, parent: string) => domain === parent || domain.endsWith(`.${parent}`);

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time such as 08:00');
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A Cognito identity provider name: what users see on the sign-in button. */
const providerName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9-]{2,31}$/,
    'letters, digits and dashes, 3-32 characters, starting with a letter',
  );

/** A Secrets Manager secret name or ARN: the client secret is never in the config or the template. */
const secretName = z
  .string()
  .regex(/^[\w/+=.@:-]{1,512}$/, 'the name or ARN of a Secrets Manager secret holding the client secret');

const samlProvider = z
  .object({
    type: z.literal('saml'),
    /** Name on the sign-in button, e.g. `EntraID` or `Okta`. */
    name: providerName,
    /** The IdP's federation metadata URL (Entra ID: App federation metadata URL). */
    metadataUrl: z.url({ protocol: /^https$/, error: 'an https:// metadata URL' }),
    /** SAML attribute holding the email address. @default the Microsoft/Okta emailaddress claim URI */
    emailAttribute: z
      .string()
      .min(1)
      .default('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
    /** SAML attribute holding the user's groups. @default the Microsoft groups claim URI */
    groupsAttribute: z
      .string()
      .min(1)
      .default('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'),
  })
  .strict();

const oidcProvider = z
  .object({
    type: z.literal('oidc'),
    name: providerName,
    /** The issuer, e.g. `https://example.okta.com` or `https://login.microsoftonline.com/<tenant>/v2.0`. */
    issuerUrl: z.url({ protocol: /^https$/, error: 'an https:// issuer URL' }),
    clientId: z.string().min(1),
    /** Secrets Manager secret (name or ARN) whose string value is the client secret. */
    clientSecretName: secretName,
    /** ID-token claim holding the email address. @default 'email' */
    emailClaim: z.string().min(1).default('email'),
    /** ID-token claim holding the user's groups. @default 'groups' */
    groupsClaim: z.string().min(1).default('groups'),
  })
  .strict();

const googleProvider = z
  .object({
    type: z.literal('google'),
    clientId: z.string().min(1),
    /** Secrets Manager secret (name or ARN) whose string value is the client secret. */
    clientSecretName: secretName,
  })
  .strict();

export const spokeConfigSchema = z
  .object({
    /** Deployment stage, part of every physical name, e.g. `prod`. */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,15}$/, 'lowercase letters, digits and dashes, 2-16 characters'),
    /**
     * Name of this Spoke when one account runs more than one (e.g. `hr` next to `it`); part of
     * the stack name and every physical name. Leave it out for the one Spoke of an account.
     */
    instance: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,11}$/, 'lowercase letters and digits, 2-12 characters')
      .optional(),
    /** The AWS account the config is meant for; `cdk deploy` refuses any other. */
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    /** Region of the stack; SES email receiving must be available there (`infra/ses-regions.ts`). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
      .refine(receivesMail, {
        error: (issue) =>
          `SES email receiving is not available in ${String(issue.input)}, and Spoke receives its tickets by mail: choose one of ${sesReceivingRegions.join(', ')}`,
      }),
    company: z.object({ name: z.string().min(1) }).strict(),
    support: z
      .object({
        /**
         * Mail domains Spoke receives and sends on; each becomes an SES identity with DKIM.
         * @default the domains of `addresses` and `mailFrom`
         */
        domains: z.array(dnsName).min(1).optional(),
        /** Addresses employees write to; the receipt rule accepts exactly these. The first is the reply address. */
        addresses: z.tuple([z.email()], z.email()),
        /** The From of every mail Spoke sends, on one of `domains`. */
        mailFrom: z.email(),
        /**
         * `create` an SES domain identity with Easy DKIM for each domain, or use identities that
         * `exist` already in the account (another Spoke or application verified them). @default 'create'
         */
        identities: z.enum(['create', 'existing']).default('create'),
        /**
         * Mail from outside `knownDomains`: `create` a ticket anyway, `reply` that only company
         * addresses are served, or `quarantine` it. Functions: `UNKNOWN_SENDER_POLICY`,
         * `KNOWN_SENDER_DOMAINS`. @default create, and no domains (everyone is known)
         */
        unknownSenders: z
          .object({
            policy: z.enum(['create', 'reply', 'quarantine']).default('create'),
            /** The company's mail domains (subdomains included). */
            knownDomains: z.array(dnsName).default([]),
          })
          .strict()
          .default({ policy: 'create', knownDomains: [] }),
        /** Caps on automatic acknowledgements: per address per hour, and for everyone per minute. */
        acknowledgements: z
          .object({
            perSenderPerHour: z.number().int().min(1).max(999_999).default(5),
            perMinute: z.number().int().min(1).max(999_999).default(120),
          })
          .strict()
          .default({ perSenderPerHour: 5, perMinute: 120 }),
        /** Notification mails one address gets per hour at most. @default 30 */
        notificationsPerRecipientPerHour: z.number().int().min(1).max(999_999).default(30),
      })
      .strict()
      .transform((support) => ({
        ...support,
        domains: support.domains ?? [
          ...new Set([...support.addresses, support.mailFrom].map((address) => domainOf(address))),
        ],
      }))
      .superRefine((support, ctx) => {
        const check = (address: string, path: (string | number)[]) => {
          if (!support.domains.some((domain) => within(domainOf(address), domain))) {
            ctx.addIssue({
              code: 'custom',
              path,
              message: `${address} is not on a support domain (${support.domains.join(', ')})`,
            });
          }
        };
        support.addresses.forEach((address, index) => {
          check(address, ['addresses', index]);
        });
        check(support.mailFrom, ['mailFrom']);
      }),
    /** A custom portal domain; without it the portal is served on the CloudFront domain. */
    portal: z
      .object({
        domainName: dnsName,
        /**
         * ACM certificate for `domainName`. CloudFront only takes certificates from us-east-1,
         * whatever the stack's region, so the certificate is created there beforehand.
         */
        certificateArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
            'an ACM certificate ARN in us-east-1 (CloudFront takes certificates from us-east-1 only)',
          ),
      })
      .strict()
      .optional(),
    auth: z
      .object({
        /** Prefix of the Cognito managed login domain (`<prefix>.auth.<region>.amazoncognito.com`). */
        domainPrefix: z
          .string()
          .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes'),
        /**
         * Cognito threat protection (Plus feature plan, billed per monthly active user).
         * @default false
         */
        threatProtection: z.boolean().default(false),
        /** Sign-in through the company's identity provider(s); without it, users are created in Cognito. */
        federation: z
          .object({
            providers: z
              .array(z.discriminatedUnion('type', [samlProvider, oidcProvider, googleProvider]))
              .min(1),
            /**
             * IdP group names (as the IdP sends them: Entra ID sends object ids) per Spoke group.
             * A user in none of them signs in as a plain employee.
             */
            groups: z
              .object({
                agents: z.array(z.string().min(1)).default([]),
                approvers: z.array(z.string().min(1)).default([]),
                admins: z.array(z.string().min(1)).default([]),
              })
              .strict()
              .default({ agents: [], approvers: [], admins: [] }),
            /** Whether users created in Cognito itself may still sign in with a password. @default true */
            cognitoUsers: z.boolean().default(true),
          })
          .strict()
          .superRefine((federation, ctx) => {
            const names = federation.providers.map((p) => (p.type === 'google' ? 'Google' : p.name));
            names.forEach((name, index) => {
              if (names.indexOf(name) !== index) {
                ctx.addIssue({
                  code: 'custom',
                  path: ['providers', index],
                  message: `a second provider named ${name}`,
                });
              }
            });
          })
          .optional(),
      })
      .strict(),
    /** Where CloudWatch alarms go. Both may be given; with neither they only show in CloudWatch. */
    alarms: z
      .object({
        /** Mailed by an SNS e-mail subscription, which the recipient confirms. */
        email: z.email().optional(),
        /** An existing SNS topic (chat, paging) that also receives every alarm, in the stack's region. */
        topicArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'an SNS topic ARN')
          .optional(),
      })
      .strict()
      .default({}),
    /** When the service desk is staffed; functions get it as `TIME_ZONE` and `BUSINESS_HOURS`. */
    businessHours: z
      .object({
        /** An IANA time zone, e.g. `Europe/Berlin`. */
        timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin'),
        days: z.array(z.enum(weekdays)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
        start: clock.default('08:00'),
        end: clock.default('18:00'),
      })
      .strict()
      .refine((hours) => hours.start < hours.end, { path: ['end'], message: 'must be later than start' })
      .default({ timeZone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }),
    /** How tickets behave: who sees what, reopening, auto-close, the priority matrix. */
    tickets: z
      .object({
        /** Agents see only their groups' tickets (`groups`) or every ticket (`all`). @default 'groups' */
        agentVisibility: z.enum(['groups', 'all']).default('groups'),
        /** Days after resolution in which the requester's reply reopens a ticket. @default 7 */
        reopenWindowDays: z.number().int().min(0).max(999).default(7),
        /** Days after resolution after which a ticket closes by itself. @default 5 */
        autoCloseDays: z.number().int().min(1).max(999).default(5),
        /**
         * Whom a requester may add as a watcher: `known` (the company's domains, or the
         * requester's own when none are set, and people already on the ticket) or `any`. @default 'known'
         */
        watcherPolicy: z.enum(['known', 'any']).default('known'),
        /** Tickets one person may open through the API per minute; more get 429. @default 10 */
        openLimitPerMinute: z.number().int().min(1).max(999_999).default(10),
        /** Tickets one person may open through the API per hour. @default 60 */
        openLimitPerHour: z.number().int().min(1).max(999_999).default(60),
        /** Priority by impact (rows 1–3) and urgency (columns 1–3), each 1–5. @default the ITIL matrix */
        priorityMatrix: z
          .array(z.array(z.number().int().min(1).max(5)).length(3))
          .length(3)
          .default([
            [1, 2, 3],
            [2, 3, 4],
            [3, 4, 5],
          ]),
      })
      .strict()
      .default({
        agentVisibility: 'groups',
        reopenWindowDays: 7,
        autoCloseDays: 5,
        watcherPolicy: 'known',
        openLimitPerMinute: 10,
        openLimitPerHour: 60,
        priorityMatrix: [
          [1, 2, 3],
          [2, 3, 4],
          [3, 4, 5],
        ],
      }),
    /** Search: shards of the index in S3 and how fresh a search function keeps its copy. */
    search: z
      .object({
        /** Shards of the index (1–64); a change needs a rebuild of the index. @default 8 */
        shards: z.number().int().min(1).max(64).default(8),
        /** How old a search function's copy may get before it checks S3 for newer shards. @default 1000 */
        refreshMs: z.number().int().min(0).max(60_000).default(1000),
      })
      .strict()
      .default({ shards: 8, refreshMs: 1000 }),
    /** Change management: approver groups, quorum, links, service owners, the risk questionnaire. */
    changes: z
      .object({
        /** Group id of the change advisory board. @default 'cab' */
        cabGroup: groupId.default('cab'),
        /** Group id of the emergency CAB. @default 'ecab' */
        ecabGroup: groupId.default('ecab'),
        /** Group id that gets overdue approvals and may decide them. @default 'change-managers' */
        escalationGroup: groupId.default('change-managers'),
        /** CAB approvals a medium-risk change needs. @default 2 */
        cabQuorum: z.number().int().min(1).max(99).default(2),
        /** Hours an approve/reject link in mail stays valid. @default 72 */
        approvalLinkValidHours: z.number().int().min(1).max(720).default(72),
        /** The owner's address per service, who approves high-risk changes to it. @default {} */
        serviceOwners: z
          .record(
            z
              .string()
              .min(1)
              .max(100)
              .regex(/^[^=,]+$/, 'no = or ,'),
            z.email(),
          )
          .default({}),
        /** The risk questionnaire (questions with weighted options and thresholds). @default the built-in one */
        riskQuestionnaire: RiskQuestionnaire.optional(),
      })
      .strict()
      .refine((changes) => changeDocumentSize(changes) <= CHANGE_SETTINGS_MAX_BYTES, {
        message: `service owners and risk questionnaire together exceed ${CHANGE_SETTINGS_MAX_BYTES} bytes of JSON (an SSM parameter's limit)`,
      })
      .default({
        cabGroup: 'cab',
        ecabGroup: 'ecab',
        escalationGroup: 'change-managers',
        cabQuorum: 2,
        approvalLinkValidHours: 72,
        serviceOwners: {},
      }),
    /** Problem management: who manages problems, what a fixing change does, when to suggest one. */
    problems: z
      .object({
        /** Group id of the problem managers (they see and move every problem, and get suggestions). @default 'problem-managers' */
        managersGroup: groupId.default('problem-managers'),
        /** When a linked change closes successfully: `notify` the incidents' requesters, or `notify-and-resolve`. @default 'notify' */
        fixPolicy: z.enum(['notify', 'notify-and-resolve']).default('notify'),
        /** Incidents on one service or category within the window that suggest a problem. @default 5 */
        suggestionThreshold: z.number().int().min(2).max(999).default(5),
        /** The window of that count, in days. @default 7 */
        suggestionWindowDays: z.number().int().min(1).max(90).default(7),
      })
      .strict()
      .default({
        managersGroup: 'problem-managers',
        fixPolicy: 'notify',
        suggestionThreshold: 5,
        suggestionWindowDays: 7,
      }),
    /** Reporting: satisfaction surveys, the monthly report mail and the business-value assumptions (docs/reporting.md). */
    reporting: z
      .object({
        /** Days after the resolution a ticket can be rated and the rating changed. @default 14 */
        satisfactionDays: z.number().int().min(1).max(90).default(14),
        /** A score at or below this mails the group's manager a follow-up; 0 turns it off. @default 2 */
        satisfactionFollowUpAtOrBelow: z.number().int().min(0).max(4).default(2),
        /** Who gets the monthly report mail (managers); none: no mail. @default [] */
        monthlyReportTo: z.array(z.email()).max(50).default([]),
        /** Minutes an agent would have spent on a question an article answered (time saved by self-service). @default 20 */
        deflectionHandlingMinutes: z.number().int().min(1).max(600).default(20),
        /** What the desk costs a month, in USD, for cost per ticket (`npm run cost`'s model gives AWS's part). @default 0 (not shown) */
        monthlyCostUsd: z.number().min(0).max(10_000_000).default(0),
      })
      .strict()
      .default({
        satisfactionDays: 14,
        satisfactionFollowUpAtOrBelow: 2,
        monthlyReportTo: [],
        deflectionHandlingMinutes: 20,
        monthlyCostUsd: 0,
      }),
    /**
     * Tables restored from a point-in-time backup that the functions use instead of the ones the
     * stack created (docs/restore.md). The created tables stay (retained, deletion-protected).
     */
    restoredTables: z
      .object({
        domain: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name')
          .optional(),
        idempotency: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name')
          .optional(),
      })
      .strict()
      .default({}),
    /**
     * Deletion protection on the tables and the user pool. Leave it off for the first deploy (a
     * failed first deploy must be able to roll back, and a protected table or pool refuses the
     * rollback's delete), then turn it on and deploy again. Stack deletion and replacement keep
     * the tables and the pool either way. @default false
     */
    deletionProtection: z.boolean().default(false),
    /** Release management and the deployment pipeline gate (infra/release-config.ts). */
    release: releaseConfigSchema,
    /** Configuration management: who manages the CMDB, and whether AWS Config fills it. */
    cmdb: z
      .object({
        /** The support group whose members manage the whole CMDB. @default 'configuration-managers' */
        managerGroup: z.string().min(1).max(64).default('configuration-managers'),
        /**
         * How far an incident linked to a CI reaches business services on the status page
         * (downstream steps of the CMDB's relations). @default 3
         */
        statusImpactDepth: z.number().int().min(1).max(6).default(3),
        /**
         * Added to a change's risk score when a CI it touches supports a critical business service.
         * 0 turns it off. @default 2
         */
        criticalServiceRiskWeight: z.number().int().min(0).max(10).default(2),
        /**
         * Discovery from AWS Config (opt-in: a Config recorder in this account and region records
         * the resources, billed per configuration item). When on, a rule on the default event bus
         * sends "Config Configuration Item Change" events to the discovery function.
         */
        discovery: z
          .object({
            /** @default false */
            enabled: z.boolean().default(false),
            /**
             * The bucket of the Config delivery channel: oversized items are read from it (the
             * function may read `AWSLogs/<account>/Config/*` there and nothing else).
             */
            configBucket: z.string().min(3).max(63).optional(),
          })
          .strict()
          .default({ enabled: false }),
      })
      .strict()
      .default({
        managerGroup: 'configuration-managers',
        statusImpactDepth: 3,
        criticalServiceRiskWeight: 2,
        discovery: { enabled: false },
      }),
    /** The service catalog: the hooks automated fulfilment tasks call (docs/catalog.md). */
    catalog: z
      .object({
        /**
         * Hook name → HTTPS endpoint an automated task POSTs its order to (for example an API in
         * front of an SSM Automation runbook that resets a directory password). @default {}
         */
        automationHooks: z
          .record(
            z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lower-case letters, digits and -'),
            z.url({ protocol: /^https$/, error: 'an https:// URL' }),
          )
          .refine((hooks) => JSON.stringify(hooks).length <= 4000, 'at most 4000 characters of JSON')
          .default({}),
      })
      .strict()
      .default({ automationHooks: {} }),
    /** Alarms, AWS Health and CloudTrail into incidents, chat, trusted accounts (`cloud-operations-config.ts`). */
    cloudOperations: cloudOperationsConfig.default(cloudOperationsConfig.parse({})),
    retention: z
      .object({
        /** Days CloudWatch keeps function, API and workflow logs; one of the values CloudWatch accepts. */
        logDays: z
          .number()
          .refine((days) => retentionDays.has(days), 'a CloudWatch Logs retention (e.g. 30, 90, 365)'),
        /**
         * Days a raw inbound message is kept in S3 (the ticket keeps the parsed text and the
         * attachments); older and replaced versions go 30 days later. @default 365
         */
        rawMailDays: z.number().int().min(30, 'at least 30 days, to reprocess dead letters').default(365),
        /**
         * Days the event archive keeps every domain event (the audit trail outside the table,
         * for replay); 0 keeps them indefinitely. @default 365
         */
        auditEventDays: z.number().int().min(0).max(36500).default(365),
      })
      .strict(),
  })
  .strict()
  .superRefine((config, ctx) => {
    checkPipelineAccounts(config, ctx);
    const certificate = config.portal?.certificateArn;
    if (certificate && certificate.split(':')[4] !== config.account) {
      ctx.addIssue({
        code: 'custom',
        path: ['portal', 'certificateArn'],
        message: `the certificate must be in the stack's account ${config.account}`,
      });
    }
    const topic = config.alarms.topicArn;
    if (topic && topic.split(':')[3] !== config.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'topicArn'],
        message: `the topic must be in the stack's region ${config.region}`,
      });
    }
  });

export type SpokeConfig = z.output<typeof spokeConfigSchema>;
export type FederationConfig = NonNullable<SpokeConfig['auth']['federation']>;
export type IdentityProviderConfig = FederationConfig['providers'][number];

/** A config file that cannot be used; the message names the file, each field path and why. */
export class SpokeConfigError extends Error {
  override name = 'SpokeConfigError';
}

/**
 * The physical-name prefix of a deployment, shared with the local cloud (`tableName(prefix, …)`):
 * `spoke-<stage>`, or `spoke-<instance>-<stage>` when an account runs more than one Spoke.
 */
export const resourcePrefix = (config: Pick<SpokeConfig, 'stage' | 'instance'>): string =>
  config.instance ? `spoke-${config.instance}-${config.stage}` : `spoke-${config.stage}`;

/** The CloudFormation stack name: `Spoke-prod`, or `Spoke-hr-prod` for an instance. */
export const stackName = (config: Pick<SpokeConfig, 'stage' | 'instance'>): string =>
  config.instance ? `Spoke-${config.instance}-${config.stage}` : `Spoke-${config.stage}`;

/** `BUSINESS_HOURS` as functions receive it: `mon,tue,wed,thu,fri 08:00-18:00`. */
export const businessHoursEnv = (hours: SpokeConfig['businessHours']): string =>
  `${hours.days.join(',')} ${hours.start}-${hours.end}`;

/** Validates an already-parsed config object; `source` names it in the error. */
export function parseConfig(value: unknown, source: string): SpokeConfig {
  const result = spokeConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new SpokeConfigError(`Invalid Spoke config ${source}:\n${problems.join('\n')}`, {
    cause: result.error,
  });
}

/** Reads and validates a config file, as given with `cdk synth -c config=<path>`. */
export function loadConfig(path: string): SpokeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SpokeConfigError(`Cannot read Spoke config ${path}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SpokeConfigError(`Spoke config ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseConfig(value, path);
}

/**
 * Several configs in one app (`-c config=a.json,b.json`): each becomes its own stack in its own
 * account and region. Two configs that would share a stack name or physical-name prefix in one
 * account fail here, before anything is built.
 */
export function checkDistinct(configs: readonly { config: SpokeConfig; source: string }[]): void {
  const seen = new Map<string, string>();
  for (const { config, source } of configs) {
    for (const key of [
      `stack ${stackName(config)}`,
      `prefix ${resourcePrefix(config)} in account ${config.account}/${config.region}`,
      `auth.domainPrefix ${config.auth.domainPrefix} in region ${config.region}`,
    ]) {
      const other = seen.get(key);
      if (other) {
        throw new SpokeConfigError(
          `Spoke configs ${other} and ${source} collide (${key}): give one an "instance" name or another stage`,
        );
      }
      seen.set(key, source);
    }
  }
}

import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { EmailIdentity, Identity, ReceiptRuleSet } from 'aws-cdk-lib/aws-ses';
import { Lambda, LambdaInvocationType, S3 } from 'aws-cdk-lib/aws-ses-actions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { searchIndexPrefix } from '#adapters/s3/search-index-store.s3.ts';
import type { InboundEmailEnv } from '#config/env.ts';
import { privateBucket } from './buckets.ts';
import { attachmentPrefix, type Data } from './data.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

/** Key prefix of raw messages: the receipt rule writes there, the function reads there. */
export const rawMailPrefix = 'raw/';

export interface EmailProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  /** The support addresses the receipt rule accepts. */
  readonly recipients: readonly string[];
  /** What the function needs to know about outbound mail and the portal. */
  readonly mail: Pick<
    InboundEmailEnv,
    'SUPPORT_ADDRESS' | 'MAIL_FROM' | 'PORTAL_URL' | 'MAIL_CONFIGURATION_SET'
  >;
  /** Unknown-sender policy and acknowledgement caps (account config `support`). */
  readonly intake?: Pick<
    InboundEmailEnv,
    | 'UNKNOWN_SENDER_POLICY'
    | 'KNOWN_SENDER_DOMAINS'
    | 'ACK_LIMIT_PER_SENDER_PER_HOUR'
    | 'ACK_LIMIT_PER_MINUTE'
  >;
  readonly data: Data;
  readonly accessLogs: IBucket;
  readonly logRetention: RetentionDays;
  /** Mail domains to create SES identities with Easy DKIM for; empty when they exist already. */
  readonly identityDomains: readonly string[];
  /** Days a raw message is kept; replaced and deleted versions go 30 days after that. */
  readonly rawMailDays: number;
}

/** One DNS record a cloud team creates for Spoke, as a stack output shows it. */
export interface DnsRecord {
  readonly name: string;
  readonly type: 'CNAME' | 'MX' | 'TXT';
  readonly value: string;
  readonly why: string;
}

/** Days a replaced or deleted raw message version is kept, for a restore (docs/restore.md). */
export const RAW_MAIL_NONCURRENT_DAYS = 30;

/**
 * Mail in (DESIGN §5): SES scans each message, stores it raw in S3 first, then invokes the
 * inbound-email function asynchronously. A message whose processing keeps failing lands in a
 * dead-letter queue after the retries, with the raw message still in S3: nothing is dropped.
 *
 * The receipt rule set is created but not activated: an account has one active rule set, and
 * switching it is a deliberate step (`aws ses set-active-receipt-rule-set --rule-set-name …`)
 * taken after the MX record points at SES.
 */
export class Email extends Construct {
  readonly rawMail: Bucket;
  readonly deadLetters: Queue;
  readonly handler: SpokeFunction<InboundEmailEnv>;
  readonly ruleSet: ReceiptRuleSet;
  readonly identities: EmailIdentity[];
  /** The DNS records mail needs: MX for each receiving domain, DKIM for each created identity. */
  readonly dnsRecords: DnsRecord[];

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.rawMail = privateBucket(this, 'RawMail', {
      accessLogs: props.accessLogs,
      lifecycleRules: [
        {
          id: 'raw-mail-retention',
          prefix: rawMailPrefix,
          expiration: Duration.days(props.rawMailDays),
          noncurrentVersionExpiration: Duration.days(RAW_MAIL_NONCURRENT_DAYS),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    this.identities = props.identityDomains.map(
      (domain) =>
        new EmailIdentity(this, `Identity-${domain}`, {
          identity: Identity.domain(domain),
          dkimSigning: true,
        }),
    );
    const region = Stack.of(this).region;
    const receiving = [
      ...new Set(props.recipients.map((address) => address.slice(address.indexOf('@') + 1))),
    ];
    this.dnsRecords = [
      ...receiving.map((domain) => ({
        name: domain,
        type: 'MX' as const,
        value: `10 inbound-smtp.${region}.amazonaws.com`,
        why: `delivers mail for ${domain} to SES inbound`,
      })),
      ...this.identities.flatMap((identity, index) =>
        identity.dkimRecords.map((record) => ({
          name: record.name,
          type: 'CNAME' as const,
          value: record.value,
          why: `Easy DKIM for ${props.identityDomains[index]}: verifies the SES identity and signs Spoke's mail`,
        })),
      ),
      ...props.identityDomains.map((domain) => ({
        name: `_dmarc.${domain}`,
        type: 'TXT' as const,
        value: '"v=DMARC1; p=none"',
        why: `recommended unless ${domain} has a DMARC policy already: start with p=none, then tighten`,
      })),
    ];
    this.deadLetters = deadLetterQueue(this, 'the inbound-email function');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/inbound-email.ts',
      description: 'Spoke inbound email: parse, filter, thread, ticket',
      environment: {
        ...props.data.environment,
        ...props.mail,
        ...props.intake,
        RAW_MAIL_BUCKET: this.rawMail.bucketName,
        ATTACHMENT_BUCKET: props.data.attachments.bucketName,
        RAW_MAIL_PREFIX: rawMailPrefix,
      },
      logRetention: props.logRetention,
      timeout: Duration.minutes(2),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindBucket(this.rawMail, 'read', rawMailPrefix)
      .bindBucket(props.data.attachments, 'readWrite', attachmentPrefix)
      // The acknowledgement lists published articles: the knowledge part of the search index, read only.
      .bindBucket(props.data.attachments, 'read', searchIndexPrefix('knowledge'))
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    this.handler.executionRole.addToPrincipalPolicy(
      sendMailAs(this, props.mail.MAIL_FROM, props.mail.MAIL_CONFIGURATION_SET),
    );
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: `${props.prefix}-inbound` });
    this.ruleSet.addRule('Support', {
      recipients: [...props.recipients],
      scanEnabled: true,
      actions: [
        new S3({ bucket: this.rawMail, objectKeyPrefix: rawMailPrefix }),
        new Lambda({ function: this.handler, invocationType: LambdaInvocationType.EVENT }),
      ],
    });
  }
}

/**
 * Sending as Spoke's From address only: SES authorizes SendRawEmail on the identity of the
 * sender (the address or its domain), and the condition pins the From to that one address.
 */
export function sendMailAs(scope: Construct, mailFrom: string, configurationSet?: string): PolicyStatement {
  const stack = Stack.of(scope);
  const domain = mailFrom.split('@')[1] ?? mailFrom;
  return new PolicyStatement({
    actions: ['ses:SendRawEmail'],
    resources: [
      ...[domain, mailFrom].map((identity) =>
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
      ),
      ...(configurationSet
        ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet })]
        : []),
    ],
    conditions: { StringEquals: { 'ses:FromAddress': mailFrom } },
  });
}

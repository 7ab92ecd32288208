import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AssetImportEnv, CmdbDiscoveryEnv } from '#config/env.ts';
import type { Api } from './api.ts';
import type { SpokeConfig } from './config.ts';
import type { Data } from './data.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { nagPartition, SpokeFunction } from './spoke-function.ts';

/** The event pattern of AWS Config configuration-item changes, as the rule and the tests read it. */
export const configChangePattern = {
  source: ['aws.config'],
  detailType: ['Config Configuration Item Change'],
};

export interface CmdbDiscoveryProps {
  readonly data: Data;
  readonly events: Events;
  readonly cmdb: SpokeConfig['cmdb'];
  readonly logRetention: RetentionDays;
}

/**
 * Discovery (opt-in, `cmdb.discovery.enabled`): AWS Config's configuration-item change events
 * on the account's default bus reach a function that upserts the CMDB. Least privilege: the
 * table, the domain bus and, when a Config bucket is named, `s3:GetObject` on Config's own
 * prefix of it (oversized items). A failed event is retried twice, then kept in a dead-letter
 * queue with its body; the rule's own delivery failures land there too.
 */
export class CmdbDiscovery extends Construct {
  readonly handler: SpokeFunction<CmdbDiscoveryEnv>;
  readonly deadLetters: Queue;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: CmdbDiscoveryProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the CMDB discovery function and its rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/cmdb-discovery.ts',
      description: 'Spoke CMDB discovery: AWS Config configuration items into the CMDB',
      environment: { ...props.data.environment, CMDB_MANAGER_GROUP: props.cmdb.managerGroup },
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    }).bindTable(props.data.domain, 'readWrite');
    props.events.grantPublish(this.handler);
    const bucket = props.cmdb.discovery.configBucket;
    if (bucket) {
      const prefix = `${bucket}/AWSLogs/${Stack.of(this).account}/Config/*`;
      this.handler.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [`arn:${Stack.of(this).partition}:s3:::${prefix}`],
        }),
      );
      Validations.of(this.handler.role ?? this.handler).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:s3:::${prefix}]`,
        reason:
          'An oversized Config item is delivered under a key only known when it arrives; the grant is read-only and covers Config’s own prefix of this account in the delivery bucket.',
      });
    }
    this.rule = new Rule(this, 'ConfigItemChanges', {
      description: 'AWS Config configuration-item changes into the Spoke CMDB',
      eventPattern: configChangePattern,
      targets: [new LambdaFunction(this.handler, { retryAttempts: 2, deadLetterQueue: this.deadLetters })],
    });
  }
}

/** Where the CSV files of asset imports are uploaded in the attachments bucket. */
export const ASSET_IMPORT_PREFIX = 'asset-imports/';

export interface AssetImportsProps {
  readonly data: Data;
  readonly events: Events;
  readonly api: Api;
  readonly cmdb: SpokeConfig['cmdb'];
  readonly logRetention: RetentionDays;
}

/**
 * CSV imports of assets: the API presigns the upload (`asset-imports/` of the attachments bucket)
 * and, when started, publishes `asset_import.requested`; a rule on the domain bus invokes the
 * import function, which reads the file and writes the CMDB. A failed run is retried twice,
 * then kept with its event in a dead-letter queue (the rule's delivery failures too).
 */
export class AssetImports extends Construct {
  readonly handler: SpokeFunction<AssetImportEnv>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: AssetImportsProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the asset import function and its rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/asset-import.ts',
      description: 'Spoke asset import: a CSV file of assets into the CMDB',
      environment: {
        ...props.data.environment,
        ATTACHMENT_BUCKET: props.data.attachments.bucketName,
        CMDB_MANAGER_GROUP: props.cmdb.managerGroup,
      },
      logRetention: props.logRetention,
      // 10,000 rows take a few minutes; a run cut short runs again from the top (rows are keyed).
      timeout: Duration.minutes(15),
      memorySize: 1024,
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindBucket(props.data.attachments, 'read', ASSET_IMPORT_PREFIX);
    props.events.grantPublish(this.handler);
    props.events.routeToFunction('AssetImportRequested', ['asset_import.requested'], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
    // The API presigns the upload (PutObject) and checks what arrived (HeadObject is GetObject).
    props.api.handler.bindBucket(props.data.attachments, 'readWrite', ASSET_IMPORT_PREFIX);
  }
}

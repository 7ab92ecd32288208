import { Duration, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEXED_SORT_KEYS } from '#adapters/dynamodb/search-documents.ts';
import { SEARCH_INDEX_PREFIX } from '#adapters/s3/search-index-store.s3.ts';
import type { SearchEnv } from '#config/env.ts';
import type { Api } from './api.ts';
import type { SpokeConfig } from './config.ts';
import type { Data } from './data.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface SearchProps {
  readonly data: Data;
  readonly api: Api;
  readonly config: SpokeConfig['search'];
  readonly logRetention: RetentionDays;
}

/**
 * Search without a cluster (docs/adr/0003-search-without-a-cluster.md): the table's stream
 * feeds an indexer that keeps MiniSearch shards under `search-index/v1/` in the attachments
 * bucket, and `GET /api/search` runs in a function of its own that keeps the shards in memory.
 * Nothing runs while nobody writes or searches.
 */
export class Search extends Construct {
  readonly indexer: SpokeFunction<SearchEnv>;
  readonly handler: SpokeFunction<SearchEnv>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: SearchProps) {
    super(scope, id);
    const environment: SearchEnv = {
      ...props.data.environment,
      SEARCH_BUCKET: props.data.attachments.bucketName,
      SEARCH_SHARDS: String(props.config.shards),
      SEARCH_REFRESH_MS: String(props.config.refreshMs),
    };
    this.indexer = new SpokeFunction(this, 'Indexer', {
      entry: 'functions/handlers/search-indexer.ts',
      description: 'Spoke search: the table stream into the index shards in S3',
      environment,
      logRetention: props.logRetention,
      timeout: Duration.minutes(1),
      memorySize: 1769,
    })
      .bindTable(props.data.domain, 'read')
      .bindBucket(props.data.attachments, 'readWrite', SEARCH_INDEX_PREFIX);
    // Batches of different stream shards may run at once: S3 conditional writes make the one that
    // lost a race on an index shard reload it and apply its batch again (no reserved
    // concurrency of 1, whose throttles would look like faults on the throttle alarm).
    this.deadLetters = deadLetterQueue(this, 'the search indexer');
    this.indexer.addEventSource(
      new DynamoEventSource(props.data.created.domain, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 5,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: FilterRule.or(...INDEXED_SORT_KEYS) } } } }),
        ],
      }),
    );
    Validations.of(this.indexer.role ?? this.indexer).acknowledge({
      id: `AwsSolutions-IAM5[Resource::*]`,
      reason:
        'dynamodb:ListStreams (granted by the event source mapping with the stream read) supports no resource-level permissions; the stream itself is granted by its ARN.',
    });
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/search.ts',
      description: 'Spoke search: GET /api/search over the index kept in memory',
      environment: { ...environment, ORIGIN_VERIFY_SECRET: props.api.originVerify },
      logRetention: props.logRetention,
      // A full vCPU: a cold start parses the shards, and JSON.parse is CPU-bound.
      memorySize: 1769,
    })
      .bindTable(props.data.domain, 'read')
      .bindBucket(props.data.attachments, 'read', SEARCH_INDEX_PREFIX);
    props.api.httpApi.addRoutes({
      path: '/api/search',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('Search', this.handler),
      authorizer: props.api.authorizer,
    });
  }
}

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { compileEventPattern } from './event-pattern.ts';

/**
 * A DynamoDB Streams event source mapping on a laptop: DynamoDB Local implements the Streams
 * API (DescribeStream, GetShardIterator, GetRecords), so this polls the table's stream the way
 * Lambda's poller does — every shard in order, parents before children, a batch per call —
 * applies the mapping's filter patterns, and hands each batch to the function in the Lambda
 * event shape. A batch that fails is tried again (the mapping's retry) and then skipped with
 * its error logged, as a mapping with a bounded retry count and an on-failure destination would.
 */
export interface StreamMapping {
  /** The table whose stream is read. */
  readonly table: string;
  readonly batchSize: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** The mapping's `FilterCriteria` patterns (JSON strings); a record passes if any matches. */
  readonly filters: readonly string[];
  readonly maximumRetryAttempts: number;
}

export interface StreamPollerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly endpoint: string;
  readonly region: string;
  readonly mapping: StreamMapping;
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  /** @default 250 */
  readonly intervalMs?: number;
  readonly onError?: (error: Error) => void;
}

const toLambdaRecord = (record: _Record, streamArn: string, region: string): DynamoDBRecord =>
  ({
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: record.dynamodb?.ApproximateCreationDateTime
        ? Math.floor(new Date(record.dynamodb.ApproximateCreationDateTime).getTime() / 1000)
        : undefined,
    },
  }) as DynamoDBRecord;

export async function startStreamPoller(options: StreamPollerOptions): Promise<{ stop(): Promise<void> }> {
  const { mapping } = options;
  const table = await options.dynamodb.send(new DescribeTableCommand({ TableName: mapping.table }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${mapping.table} has no stream for its event source mapping`);
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // Lambda's filter criteria are EventBridge patterns over the record.
  const patterns = mapping.filters.map((f) => compileEventPattern(f));
  const passes = (record: DynamoDBRecord) =>
    patterns.length === 0 || patterns.some((matches) => matches(record));
  const iterators = new Map<string, string | undefined>();
  const finished = new Set<string>();
  let first = true;
  let stopped = false;

  const deliver = async (records: DynamoDBRecord[]) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.invoke({ Records: records });
        return;
      } catch (error) {
        if (attempt >= mapping.maximumRetryAttempts) {
          options.onError?.(error as Error);
          return;
        }
      }
    }
  };

  const round = async () => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shards = StreamDescription?.Shards ?? [];
    for (const shard of shards) {
      const id = shard.ShardId as string;
      if (finished.has(id) || iterators.has(id)) continue;
      if (
        shard.ParentShardId &&
        !finished.has(shard.ParentShardId) &&
        shards.some((s) => s.ShardId === shard.ParentShardId)
      )
        continue;
      const type = first && mapping.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: type }),
      );
      iterators.set(id, ShardIterator);
    }
    first = false;
    for (const [id, iterator] of iterators) {
      if (!iterator) {
        iterators.delete(id);
        finished.add(id);
        continue;
      }
      const { Records = [], NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: mapping.batchSize }),
      );
      iterators.set(id, NextShardIterator);
      const batch = Records.map((r) => toLambdaRecord(r, streamArn, options.region)).filter(passes);
      if (batch.length > 0) await deliver(batch);
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      setTimeout(resolve, ms).unref();
    });
  const loop = (async () => {
    while (!stopped) {
      await round().catch((error: Error) => options.onError?.(error));
      await sleep(options.intervalMs ?? 250);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      streams.destroy();
    },
  };
}

import { readFile, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DynamoSearchSources,
  REINDEXED_KINDS,
  type ReindexedKind,
} from '#adapters/dynamodb/search-sources.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { S3ArticleDigestStore } from '#adapters/s3/article-digest-store.s3.ts';
import { S3SearchIndexStore } from '#adapters/s3/search-index-store.s3.ts';
import { localS3Config } from '#config/composition-root.ts';
import type { SearchDocument } from '#core/search/search-document.ts';
import { SearchIndexes } from '#core/search/search-indexes.ts';

const usage = `npm run search:reindex -- --prefix <table prefix> --bucket <attachments bucket>
    [--shards 8] [--batch 5000] [--checkpoint <file>] [--restart]
    [--endpoint <DynamoDB url>] [--s3-endpoint <S3 url>]

Builds the search index (search-index/v2/ in the attachments bucket) from the records already
stored: every incident, request and knowledge article, found by its number (the counters and the
number index gsi4 — no Scan of the table), written in batches through the indexer's own code.
After an upgrade from a release without search, or from index v1 (docs/upgrade.md). It can be
stopped at any time: the checkpoint file (default .search-reindex-<prefix>.json) names the last
number indexed, and the next run goes on from there (--restart starts over). Writes the stream
makes meanwhile are indexed as usual; a record read twice is simply written twice.
--shards must be the stack's search.shards. Locally, while npm start runs: --prefix spoke-local
--endpoint http://127.0.0.1:3005 --s3-endpoint http://127.0.0.1:3004 --bucket <the local attachments bucket>.`;

/** How far a re-index got: the last sequence indexed of a kind; `done` when all kinds are. */
export interface ReindexCheckpoint {
  readonly kind: ReindexedKind;
  readonly sequence: number;
  readonly done?: boolean;
}

export interface CheckpointStore {
  load(): Promise<ReindexCheckpoint | undefined>;
  save(checkpoint: ReindexCheckpoint): Promise<void>;
}

export interface ReindexResult {
  readonly indexed: Readonly<Record<ReindexedKind, number>>;
  readonly resumedFrom?: ReindexCheckpoint;
  readonly batches: number;
}

/** Indexes every record from the checkpoint on, saving the checkpoint after each stored batch. */
export async function reindexSearch(options: {
  readonly sources: DynamoSearchSources;
  readonly indexes: SearchIndexes;
  readonly checkpoint: CheckpointStore;
  readonly batch?: number;
  readonly onBatch?: (checkpoint: ReindexCheckpoint, indexed: number) => void;
}): Promise<ReindexResult> {
  const batchSize = options.batch ?? 5000;
  const resumedFrom = await options.checkpoint.load();
  const indexed: Record<ReindexedKind, number> = { incident: 0, request: 0, knowledge: 0 };
  let batches = 0;
  if (resumedFrom?.done) return { indexed, resumedFrom, batches };
  const first = resumedFrom ? REINDEXED_KINDS.indexOf(resumedFrom.kind) : 0;
  for (const kind of REINDEXED_KINDS.slice(first)) {
    let pending: SearchDocument[] = [];
    let reached = 0;
    const flush = async () => {
      if (pending.length > 0)
        await options.indexes.apply(pending.map((document) => ({ op: 'put', document })));
      indexed[kind] += pending.length;
      pending = [];
      batches++;
      const checkpoint = { kind, sequence: reached };
      await options.checkpoint.save(checkpoint);
      options.onBatch?.(checkpoint, indexed[kind]);
    };
    const from = resumedFrom?.kind === kind ? resumedFrom.sequence + 1 : 0;
    for await (const page of options.sources.documents(kind, from)) {
      pending.push(...page.documents);
      reached = page.sequence;
      if (pending.length >= batchSize) await flush();
    }
    if (pending.length > 0 || reached > 0) await flush();
  }
  await options.checkpoint.save({ kind: 'knowledge', sequence: 0, done: true });
  return { indexed, ...(resumedFrom ? { resumedFrom } : {}), batches };
}

/** The checkpoint in a local file (the operator's machine runs the command). */
export const fileCheckpoint = (path: string): CheckpointStore & { clear(): Promise<void> } => ({
  async load() {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as ReindexCheckpoint;
    } catch {
      return undefined;
    }
  },
  save: (checkpoint) => writeFile(path, JSON.stringify(checkpoint)),
  clear: () => rm(path, { force: true }),
});

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      prefix: { type: 'string' },
      bucket: { type: 'string' },
      shards: { type: 'string', default: '8' },
      batch: { type: 'string', default: '5000' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      's3-endpoint': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.prefix || !values.bucket) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const dynamodb = new DynamoDBClient(
    values.endpoint
      ? {
          endpoint: values.endpoint,
          region: 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {},
  );
  const s3 = new S3Client(values['s3-endpoint'] ? { ...localS3Config, endpoint: values['s3-endpoint'] } : {});
  const checkpoint = fileCheckpoint(values.checkpoint ?? `.search-reindex-${values.prefix}.json`);
  if (values.restart) await checkpoint.clear();
  const started = Date.now();
  const result = await reindexSearch({
    sources: new DynamoSearchSources({
      client: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      domainTable: tableName(values.prefix, domainTable),
      idempotencyTable: tableName(values.prefix, idempotencyTable),
    }),
    indexes: new SearchIndexes(
      {
        ticket: new S3SearchIndexStore(s3, values.bucket, 'ticket'),
        knowledge: new S3SearchIndexStore(s3, values.bucket, 'knowledge'),
        digest: new S3ArticleDigestStore(s3, values.bucket),
      },
      { ticketShards: Number(values.shards), refreshMs: 0, clock: { now: () => new Date() } },
    ),
    checkpoint,
    batch: Number(values.batch),
    onBatch: (at, count) => console.log(`${at.kind} up to sequence ${at.sequence}: ${count} indexed`),
  });
  console.log(
    result.resumedFrom?.done
      ? 'The index was already rebuilt (use --restart to build it again).'
      : `Indexed ${result.indexed.incident} incidents, ${result.indexed.request} requests and ${result.indexed.knowledge} articles in ${result.batches} batches (${((Date.now() - started) / 1000).toFixed(1)} s)${result.resumedFrom ? `, resumed after ${result.resumedFrom.kind} ${result.resumedFrom.sequence}` : ''}.`,
  );
  dynamodb.destroy();
  s3.destroy();
}

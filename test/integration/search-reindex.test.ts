import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoKnowledgeStore } from '#adapters/dynamodb/knowledge-store.dynamo.ts';
import { DynamoSearchSources } from '#adapters/dynamodb/search-sources.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { S3ArticleDigestStore } from '#adapters/s3/article-digest-store.s3.ts';
import { S3SearchIndexStore } from '#adapters/s3/search-index-store.s3.ts';
import { ulids } from '#adapters/system/system.ts';
import { knowledgeBody } from '#channels/web/rich-text.ts';
import { localS3Config } from '#config/composition-root.ts';
import type { Actor } from '#core/identity/actor.ts';
import { createArticle, updateArticle } from '#core/knowledge/knowledge-service.ts';
import { SearchIndexes } from '#core/search/search-indexes.ts';
import { search } from '#core/search/search-service.ts';
import { defaultTicketSettings, openTicket } from '#core/ticket/ticket-service.ts';
import { type CheckpointStore, type ReindexCheckpoint, reindexSearch } from '#ops/search-reindex.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * `npm run search:reindex` on real parts: records stored before search existed (no stream
 * consumer here) are found by their numbers in DynamoDB Local and written into s3rver's index in
 * batches; a run stopped after its first batch goes on from its checkpoint.
 */
const admin: Actor = { id: 'u-admin', email: 'admin@example.com', groups: ['admins', 'agents'] };
const rae: Actor = { id: 'u-rae', email: 'rae@example.com', groups: ['agents'] };
const BUCKET = 'reindex-test';
let s3rver: S3rver;
let s3Dir: string;
let s3: S3Client;
let sources: DynamoSearchSources;
const clock = { now: () => new Date() };

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'spoke-reindex-'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true });
  const { port } = await s3rver.run();
  s3 = new S3Client({ ...localS3Config, endpoint: `http://127.0.0.1:${port}` });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const tables = await freshTables();
  const options = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const tickets = {
    tickets: new DynamoTicketStore(options),
    clock,
    ids: ulids,
    events: { publish: async () => undefined },
    groups,
    routing: groups,
    settings: defaultTicketSettings,
  };
  for (let n = 0; n < 7; n++)
    await openTicket(
      tickets,
      admin,
      {
        shortDescription: `Scanner ${n} jams on paper`,
        requester: { email: 'emma@example.com' },
        kind: n % 2 ? 'request' : 'incident',
      },
      { channel: 'portal' },
    );
  const knowledge = {
    knowledge: new DynamoKnowledgeStore(options),
    events: { publish: async () => undefined },
    clock,
    ids: ulids,
    sanitize: knowledgeBody,
    ticketOf: async () => {
      throw new Error('not used');
    },
  };
  const article = await createArticle(knowledge, admin, { title: 'Clear a scanner jam' });
  await updateArticle(knowledge, admin, article.id, { version: 1, state: 'review' });
  await updateArticle(knowledge, rae, article.id, { version: 2, state: 'published' });
  sources = new DynamoSearchSources(options);
}, 60_000);

afterAll(async () => {
  s3.destroy();
  await s3rver?.close();
  if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
});

const indexes = () =>
  new SearchIndexes(
    {
      ticket: new S3SearchIndexStore(s3, BUCKET, 'ticket'),
      knowledge: new S3SearchIndexStore(s3, BUCKET, 'knowledge'),
      digest: new S3ArticleDigestStore(s3, BUCKET),
    },
    { ticketShards: 4, refreshMs: 0, clock },
  );

describe('search:reindex', () => {
  it('indexes stored tickets and articles by their numbers, resumes from its checkpoint, and says when it is done', async () => {
    let saved: ReindexCheckpoint | undefined;
    const stopAfterFirstBatch: CheckpointStore = {
      load: async () => saved,
      save: async (checkpoint) => {
        if (saved) throw new Error('stopped');
        saved = checkpoint;
      },
    };
    const interrupted = await reindexSearch({
      sources,
      indexes: indexes(),
      checkpoint: stopAfterFirstBatch,
      batch: 2,
    }).catch((e: unknown) => e);
    const firstStop = saved;
    const checkpoint: CheckpointStore = {
      load: async () => saved,
      save: async (c) => {
        saved = c;
      },
    };
    const resumed = await reindexSearch({ sources, indexes: indexes(), checkpoint, batch: 2 });
    const again = await reindexSearch({ sources, indexes: indexes(), checkpoint, batch: 2 });

    const reader = {
      index: (kind: 'ticket' | 'knowledge') => indexes().current(kind),
      groups: { groupsOf: async () => [] },
      agentVisibility: 'all' as const,
    };
    const found = await search(reader, admin, { q: 'scanner', limit: 50 });

    expect((interrupted as Error).message).toBe('stopped');
    expect(firstStop).toMatchObject({ kind: 'incident' });
    expect(resumed.resumedFrom).toEqual(firstStop);
    expect(resumed.indexed.knowledge).toBe(1);
    // The first run stored its first batch (the four incidents) before it stopped: not read again.
    expect(firstStop).toEqual({ kind: 'incident', sequence: 1004 });
    expect(resumed.indexed).toEqual({ incident: 0, request: 3, knowledge: 1 });
    expect(again).toMatchObject({ batches: 0, resumedFrom: { done: true } });
    expect(found.total).toBe(8);
    expect(found.items.filter((i) => i.kind === 'knowledge').map((i) => i.title)).toEqual([
      'Clear a scanner jam',
    ]);
    expect((await new S3ArticleDigestStore(s3, BUCKET).load())?.articles.map((a) => a.title)).toEqual([
      'Clear a scanner jam',
    ]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoKnowledgeStore } from '#adapters/dynamodb/knowledge-store.dynamo.ts';
import { INDEXED_SORT_KEYS, indexChangeOf } from '#adapters/dynamodb/search-documents.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { S3ArticleDigestStore } from '#adapters/s3/article-digest-store.s3.ts';
import { S3SearchIndexStore } from '#adapters/s3/search-index-store.s3.ts';
import { ulids } from '#adapters/system/system.ts';
import { knowledgeBody } from '#channels/web/rich-text.ts';
import { localS3Config } from '#config/composition-root.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { createArticle, type KnowledgeDeps, updateArticle } from '#core/knowledge/knowledge-service.ts';
import { suggestFromDigest } from '#core/search/article-digest.ts';
import { SearchIndexes } from '#core/search/search-indexes.ts';
import { type SearchDeps, type SearchQuery, search } from '#core/search/search-service.ts';
import {
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import { startStreamPoller } from '#local/stream-poller.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * Search, end to end on real parts: records written to DynamoDB Local, its stream polled like
 * an event source mapping into the indexer's code, shards in s3rver, and a second function
 * instance (another keeper) answering queries with the visibility rules.
 */
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const bob: Actor = { id: 'u-bob', email: 'bob@example.com', groups: [] };
const dana: Actor = { id: 'u-dana', email: 'dana@example.com', groups: ['agents'] };
const nick: Actor = { id: 'u-nick', email: 'nick@example.com', groups: ['agents'] };
const admin: Actor = { id: 'u-admin', email: 'admin@example.com', groups: ['admins', 'agents'] };
const BUCKET = 'search-test';
let digests: S3ArticleDigestStore;

let s3rver: S3rver;
let s3Dir: string;
let tickets: TicketDeps;
let knowledge: KnowledgeDeps;
let reader: SearchDeps;
let stopPoller: () => Promise<void>;
const indexed: number[] = [];

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'spoke-search-'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true });
  const { port } = await s3rver.run();
  const s3 = new S3Client({ ...localS3Config, endpoint: `http://127.0.0.1:${port}` });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const tables = await freshTables();
  const clock = { now: () => new Date() };
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  await createGroup({ groups, clock }, admin, { id: 'service-desk', name: 'Service Desk' });
  await createGroup({ groups, clock }, admin, { id: 'network', name: 'Network' });
  await addMember({ groups, clock }, admin, 'service-desk', { email: dana.email });
  await addMember({ groups, clock }, admin, 'network', { email: nick.email });
  const events = { publish: async () => undefined };
  const options = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  tickets = {
    tickets: new DynamoTicketStore(options),
    clock,
    ids: ulids,
    events,
    groups,
    routing: groups,
    settings: defaultTicketSettings,
  };
  knowledge = {
    knowledge: new DynamoKnowledgeStore(options),
    events,
    clock,
    ids: ulids,
    sanitize: knowledgeBody,
    ticketOf: async () => {
      throw new Error('not used');
    },
  };
  digests = new S3ArticleDigestStore(s3, BUCKET);
  const stores = {
    ticket: new S3SearchIndexStore(s3, BUCKET, 'ticket'),
    knowledge: new S3SearchIndexStore(s3, BUCKET, 'knowledge'),
    digest: digests,
  };
  const writer = new SearchIndexes(stores, { ticketShards: 4, refreshMs: 0, clock });
  const readerKeeper = new SearchIndexes(stores, { ticketShards: 4, refreshMs: 100, clock });
  reader = { index: (kind) => readerKeeper.current(kind), groups, agentVisibility: 'groups' };
  const poller = await startStreamPoller({
    dynamodb: tables.client,
    endpoint: tables.endpoint,
    region: 'local',
    mapping: {
      table: tables.domainTable,
      batchSize: 100,
      startingPosition: 'TRIM_HORIZON',
      filters: [JSON.stringify({ dynamodb: { Keys: { sk: { S: [...INDEXED_SORT_KEYS] } } } })],
      maximumRetryAttempts: 2,
    },
    intervalMs: 50,
    invoke: async (event) => {
      const changes = event.Records.flatMap((r) => {
        const change = indexChangeOf(r);
        return change ? [change] : [];
      });
      indexed.push(event.Records.length);
      await writer.apply(changes);
    },
    onError: (error) => console.error(error),
  });
  stopPoller = poller.stop;
}, 60_000);

afterAll(async () => {
  await stopPoller?.();
  await s3rver?.close();
  if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
});

/** Searches until the expectation holds (the index follows the stream within a second or two). */
async function eventually<T>(query: () => Promise<T>, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await query();
    if (check(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
/** An agent opens a ticket for a caller straight into a group (employees cannot choose the group). */
const portal = { channel: 'portal' } as const;
const openFor = (
  requester: Actor,
  fields: { shortDescription: string; description?: string; assignmentGroup: string },
) => openTicket(tickets, admin, { ...fields, requester: { email: requester.email } }, portal);
const find = (actor: Actor, q: SearchQuery) => search(reader, actor, q);
const numbers = (page: { items: readonly { number: string }[] }) => page.items.map((i) => i.number);

describe('search over tickets and knowledge, following the table stream', () => {
  it('finds a new ticket within seconds, then its new words after an update, and no longer after a move out of view', async () => {
    const { ticket } = await openFor(emma, {
      shortDescription: 'Outlook keeps asking for my password',
      description: 'Since the update on Monday Outlook prompts every ten minutes.',
      assignmentGroup: 'service-desk',
    });
    const started = Date.now();
    const first = await eventually(
      () => find(dana, { q: 'outlook' }),
      (p) => numbers(p).includes(ticket.number),
    );
    const lagMs = Date.now() - started;
    await updateTicket(tickets, dana, ticket.id, {
      version: ticket.version,
      description: 'Calendar sync fails too',
    });
    const updated = await eventually(
      () => find(dana, { q: 'calendar' }),
      (p) => numbers(p).includes(ticket.number),
    );
    await updateTicket(tickets, dana, ticket.id, { version: ticket.version + 1, assignmentGroup: 'network' });
    const moved = await eventually(
      () => find(dana, { q: 'outlook' }),
      (p) => !numbers(p).includes(ticket.number),
    );

    expect(numbers(first)).toContain(ticket.number);
    expect(first.items[0]?.highlights.title).toEqual([[0, 7]]);
    expect(lagMs).toBeLessThan(10_000);
    expect(numbers(updated)).toContain(ticket.number);
    expect(numbers(moved)).not.toContain(ticket.number);
    expect(numbers(await find(nick, { q: 'outlook' }))).toContain(ticket.number);
  });

  it('tolerates a typo and finds words by their beginning', async () => {
    const { ticket } = await openFor(emma, {
      shortDescription: 'Printer on floor three jams constantly',
      description: 'Paper tray two.',
      assignmentGroup: 'service-desk',
    });
    await eventually(
      () => find(dana, { q: 'printer' }),
      (p) => numbers(p).includes(ticket.number),
    );

    expect(numbers(await find(dana, { q: 'priner jams' }))).toContain(ticket.number);
    expect(numbers(await find(dana, { q: 'const' }))).toContain(ticket.number);
    expect(numbers(await find(dana, { q: ticket.number.slice(0, 8) }))).toContain(ticket.number);
  });

  it("never shows an employee someone else's ticket or an article not published for employees, through any filter", async () => {
    const { ticket: bobs } = await openFor(bob, {
      shortDescription: 'Zebra scanner broken',
      assignmentGroup: 'service-desk',
    });
    const { ticket: emmas } = await openTicket(
      tickets,
      emma,
      { shortDescription: 'Zebra label printer offline' },
      portal,
    );
    const forAgents = await createArticle(knowledge, dana, {
      title: 'Zebra firmware recovery',
      audience: 'agents',
    });
    await updateArticle(knowledge, dana, forAgents.id, { version: 1, state: 'review' });
    await updateArticle(knowledge, admin, forAgents.id, { version: 2, state: 'published' });
    const draft = await createArticle(knowledge, dana, { title: 'Zebra draft notes' });
    const forAll = await createArticle(knowledge, dana, { title: 'Zebra printers: how to reload labels' });
    await updateArticle(knowledge, dana, forAll.id, { version: 1, state: 'review' });
    await updateArticle(knowledge, admin, forAll.id, { version: 2, state: 'published' });
    await eventually(
      () => find(admin, { q: 'zebra', state: 'published' }),
      (p) => p.total === 2,
    );

    const queries: SearchQuery[] = [
      { q: 'zebra' },
      { q: '' },
      { q: 'zebra', type: 'ticket' },
      { q: 'zebra', type: 'knowledge' },
      { q: 'zebra', group: 'service-desk' },
      { q: 'zebra', state: 'published' },
      { q: 'zebra', state: 'draft' },
      { q: 'zebra', limit: 50, cursor: '0' },
    ];
    const seen = new Set<string>();
    for (const query of queries) for (const n of numbers(await find(emma, query))) seen.add(n);

    expect(seen).toContain(emmas.number);
    expect(seen).toContain(forAll.number);
    expect(seen).not.toContain(bobs.number);
    expect(seen).not.toContain(forAgents.number);
    expect(seen).not.toContain(draft.number);
    expect(numbers(await find(dana, { q: 'zebra' }))).toEqual(
      expect.arrayContaining([bobs.number, forAgents.number, draft.number, forAll.number]),
    );
    expect(numbers(await find(nick, { q: 'zebra', type: 'ticket' }))).not.toContain(bobs.number);
    // The mail intake's digest holds the article for employees only, and suggests it for a subject.
    const digest = await digests.load();
    expect(digest?.articles.map((a) => a.number)).toContain(forAll.number);
    expect(digest?.articles.map((a) => a.number)).not.toContain(forAgents.number);
    expect(digest?.articles.map((a) => a.number)).not.toContain(draft.number);
    expect(suggestFromDigest(digest ?? { articles: [] }, 'Zebra printer out of labels')[0]?.number).toBe(
      forAll.number,
    );
  });

  it('pages are full: visibility is applied before paging', async () => {
    for (let i = 0; i < 6; i++)
      await openFor(bob, { shortDescription: `Quokka request ${i}`, assignmentGroup: 'network' });
    for (let i = 0; i < 3; i++)
      await openFor(emma, { shortDescription: `Quokka question ${i}`, assignmentGroup: 'network' });
    await eventually(
      () => find(admin, { q: 'quokka' }),
      (p) => p.total === 9,
    );

    const page1 = await find(emma, { q: 'quokka', limit: 2 });
    const page2 = await find(emma, {
      q: 'quokka',
      limit: 2,
      ...(page1.cursor ? { cursor: page1.cursor } : {}),
    });

    expect([page1.items.length, page1.total, page2.items.length, page2.cursor]).toEqual([2, 3, 1, undefined]);
  });

  it('answers odd queries with results or a 400 naming the field, never an error of its own', async () => {
    const odd = ['"quoted phrase"', 'a AND b OR NOT c', '(*)', 'ünïcödé 日本語 🚀', '-', 'x'.repeat(500)];
    for (const q of odd) await expect(find(dana, { q })).resolves.toHaveProperty('items');
    await expect(find(dana, { q: 'x'.repeat(1000) })).rejects.toMatchObject({ name: 'ZodError' });
    await expect(
      find(dana, { q: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'q' }],
    });
    await expect(find(dana, { q: 'a', from: '2026-02-01', to: '2026-01-01' })).rejects.toMatchObject({
      fields: [{ path: 'from' }],
    });
  });
});

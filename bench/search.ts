import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { S3SearchIndexStore } from '#adapters/s3/search-index-store.s3.ts';
import { localS3Config } from '#config/composition-root.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { IndexChange, SearchDocument, SearchKind } from '#core/search/search-document.ts';
import { wordsOf } from '#core/search/search-index.ts';
import { KNOWLEDGE_SHARDS, SearchIndexes } from '#core/search/search-indexes.ts';
import { type SearchQuery, search } from '#core/search/search-service.ts';
import { type Figure, loadNote, type SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';
import { GROUPS, random } from './ticket-data.ts';

/**
 * Search without a cluster (issue 16, docs/adr/0003): the MiniSearch shards at 100,000 tickets
 * and 5,000 articles — build time, size per 1,000 tickets (JSON and gzipped, as stored in S3),
 * a cold load of every shard from S3 (s3rver) as a new search function instance does it,
 * warm query p50/p95 as an employee and as an agent, and the write → searchable path (the
 * indexer's store of one change and a reader's refresh). For the DynamoDB inverted index it
 * counts what one ticket write would cost there: one item per distinct term.
 */
const SIZES = {
  smoke: { tickets: 1_000, articles: 50, queries: 40 },
  quick: { tickets: 10_000, articles: 500, queries: 200 },
  full: { tickets: 100_000, articles: 5_000, queries: 400 },
} as const;
const SHARDS = 8;

/** IT-desk vocabulary, so term statistics look like a service desk's and not like noise. */
const NOUNS =
  'outlook password vpn printer laptop monitor keyboard mouse teams sharepoint onedrive excel word license account badge wifi network drive folder permission certificate token phone headset docking station browser chrome edge firefox server database backup restore invoice payroll ticket calendar meeting mailbox quota disk memory update patch driver firmware camera microphone projector scanner toner router switch firewall proxy sso mfa authenticator citrix sap jira confluence zoom webex'.split(
    ' ',
  );
const VERBS =
  'fails crashes freezes hangs rejects asks blocks denies loses drops slows expires locks prompts errors stops disconnects reboots corrupts duplicates'.split(
    ' ',
  );
const FILLER =
  'since monday after the update when I try to open it every time this morning on my new again please help urgent for the whole team in the office from home with error code'.split(
    ' ',
  );

function corpus(tickets: number, articles: number): SearchDocument[] {
  const { next } = random(16);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const sentence = (words: number) =>
    Array.from({ length: words }, (_, i) =>
      i % 3 === 0 ? pick(NOUNS) : i % 3 === 1 ? pick(VERBS) : pick(FILLER),
    ).join(' ');
  const start = Date.UTC(2025, 0, 1);
  const docs: SearchDocument[] = [];
  for (let n = 0; n < tickets; n++) {
    const id = `t${n}`;
    docs.push({
      key: `ticket:${id}`,
      kind: 'ticket',
      id,
      number: `INC${String(1001 + n).padStart(7, '0')}`,
      title: `${pick(NOUNS)} ${pick(VERBS)} ${sentence(3)}`.slice(0, 160),
      text: sentence(40 + Math.floor(next() * 80)),
      state: pick(['new', 'in_progress', 'on_hold', 'resolved', 'closed']),
      group: pick(GROUPS),
      people: [`e${String(n % 2000).padStart(4, '0')}@example.com`],
      services: [pick(NOUNS)],
      updatedAt: new Date(start + n * 60_000).toISOString(),
    });
  }
  for (let n = 0; n < articles; n++) {
    const id = `k${n}`;
    docs.push({
      key: `knowledge:${id}`,
      kind: 'knowledge',
      id,
      number: `KB${String(1001 + n).padStart(7, '0')}`,
      title: `How to fix ${pick(NOUNS)} when it ${pick(VERBS)}`,
      text: sentence(150 + Math.floor(next() * 150)),
      state: n % 10 === 0 ? 'draft' : 'published',
      audience: n % 5 === 0 ? 'agents' : 'employees',
      people: [],
      services: [pick(NOUNS)],
      updatedAt: new Date(start + n * 3_600_000).toISOString(),
    });
  }
  return docs;
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const since = (t: number) => performance.now() - t;

export async function runSearch(options: SuiteOptions): Promise<SuiteResult> {
  const size = SIZES[options.size];
  const notes: string[] = [loadNote('at start')];
  const dir = await mkdtemp(join(tmpdir(), 'spoke-bench-search-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true });
  const { port } = await s3rver.run();
  const s3 = new S3Client({ ...localS3Config, endpoint: `http://127.0.0.1:${port}` });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-search' }));
    const stores = {
      ticket: new S3SearchIndexStore(s3, 'bench-search', 'ticket'),
      knowledge: new S3SearchIndexStore(s3, 'bench-search', 'knowledge'),
    };
    const clock = { now: () => new Date() };
    const keepers = (refreshMs: number) =>
      new SearchIndexes(stores, { ticketShards: SHARDS, refreshMs, clock });
    const docs = corpus(size.tickets, size.articles);

    // Build: the whole corpus through the indexer's path (apply → shards → S3).
    const writer = keepers(0);
    const built = performance.now();
    const changes: IndexChange[] = docs.map((document) => ({ op: 'put', document }));
    for (let i = 0; i < changes.length; i += 20_000) await writer.apply(changes.slice(i, i + 20_000));
    const buildMs = since(built);
    let jsonBytes = 0;
    let gzipBytes = 0;
    let largestShard = 0;
    let knowledgeGzip = 0;
    for (const kind of ['ticket', 'knowledge'] as const) {
      const index = await writer.current(kind);
      for (let shard = 0; shard < index.shards; shard++) {
        const json = index.serialize(shard);
        jsonBytes += Buffer.byteLength(json);
        const zipped = gzipSync(json).length;
        gzipBytes += zipped;
        if (kind === 'knowledge') knowledgeGzip += zipped;
        largestShard = Math.max(largestShard, zipped);
      }
    }
    const perThousand = 1000 / (size.tickets + size.articles);

    // Cold start: a new instance loads the manifest and every shard of a kind from S3, gunzips and
    // parses. Articles alone (the ticket form's suggestions, the acknowledgement mail) load only
    // the knowledge shards; a search of everything loads both kinds.
    const coldLoad = async (kinds: readonly SearchKind[]) => {
      const times: number[] = [];
      let loaded = keepers(1000);
      for (let run = 0; run < (options.size === 'full' ? 3 : 2); run++) {
        loaded = keepers(1000);
        const t = performance.now();
        for (const kind of kinds) await loaded.current(kind);
        times.push(since(t));
      }
      return { times, loaded };
    };
    const knowledgeOnly = await coldLoad(['knowledge']);
    const knowledgeHeapMB = process.memoryUsage().heapUsed / 2 ** 20;
    const { times: coldStarts, loaded: reader } = await coldLoad(['ticket', 'knowledge']);
    const heapMB = process.memoryUsage().heapUsed / 2 ** 20;

    // Warm queries, as an employee and as an agent of two groups, through the search service.
    const deps = {
      index: (kind: SearchKind) => reader.current(kind),
      groups: { groupsOf: async () => [GROUPS[0] as string, GROUPS[1] as string] },
      agentVisibility: 'groups' as const,
    };
    const employee: Actor = { id: 'e', email: 'e0007@example.com', groups: [] };
    const agent: Actor = { id: 'a', email: 'agent@example.com', groups: ['agents'] };
    const { next } = random(99);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
    const queryOf = (n: number): SearchQuery => {
      const word = pick(NOUNS);
      switch (n % 5) {
        case 0:
          return { q: word };
        case 1:
          return { q: `${word} ${pick(VERBS)}` };
        case 2:
          return { q: word.slice(0, Math.max(3, word.length - 2)) };
        case 3:
          return { q: word.length > 5 ? `${word.slice(0, 2)}${word.slice(3)}` : `${word}x` };
        default:
          return { q: `${word} ${pick(VERBS)}`, type: 'ticket', state: 'new' };
      }
    };
    const timings = { employee: [] as number[], agent: [] as number[] };
    let empty = 0;
    for (let n = 0; n < size.queries; n++) {
      for (const [who, actor] of [
        ['employee', employee],
        ['agent', agent],
      ] as const) {
        const t = performance.now();
        const page = await search(deps, actor, queryOf(n));
        timings[who].push(since(t));
        if (who === 'agent' && page.items.length === 0) empty++;
      }
    }

    // Write → searchable: the indexer stores one change; a reader that checks now sees it.
    const lags: number[] = [];
    const applies: number[] = [];
    const fresh = keepers(0);
    await fresh.current('ticket');
    for (let run = 0; run < 5; run++) {
      const document: SearchDocument = {
        ...(docs[run] as SearchDocument),
        title: `zzfresh${run} laptop`,
        updatedAt: new Date().toISOString(),
      };
      const t = performance.now();
      await writer.apply([{ op: 'put', document }]);
      applies.push(since(t));
      const found = (await fresh.current('ticket')).search({
        words: [`zzfresh${run}`],
        filter: () => true,
        offset: 0,
        limit: 10,
      });
      if (!found.hits.some((hit) => hit.document.key === document.key))
        throw new Error(`zzfresh${run} was not searchable after the refresh`);
      lags.push(since(t));
    }

    // The DynamoDB inverted index alternative: one item per distinct term of each record.
    const sample = docs.slice(0, Math.min(2000, size.tickets));
    const termsPerTicket =
      sample.reduce((sum, d) => sum + new Set(wordsOf(`${d.title} ${d.text}`)).size, 0) / sample.length;
    notes.push(
      `Corpus: ${size.tickets} tickets, ${size.articles} articles, synthetic IT vocabulary (${NOUNS.length} nouns), ${SHARDS} ticket shards + ${KNOWLEDGE_SHARDS} knowledge shards.`,
      `Agent queries with no hit: ${empty} of ${size.queries} (typo and prefix variants of desk words).`,
      `Write → searchable measured as the indexer's store of one change plus a reader's refresh; add the stream's delivery (about 0.5–1 s with the 1 s batching window) and up to SEARCH_REFRESH_MS (1 s) before a reader looks.`,
      `A DynamoDB inverted index would write ~${termsPerTicket.toFixed(0)} items per ticket write (one per distinct term), and serve no typo tolerance.`,
      `Heap after loading the knowledge shards only: ${knowledgeHeapMB.toFixed(0)} MB; after loading both kinds: ${heapMB.toFixed(0)} MB.`,
      `Knowledge index (${KNOWLEDGE_SHARDS} shards): ${(knowledgeGzip / 1024).toFixed(0)} KB gzipped.`,
      loadNote('at end'),
    );
    const figures: Figure[] = [
      { name: 'index build, whole corpus through the indexer', value: buildMs, unit: 'ms' },
      { name: 'index size per 1,000 records (JSON)', value: (jsonBytes * perThousand) / 1024, unit: 'KB' },
      {
        name: 'index size per 1,000 records (gzipped, in S3)',
        value: (gzipBytes * perThousand) / 1024,
        unit: 'KB',
      },
      { name: 'index size, all shards (gzipped)', value: gzipBytes / 2 ** 20, unit: 'MB' },
      { name: 'largest shard (gzipped)', value: largestShard / 2 ** 20, unit: 'MB' },
      {
        name: 'cold load of the index from S3 (median)',
        value: percentile(coldStarts, 50),
        unit: 'ms',
        target: 3000,
      },
      {
        name: 'cold load of the knowledge shards only (median)',
        value: percentile(knowledgeOnly.times, 50),
        unit: 'ms',
        target: 3000,
      },
      { name: 'warm query p50, employee', value: percentile(timings.employee, 50), unit: 'ms' },
      { name: 'warm query p95, employee', value: percentile(timings.employee, 95), unit: 'ms', target: 200 },
      { name: 'warm query p50, agent', value: percentile(timings.agent, 50), unit: 'ms' },
      { name: 'warm query p95, agent', value: percentile(timings.agent, 95), unit: 'ms', target: 200 },
      { name: 'indexer store of one change (median)', value: percentile(applies, 50), unit: 'ms' },
      {
        name: 'write → searchable by a reader (median)',
        value: percentile(lags, 50),
        unit: 'ms',
        target: 5000,
      },
      { name: 'DynamoDB inverted index: items per ticket write', value: termsPerTicket, unit: 'n' },
    ];
    return { suite: 'search', figures, notes };
  } finally {
    s3.destroy();
    await s3rver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

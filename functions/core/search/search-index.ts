import MiniSearch, { type SearchResult } from 'minisearch';
import {
  EXCERPT_MAX,
  type IndexChange,
  SEARCH_TEXT_MAX,
  type SearchDocument,
  type StoredDocument,
} from './search-document.ts';

/**
 * The search index: MiniSearch (an embedded BM25 index that serializes to JSON) split into
 * shards by a hash of the document key, so a write rewrites one shard and a cold start loads
 * them in parallel (docs/adr/0003-search-without-a-cluster.md). A query runs on every shard
 * with the caller's visibility as MiniSearch's `filter` — inside the query, before ranking and
 * paging, so a page is always full — and the shards' hits are merged by score.
 */

/** Words split like MiniSearch's default, kept here so highlights find the same words. */
const SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}]+/u;
const WORD = /[^\n\r\p{Z}\p{P}]+/gu;

const fields = ['title', 'text', 'number'] as const;
const storeFields = [
  'key',
  'kind',
  'id',
  'number',
  'title',
  'excerpt',
  'state',
  'group',
  'people',
  'assignee',
  'audience',
  'services',
  'category',
  'updatedAt',
] as const;

export const indexOptions = {
  idField: 'key',
  fields: [...fields],
  storeFields: [...storeFields],
  searchOptions: { boost: { number: 4, title: 2 } },
  autoVacuum: { minDirtCount: 200, minDirtFactor: 0.2, batchSize: 2000, batchWait: 0 },
};

type Indexed = SearchDocument & { readonly excerpt: string };

/** FNV-1a: a stable, quick hash that spreads keys evenly over the shards. */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** A hit: the stored document, its score, and where the matched words are in its title and excerpt. */
export interface SearchHit {
  readonly document: StoredDocument;
  readonly score: number;
  readonly highlights: {
    readonly title: readonly (readonly [number, number])[];
    readonly excerpt: readonly (readonly [number, number])[];
  };
}

export interface IndexQuery {
  /** Words; empty: every visible document that passes the filter, newest first. */
  readonly words: readonly string[];
  /** Visibility and filters together, decided on the stored fields. */
  readonly filter: (document: StoredDocument) => boolean;
  readonly offset: number;
  readonly limit: number;
  /** All words must match (a search), or any (suggestions for a whole subject line). @default 'AND' */
  readonly combineWith?: 'AND' | 'OR';
}

/** Where in a text the matched index terms are, as [start, end) ranges. */
export function highlightRanges(text: string, terms: ReadonlySet<string>): [number, number][] {
  const ranges: [number, number][] = [];
  for (const match of text.matchAll(WORD)) {
    if (terms.has(match[0].toLowerCase())) ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

/** Prefix for the word being typed and longer words; one typo allowed in words of five letters or more. */
const prefix = (term: string, i: number, terms: readonly string[]) =>
  i === terms.length - 1 || term.length >= 4;
const fuzzy = (term: string) => (term.length >= 5 ? 0.2 : false);

export class ShardedSearchIndex {
  readonly shards: number;
  readonly #indexes: MiniSearch<Indexed>[];

  constructor(shards: number, loaded?: readonly (string | undefined)[]) {
    this.shards = shards;
    this.#indexes = Array.from({ length: shards }, (_, n) => {
      const json = loaded?.[n];
      return json ? MiniSearch.loadJSON<Indexed>(json, indexOptions) : new MiniSearch<Indexed>(indexOptions);
    });
  }

  get documentCount(): number {
    return this.#indexes.reduce((sum, index) => sum + index.documentCount, 0);
  }

  /** Applies writes and removals; answers the shards it changed (the ones to store again). */
  apply(changes: readonly IndexChange[]): number[] {
    const touched = new Set<number>();
    for (const change of changes) {
      const key = change.op === 'put' ? change.document.key : change.key;
      const shard = shardOf(key, this.shards);
      const index = this.#indexes[shard] as MiniSearch<Indexed>;
      if (index.has(key)) index.discard(key);
      if (change.op === 'put') {
        const text = change.document.text.slice(0, SEARCH_TEXT_MAX);
        index.add({ ...change.document, text, excerpt: text.slice(0, EXCERPT_MAX) });
      }
      touched.add(shard);
    }
    return [...touched].sort((a, b) => a - b);
  }

  /** Replaces one shard with its stored form (another writer changed it). */
  replaceShard(shard: number, json: string): void {
    this.#indexes[shard] = MiniSearch.loadJSON<Indexed>(json, indexOptions);
  }

  serialize(shard: number): string {
    return JSON.stringify(this.#indexes[shard]);
  }

  /** Every visible match of the query in this index's shards, unranked. */
  matches(query: IndexQuery): SearchResult[] {
    const filter = (result: SearchResult) => query.filter(result as unknown as StoredDocument);
    const all: SearchResult[] = [];
    for (const index of this.#indexes) {
      const found =
        query.words.length === 0
          ? index.search(MiniSearch.wildcard, { filter })
          : index.search(query.words.join(' '), {
              prefix,
              fuzzy,
              combineWith: query.combineWith ?? 'AND',
              filter,
            });
      for (const result of found) all.push(result);
    }
    return all;
  }

  search(query: IndexQuery): { hits: SearchHit[]; total: number } {
    return searchIndexes([this], query);
  }
}

/**
 * One ranked page over several indexes (the tickets' and the articles', each loaded only when
 * asked for): the matches of each, merged by score (newest first without words), then paged.
 */
export function searchIndexes(
  indexes: readonly ShardedSearchIndex[],
  query: IndexQuery,
): { hits: SearchHit[]; total: number } {
  const all = indexes.flatMap((index) => index.matches(query));
  all.sort((a, b) =>
    query.words.length === 0 || b.score === a.score
      ? String(b.updatedAt).localeCompare(String(a.updatedAt))
      : b.score - a.score,
  );
  const hits = all.slice(query.offset, query.offset + query.limit).map((result) => {
    const document = result as unknown as StoredDocument;
    const terms = new Set(result.terms);
    return {
      document: {
        kind: document.kind,
        id: document.id,
        number: document.number,
        title: document.title,
        excerpt: document.excerpt,
        state: document.state,
        people: document.people,
        services: document.services,
        updatedAt: document.updatedAt,
        key: document.key,
        ...(document.group ? { group: document.group } : {}),
        ...(document.assignee ? { assignee: document.assignee } : {}),
        ...(document.audience ? { audience: document.audience } : {}),
        ...(document.category ? { category: document.category } : {}),
      },
      score: result.score,
      highlights: {
        title: highlightRanges(document.title, terms),
        excerpt: highlightRanges(document.excerpt, terms),
      },
    };
  });
  return { hits, total: all.length };
}

/** The words of a query, split as the index splits text (quotes and operators are plain punctuation here). */
export const wordsOf = (q: string): string[] =>
  q
    .split(SPACE_OR_PUNCTUATION)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);

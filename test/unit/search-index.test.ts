import { describe, expect, it } from 'vitest';
import type { Actor } from '#core/identity/actor.ts';
import { lineDiff } from '#core/knowledge/line-diff.ts';
import type { SearchDocument, StoredDocument } from '#core/search/search-document.ts';
import { highlightRanges, ShardedSearchIndex, shardOf } from '#core/search/search-index.ts';
import { visibleTo } from '#core/search/search-service.ts';

const doc = (n: number, title: string, extra: Partial<SearchDocument> = {}): SearchDocument => ({
  key: `ticket:t${n}`,
  kind: 'ticket',
  id: `t${n}`,
  number: `INC${String(1001 + n).padStart(7, '0')}`,
  title,
  text: '',
  state: 'new',
  people: [],
  services: [],
  updatedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  ...extra,
});
const all = { filter: () => true, offset: 0, limit: 10 };

describe('the sharded search index', () => {
  it('forgets a removed record and the old words of a changed one, in its shard and after a round trip through JSON', () => {
    const index = new ShardedSearchIndex(4);
    index.apply([0, 1, 2, 3, 4].map((n) => ({ op: 'put' as const, document: doc(n, `printer ${n}`) })));
    const touched = index.apply([
      { op: 'remove', key: 'ticket:t1' },
      { op: 'put', document: doc(2, 'scanner 2') },
    ]);
    const reloaded = new ShardedSearchIndex(
      4,
      Array.from({ length: 4 }, (_, shard) => index.serialize(shard)),
    );

    for (const copy of [index, reloaded]) {
      expect(
        copy
          .search({ words: ['printer'], ...all })
          .hits.map((h) => h.document.key)
          .sort(),
      ).toEqual(['ticket:t0', 'ticket:t3', 'ticket:t4']);
      expect(copy.search({ words: ['scanner'], ...all }).hits.map((h) => h.document.key)).toEqual([
        'ticket:t2',
      ]);
      expect(copy.documentCount).toBe(4);
    }
    expect(touched).toEqual([...new Set([shardOf('ticket:t1', 4), shardOf('ticket:t2', 4)])].sort());
  });

  it('marks the matched words, whatever their case, and nothing inside other words', () => {
    expect(highlightRanges('Outlook: outlooks and OUTLOOK', new Set(['outlook']))).toEqual([
      [0, 7],
      [22, 29],
    ]);
  });

  it('lets an employee see only published employee articles and tickets they are on', () => {
    const emma: Actor = { id: 'e', email: 'Emma@example.com', groups: [] };
    const stored = (d: Partial<StoredDocument>) => ({ ...doc(0, 'x'), excerpt: '', ...d }) as StoredDocument;
    const visible = visibleTo(emma, [], 'groups');

    expect(visible(stored({ kind: 'knowledge', state: 'published', audience: 'employees' }))).toBe(true);
    expect(visible(stored({ kind: 'knowledge', state: 'published', audience: 'agents' }))).toBe(false);
    expect(visible(stored({ kind: 'knowledge', state: 'draft', audience: 'employees' }))).toBe(false);
    expect(visible(stored({ people: ['emma@example.com'] }))).toBe(true);
    expect(visible(stored({ people: ['bob@example.com'], group: '-' }))).toBe(false);
  });
});

describe('the revision diff', () => {
  it('keeps common lines and shows removed before added', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'removed', text: 'b' },
      { op: 'added', text: 'x' },
      { op: 'same', text: 'c' },
      { op: 'added', text: 'd' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { QueryCache } from './query-cache.ts';

describe('the portal query cache', () => {
  it('has bumped the generation when an on-screen entry hears of its invalidation', async () => {
    const cache = new QueryCache();
    await cache.ensure('ticket:1', async () => ({ articles: 1 }), 'failed');
    const before = cache.generation('ticket:1');
    const seen: number[] = [];
    // What useSyncExternalStore does: read the snapshot in the listener, re-render only on a change.
    cache.subscribe('ticket:1', () => seen.push(cache.generation('ticket:1')));
    cache.invalidate('ticket:1', 'tickets:');
    expect(seen).toEqual([before + 1]);
  });

  it('reads a stale entry again and keeps a fresh one', async () => {
    const cache = new QueryCache();
    let reads = 0;
    const fetcher = async () => ++reads;
    await cache.ensure('groups', fetcher, 'failed');
    await cache.ensure('groups', fetcher, 'failed');
    expect(reads).toBe(1);
    cache.invalidate('group');
    await cache.ensure('groups', fetcher, 'failed');
    expect(reads).toBe(2);
    expect(cache.snapshot('groups')).toEqual({ status: 'ready', data: 2 });
  });
});

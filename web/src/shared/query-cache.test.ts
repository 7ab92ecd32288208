import { describe, expect, it } from 'vitest';
import { QueryCache } from './query-cache.ts';

/** The portal's query cache: what `useQuery` (React's useSyncExternalStore) relies on. */
describe('the portal query cache', () => {
  it('tells a shown key of an invalidation with its generation already grown, so the page reads again', async () => {
    const cache = new QueryCache();
    await cache.ensure('responses', async () => ({ items: [] }), 'failed');
    const before = cache.generation('responses');
    const seen: number[] = [];
    // useSyncExternalStore compares the snapshot when told: a listener reading it then sees what React sees.
    cache.subscribe('responses', () => seen.push(cache.generation('responses')));

    cache.invalidate('responses');

    expect(seen).toEqual([before + 1]);
  });

  it('reads a stale key again and shows what the second read returned', async () => {
    const cache = new QueryCache();
    let reads = 0;
    const fetcher = async () => ++reads;
    await cache.ensure('views', fetcher, 'failed');
    cache.invalidate('view');
    await cache.ensure('views', fetcher, 'failed');

    expect(cache.snapshot('views')).toEqual({ status: 'ready', data: 2 });
  });
});

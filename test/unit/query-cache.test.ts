import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../web/src/shared/query-cache.ts';

describe('the portal query cache', () => {
  it('has raised the generation of a key by the time it tells the key’s listeners of an invalidation', () => {
    const cache = new QueryCache();
    const seen: number[] = [];
    cache.subscribe('cmdb:ci:1', () => seen.push(cache.generation('cmdb:ci:1')));

    cache.invalidate('cmdb:ci:1');
    cache.invalidate('cmdb:');

    expect(seen).toEqual([1, 2]);
  });
});

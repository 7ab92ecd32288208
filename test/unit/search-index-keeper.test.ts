import { describe, expect, it } from 'vitest';
import { SearchIndexKeeper } from '#core/search/index-keeper.ts';
import type { SearchIndexStore } from '#ports/search-index-store.ts';

describe('the search index keeper', () => {
  it('keeps what it has when the manifest is read half-written, and reads it again next time', async () => {
    let reads = 0;
    const store: SearchIndexStore = {
      async manifest() {
        reads += 1;
        // What s3rver serves while another writer is still writing the object.
        if (reads === 1) return { manifest: JSON.parse('{"shards":2,"etags":["a') as never, etag: 'm1' };
        return { manifest: { shards: 2, etags: ['', ''] }, etag: 'm2' };
      },
      load: async () => undefined,
      save: async () => 'etag',
      saveManifest: async () => undefined,
    };
    let now = 0;
    const keeper = new SearchIndexKeeper(store, {
      shards: 2,
      refreshMs: 1000,
      clock: { now: () => new Date(now) },
    });
    const first = await keeper.current();
    expect(first).toBeDefined();
    now = 10;
    await keeper.current();
    // The torn read did not count as a look: the next call read the manifest again at once.
    expect(reads).toBe(2);
  });
});

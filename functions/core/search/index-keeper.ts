import type { Clock } from '#ports/clock.ts';
import type { SearchIndexStore, SearchManifest } from '#ports/search-index-store.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IndexChange } from './search-document.ts';
import { ShardedSearchIndex } from './search-index.ts';

/**
 * Keeps a function instance's copy of the search index in step with the stored one. A reader
 * looks at the manifest at most once per `refreshMs` and loads only the shards whose etag
 * changed; the indexer (fed by the table's stream) applies a batch of changes, stores the
 * shards it touched and then the manifest, each conditional on what it read, and starts over
 * from the stored state when another writer got there first.
 */
export interface IndexKeeperOptions {
  readonly shards: number;
  /** How stale a reader's copy may be before it checks the manifest again. */
  readonly refreshMs: number;
  readonly clock: Clock;
}

/** Tries of one batch before the conflict is reported (the stream then retries the batch). */
const APPLY_ATTEMPTS = 5;

export class SearchIndexKeeper {
  readonly #store: SearchIndexStore;
  readonly #options: IndexKeeperOptions;
  #index: ShardedSearchIndex;
  #etags: string[];
  #manifestEtag = '';
  #checkedAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;

  constructor(store: SearchIndexStore, options: IndexKeeperOptions) {
    this.#store = store;
    this.#options = options;
    this.#index = new ShardedSearchIndex(options.shards);
    this.#etags = Array.from({ length: options.shards }, () => '');
  }

  /** The index, refreshed when the last look at the manifest is older than `refreshMs`. */
  async current(): Promise<ShardedSearchIndex> {
    if (this.#options.clock.now().getTime() - this.#checkedAt >= this.#options.refreshMs)
      await this.refresh();
    return this.#index;
  }

  /** Reads the manifest and loads the shards that changed (concurrent callers share one refresh). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const checkedAt = this.#options.clock.now().getTime();
    let stored: Awaited<ReturnType<SearchIndexStore['manifest']>>;
    try {
      stored = await this.#store.manifest();
    } catch (error) {
      // A manifest read while it is written (a store without atomic writes: s3rver locally) does
      // not parse: keep what is loaded and look again next time, as for a shard.
      if (error instanceof SyntaxError) return;
      throw error;
    }
    if (stored && stored.manifest.shards !== this.#options.shards)
      throw new Error(
        `The stored search index has ${stored.manifest.shards} shards, this function expects ${this.#options.shards}: rebuild it`,
      );
    const etags = stored?.manifest.etags ?? this.#etags.map(() => '');
    const changed = etags.flatMap((etag, shard) => (etag !== this.#etags[shard] ? [shard] : []));
    const loaded = await Promise.allSettled(changed.map((shard) => this.#store.load(shard)));
    let complete = true;
    changed.forEach((shard, n) => {
      const result = loaded[n];
      // A shard that could not be read (a network fault, an object read while written by a
      // store without atomic writes) keeps its old copy and is tried again on the next look.
      if (!result || result.status === 'rejected') {
        complete = false;
        return;
      }
      if (result.value) this.#index.replaceShard(shard, result.value.json);
      this.#etags[shard] = result.value?.etag ?? '';
    });
    if (!complete && this.#etags.every((etag) => etag === '\u0000'))
      throw new Error('The search index could not be read');
    this.#manifestEtag = stored?.etag ?? '';
    if (complete) this.#checkedAt = checkedAt;
  }

  /** Applies a batch of changes and stores it; a lost race reloads what is stored and tries again. */
  async apply(changes: readonly IndexChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      await this.refresh();
      const touched = this.#index.apply(changes);
      try {
        const saved = await Promise.all(
          touched.map((shard) =>
            this.#store.save(shard, this.#index.serialize(shard), this.#etags[shard] ?? ''),
          ),
        );
        touched.forEach((shard, n) => {
          this.#etags[shard] = saved[n] ?? '';
        });
        const manifest: SearchManifest = { shards: this.#options.shards, etags: [...this.#etags] };
        await this.#store.saveManifest(manifest, this.#manifestEtag);
        await this.refresh();
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= APPLY_ATTEMPTS) throw error;
        // Our copy holds changes that were not stored: start again from the stored index.
        this.#index = new ShardedSearchIndex(this.#options.shards);
        this.#etags = this.#etags.map(() => '\u0000');
      }
    }
  }
}

import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { ApiError, SessionExpiredError } from './api.ts';
import { usePortal } from './portal-context.ts';

/** What a page shows of one read: loading, the data, not there, or why it failed. */
export type Load<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: T }
  | { readonly status: 'not-found' }
  | { readonly status: 'failed'; readonly message: string };

interface Entry {
  load: Load<unknown>;
  /** The read under way, so two panels asking for the same key share one request. */
  running?: Promise<void>;
  /** Set by `invalidate`: the next subscriber (or the ones already there) read again. */
  stale: boolean;
  readonly listeners: Set<() => void>;
}

/**
 * One cache of API reads for the signed-in portal, keyed by strings such as `ticket:<id>` or
 * `groups`. A page reads through `useQuery`; after a change it calls `invalidate` with the
 * keys (or key prefixes) the change touched, and every page showing them reads again. This
 * replaces each page's own reload plumbing; it holds no more than what was shown this session.
 */
export class QueryCache {
  readonly #entries = new Map<string, Entry>();
  readonly #generations = new Map<string, number>();
  readonly #generationListeners = new Set<() => void>();

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { load: { status: 'loading' }, stale: true, listeners: new Set() };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  snapshot(key: string): Load<unknown> {
    return this.#entry(key).load;
  }

  subscribe(key: string, listener: () => void): () => void {
    const entry = this.#entry(key);
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  #emit(entry: Entry) {
    for (const listener of [...entry.listeners]) listener();
  }

  /** Reads `key` unless it is fresh or being read; a shown value stays on screen meanwhile. */
  ensure(key: string, fetcher: () => Promise<unknown>, failure: string, force = false): Promise<void> {
    const entry = this.#entry(key);
    if (entry.running) return entry.running;
    if (!entry.stale && entry.load.status === 'ready' && !force) return Promise.resolve();
    entry.stale = false;
    if (entry.load.status !== 'ready' && entry.load.status !== 'loading') {
      entry.load = { status: 'loading' };
      this.#emit(entry);
    }
    entry.running = fetcher().then(
      (data) => {
        entry.load = { status: 'ready', data };
      },
      (error: unknown) => {
        if (error instanceof SessionExpiredError) return;
        entry.load =
          error instanceof ApiError && error.status === 404
            ? { status: 'not-found' }
            : { status: 'failed', message: error instanceof ApiError ? error.message : failure };
      },
    );
    const done = entry.running.finally(() => {
      entry.running = undefined;
      this.#emit(entry);
    });
    return done;
  }

  /** Replaces what is shown for `key` with what a write returned (no second read). */
  set<T>(key: string, data: T): void {
    const entry = this.#entry(key);
    entry.load = { status: 'ready', data };
    entry.stale = false;
    this.#emit(entry);
  }

  /**
   * Marks every key equal to or starting with one of `prefixes` as stale: keys on screen read
   * again at once, the others when next shown. Paged lists (`usePaged`) follow the same prefixes.
   */
  invalidate(...prefixes: string[]): void {
    const hit = (key: string) => prefixes.some((prefix) => key === prefix || key.startsWith(prefix));
    // Generations first: a page on screen learns of the invalidation by its generation changing
    // when its entry emits (useSyncExternalStore compares snapshots at once), so a generation
    // bumped after the emit would leave that page showing what it had.
    for (const prefix of prefixes) this.#generations.set(prefix, (this.#generations.get(prefix) ?? 0) + 1);
    for (const [key, entry] of this.#entries) {
      if (!hit(key)) continue;
      entry.stale = true;
      this.#emit(entry);
    }
    for (const listener of [...this.#generationListeners]) listener();
  }

  /** A number that grows each time a prefix covering `key` is invalidated. */
  generation(key: string): number {
    let sum = 0;
    for (const [prefix, count] of this.#generations) if (key.startsWith(prefix)) sum += count;
    return sum;
  }

  subscribeGenerations(listener: () => void): () => void {
    this.#generationListeners.add(listener);
    return () => this.#generationListeners.delete(listener);
  }
}

/**
 * One API read through the portal's cache: the same key on two panels is one request, and an
 * `invalidate` of the key after a change reads it again. `set` shows what a write returned.
 */
export function useQuery<T>(key: string, fetcher: () => Promise<T>, failure: string) {
  const { cache } = usePortal();
  const subscribe = useCallback((listener: () => void) => cache.subscribe(key, listener), [cache, key]);
  const load = useSyncExternalStore(subscribe, () => cache.snapshot(key)) as Load<T>;
  const stale = useSyncExternalStore(subscribe, () => cache.generation(key));
  // biome-ignore lint/correctness/useExhaustiveDependencies: the fetcher belongs to the key; an invalidation (stale) reads again
  useEffect(() => {
    void cache.ensure(key, fetcher, failure);
  }, [cache, key, stale]);
  const reload = useCallback(() => cache.ensure(key, fetcher, failure, true), [cache, key, fetcher, failure]);
  const set = useCallback((data: T) => cache.set(key, data), [cache, key]);
  return { load, reload, set };
}

/** A number that changes whenever `key` (or a prefix of it) is invalidated: for reads outside the cache. */
export function useGeneration(key: string): number {
  const { cache } = usePortal();
  return useSyncExternalStore(
    useCallback((listener: () => void) => cache.subscribeGenerations(listener), [cache]),
    () => cache.generation(key),
  );
}

/** The portal cache's `invalidate`, for the code that just changed something. */
export function useInvalidate(): (...prefixes: string[]) => void {
  const { cache } = usePortal();
  return useCallback((...prefixes: string[]) => cache.invalidate(...prefixes), [cache]);
}

import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from './api.ts';
import { useGeneration } from './query-cache.ts';
import type { Page } from './types.ts';

/**
 * A list read page by page with the API's cursor: the first page on mount, more on request.
 * With a cache `key`, an `invalidate` of that key (or a prefix of it) reads it again from the start.
 */
export function usePaged<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, failure: string, key = '') {
  const generation = useGeneration(key);
  const [items, setItems] = useState<readonly T[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [status, setStatus] = useState<'loading' | 'ready' | 'loading-more' | 'failed'>('loading');
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (after?: string) => {
      setStatus(after ? 'loading-more' : 'loading');
      setError(undefined);
      try {
        const page = await fetchPage(after);
        setItems((shown) => (after ? [...shown, ...page.items] : page.items));
        setCursor(page.cursor);
        setStatus('ready');
      } catch (problem) {
        if (problem instanceof SessionExpiredError) return;
        setError(problem instanceof ApiError ? problem.message : failure);
        setStatus('failed');
      }
    },
    [fetchPage, failure],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: an invalidation (generation) reads again
  useEffect(() => {
    void load();
  }, [load, generation]);

  return {
    items,
    cursor,
    status,
    error,
    reload: useCallback(() => load(), [load]),
    loadMore: () => load(cursor),
  };
}

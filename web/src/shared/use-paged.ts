import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from './api.ts';
import type { Page } from './types.ts';

/** A list read page by page with the API's cursor: the first page on mount, more on request. */
export function usePaged<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, failure: string) {
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

  useEffect(() => {
    void load();
  }, [load]);

  return {
    items,
    cursor,
    status,
    error,
    reload: () => load(),
    loadMore: () => load(cursor),
  };
}

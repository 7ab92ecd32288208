import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from './api.ts';

export type Load<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: T }
  | { readonly status: 'not-found' }
  | { readonly status: 'failed'; readonly message: string };

/** Loads once per change of `fetcher`; `reload` runs it again, `set` replaces what is shown. */
export function useLoad<T>(fetcher: () => Promise<T>, failure: string) {
  const [load, setLoad] = useState<Load<T>>({ status: 'loading' });
  const reload = useCallback(async () => {
    setLoad((shown) => (shown.status === 'ready' ? shown : { status: 'loading' }));
    try {
      setLoad({ status: 'ready', data: await fetcher() });
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      if (error instanceof ApiError && error.status === 404) setLoad({ status: 'not-found' });
      else setLoad({ status: 'failed', message: error instanceof ApiError ? error.message : failure });
    }
  }, [fetcher, failure]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const set = useCallback((data: T) => setLoad({ status: 'ready', data }), []);
  return { load, reload, set };
}

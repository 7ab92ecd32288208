import { type ComponentType, useEffect, useState } from 'react';
import { ErrorNotice, Loading } from './components.tsx';

/** A page in a chunk of its own: the chunk once loaded, and the way to load it. */
export interface PageLoader<P extends object> {
  loaded?: ComponentType<P>;
  preload(): Promise<ComponentType<P>>;
}

export function pageLoader<P extends object>(load: () => Promise<ComponentType<P>>): PageLoader<P> {
  let pending: Promise<ComponentType<P>> | undefined;
  const loader: PageLoader<P> = {
    preload() {
      pending ??= load().then(
        (component) => {
          loader.loaded = component;
          return component;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
  };
  return loader;
}

/**
 * Renders a page from its own chunk, without React.lazy: React 19 holds back the reveal of a
 * suspended boundary for up to 300 ms, which showed in the queue's time to interactive. This
 * renders the page as soon as its chunk is there, and at once when it was preloaded (the
 * portal preloads the page of the address it boots on, alongside its configuration).
 */
export function LazyPage<P extends object>({ loader, props }: { loader: PageLoader<P>; props: P }) {
  const [component, setComponent] = useState<ComponentType<P> | undefined>(() => loader.loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (component) return;
    let live = true;
    loader.preload().then(
      (found) => live && setComponent(() => found),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [component, loader]);
  if (failed)
    return <ErrorNotice message="This page could not be loaded. Check your connection and reload." />;
  if (!component) return <Loading label="Loading…" />;
  const Component = component;
  return <Component {...props} />;
}

/**
 * Runs at most `limit` tasks at once; the rest wait their turn in order. The local stand-in
 * for a function's concurrency: Lambda runs a bounded number of instances and queues the
 * rest of its asynchronous events, where an unbounded number of handlers at once on one
 * machine only thrash (thousands in flight, each holding its message and a socket).
 */
export function concurrencyLimit(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

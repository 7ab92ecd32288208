import { ConflictError } from '../shared/errors.ts';

/**
 * The one retry policy of a read–decide–write round that the system (not a person holding a
 * version) runs: a round whose conditional write lost to another writer reads again and decides
 * again, a bounded number of times, then gives up with a conflict (409). Contention inside
 * DynamoDB (transaction conflicts, throttling) is retried by the store with jittered backoff and
 * ends as 503 with Retry-After (`BusyError`) — never as a 500.
 */

/** What a round returns when its conditional write lost to another writer. */
export const AGAIN = Symbol('read again');

/** Tries of one round before a conflict is reported. */
export const ROUND_ATTEMPTS = 8;

/** Runs a round again until its conditional write wins (at most `ROUND_ATTEMPTS` times). */
export async function retried<T>(what: string, round: () => Promise<T | typeof AGAIN>): Promise<T> {
  for (let attempt = 0; attempt < ROUND_ATTEMPTS; attempt++) {
    const result = await round();
    if (result !== AGAIN) return result;
  }
  throw new ConflictError(`${what} kept changing; try again`);
}

/** Whether a conditional write lost to another writer (`ConflictError`); any other failure is thrown. */
export const lostRace = (write: Promise<unknown>): Promise<boolean> =>
  write.then(
    () => false,
    (error: unknown) => {
      if (error instanceof ConflictError) return true;
      throw error;
    },
  );

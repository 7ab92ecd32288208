import type { Actor } from '#core/identity/actor.ts';
import { TooManyRequestsError } from '#core/shared/errors.ts';
import type { Clock } from '#ports/clock.ts';
import type { RateLimiter } from '#ports/rate-limiter.ts';

/** How many tickets one person may open through the API (a stuck script, a malicious loop). */
export interface OpenTicketLimit {
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  /** @default 10 */
  readonly perMinute: number;
  /** @default 60 */
  readonly perHour: number;
}

/** Takes one ticket from the person's allowance, or refuses with the seconds until the window turns. */
export async function takeOpenAllowance(limit: OpenTicketLimit, actor: Actor): Promise<void> {
  for (const [windowSeconds, allowed] of [
    [60, limit.perMinute],
    [3600, limit.perHour],
  ] as const) {
    if (!(await limit.limiter.tryTake(`open:${actor.id}`, allowed, windowSeconds))) {
      const now = Math.floor(limit.clock.now().getTime() / 1000);
      throw new TooManyRequestsError(
        `You opened ${allowed} tickets in ${windowSeconds === 60 ? 'a minute' : 'an hour'}; try again shortly`,
        windowSeconds - (now % windowSeconds),
      );
    }
  }
}

import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '#ports/clock.ts';

export const systemClock: Clock = { now: () => new Date() };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID for a moment: 48 bits of milliseconds and 80 random bits in Crockford base32, so
 * identifiers sort by creation time and cannot be guessed from their neighbours.
 */
export function ulidAt(ms: number): string {
  let time = ms;
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32] + out;
    time = Math.floor(time / 32);
  }
  for (const byte of randomBytes(16)) out += CROCKFORD[byte % 32];
  return out;
}

export const ulids: IdGenerator = { next: () => ulidAt(Date.now()) };

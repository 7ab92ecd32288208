import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { LinkSigner } from '#ports/link-signer.ts';

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

/** Approval links signed with a local HMAC key (the local cloud keeps it under `.data/`). */
export class HmacLinkSigner implements LinkSigner {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new Error('An HMAC link key needs at least 32 bytes');
    this.#key = key;
  }

  async sign(message: string): Promise<string> {
    return createHmac('sha256', this.#key).update(message).digest('base64url');
  }

  async verify(message: string, mac: string): Promise<boolean> {
    const expected = Buffer.from(await this.sign(message));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

import type * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import { GoneError, NotFoundError } from '../shared/errors.ts';

/**
 * Approve / reject links in approval mail (DESIGN §6), whatever they approve: signed, expiring
 * and single-use. The token is `<payload>~<mac>`, the payload base64url JSON with an expiry and
 * a link id used once; each approval names the rest of its payload (a change and its step, a
 * catalog request and its step). Only a POST of the confirmation page decides, because mail
 * scanners follow GET links.
 */
export interface SignedLinkDeps {
  readonly signer: LinkSigner;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/**
 * `<payload>~<mac>`: `~` rather than `.`, because a link path ending in `.<letters>` looks like
 * a file to the portal's deep-link fallback (CloudFront and local), which would not serve the page.
 */
const TOKEN = /^[A-Za-z0-9_-]{10,2000}~[A-Za-z0-9_-]{20,200}$/;

/** Signs a payload as a link token valid for `validHours`, with a fresh link id. */
export async function signLink<P extends object>(
  deps: SignedLinkDeps,
  payload: P,
  validHours: number,
): Promise<string> {
  const full = {
    ...payload,
    expiresAt: new Date(deps.clock.now().getTime() + validHours * 3600_000).toISOString(),
    linkId: deps.ids.next(),
  };
  const encoded = Buffer.from(JSON.stringify(full)).toString('base64url');
  return `${encoded}~${await deps.signer.sign(encoded)}`;
}

/** The link's payload if its signature holds and it fits `schema`; a forged or mangled link names nothing (404), an old one is gone (410). */
export async function readSignedLink<S extends z.ZodType<{ expiresAt: string }>>(
  deps: Pick<SignedLinkDeps, 'signer' | 'clock'>,
  token: string,
  schema: S,
): Promise<z.output<S>> {
  const unknown = () => new NotFoundError('This approval link is not valid');
  if (!TOKEN.test(token)) throw unknown();
  const [encoded = '', mac = ''] = token.split('~');
  if (!(await deps.signer.verify(encoded, mac))) throw unknown();
  const parsed = schema.safeParse(
    (() => {
      try {
        return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success) throw unknown();
  if (Date.parse(parsed.data.expiresAt) <= deps.clock.now().getTime())
    throw new GoneError('This approval link has expired; decide in the portal instead');
  return parsed.data;
}

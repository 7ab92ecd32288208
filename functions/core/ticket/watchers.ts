import { normalizeEmail } from '#core/identity/actor.ts';
import { ValidationError } from '#core/shared/errors.ts';

/**
 * Who a requester may add as a watcher (watchers receive the ticket's mail): `known` allows
 * addresses in the company's domains (`KNOWN_SENDER_DOMAINS`, subdomains included; when none
 * are configured, the requester's own domain) and anyone already on the ticket; `any` allows
 * every address. Agents may always add outside people (a vendor, a contractor).
 */
export type WatcherPolicy = 'known' | 'any';

export interface WatcherSettings {
  /** @default 'known' */
  readonly watcherPolicy: WatcherPolicy;
  /** The company's mail domains, lower case. @default [] (the requester's own domain) */
  readonly knownDomains: readonly string[];
}

export const defaultWatcherSettings: WatcherSettings = { watcherPolicy: 'known', knownDomains: [] };

const domainOf = (email: string) => normalizeEmail(email).split('@').pop() ?? '';

/** Refuses, naming each field, the watchers a non-agent adds from outside the company's domains. */
export function checkNewWatchers(
  settings: WatcherSettings,
  byAgent: boolean,
  requesterEmail: string,
  before: readonly string[],
  after: readonly string[],
): void {
  if (byAgent || settings.watcherPolicy === 'any') return;
  const known = settings.knownDomains.length > 0 ? settings.knownDomains : [domainOf(requesterEmail)];
  const onTicket = new Set([...before, requesterEmail].map(normalizeEmail));
  const inKnownDomain = (email: string) => {
    const domain = domainOf(email);
    return known.some((k) => domain === k || domain.endsWith(`.${k}`));
  };
  const refused = after
    .map((email, index) => ({ email, index }))
    .filter(({ email }) => !onTicket.has(normalizeEmail(email)) && !inKnownDomain(email));
  if (refused.length > 0)
    throw new ValidationError('Watchers must belong to the company', [
      ...refused.map(({ index }) => ({
        path: `watchers[${index}]`,
        message: `is outside ${known.join(', ')}; only the service desk may add people from outside`,
      })),
    ]);
}

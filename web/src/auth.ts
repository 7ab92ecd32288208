import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { CALLBACK_PATH, callbackUrl, logoutUrl, signedOutUrl } from '../../functions/http/sign-in-urls.ts';
import type { PortalConfig } from './config.ts';

export { CALLBACK_PATH };

/** The signed-in person, from the Cognito-shaped ID token. */
export interface Session {
  /** Sent to the API as the bearer token: only the ID token carries email and groups. */
  readonly idToken: string;
  readonly name: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface Auth {
  /** Leaves for the identity provider; the person comes back to `returnTo` after signing in. */
  signIn(returnTo: string): Promise<void>;
  /** Finishes a sign-in on the callback page and tells where the person was going. */
  completeSignIn(): Promise<string>;
  currentSession(): Promise<Session | null>;
  signOut(): Promise<void>;
  /** Drops the local session only, e.g. when the API says the token is no longer accepted. */
  forget(): Promise<void>;
}

/**
 * Authorization code with PKCE through oidc-client-ts against Cognito or the local identity
 * provider. Tokens live in sessionStorage: they end with the tab and are never shared across
 * tabs or written to disk the way localStorage is.
 */
export function createAuth(config: PortalConfig): Auth {
  const origin = window.location.origin;
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: callbackUrl(origin),
    post_logout_redirect_uri: signedOutUrl(origin),
    response_type: 'code',
    scope: 'openid email profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });

  return {
    signIn: (returnTo) => manager.signinRedirect({ state: { returnTo } }),
    async completeSignIn() {
      const user = await manager.signinRedirectCallback();
      return safeReturnPath((user.state as { returnTo?: unknown } | undefined)?.returnTo);
    },
    async currentSession() {
      const user = await manager.getUser();
      return user && isUsable(user) ? toSession(user) : null;
    },
    /** Cognito's logout endpoint ends the managed-login session too; its discovery document names none. */
    async signOut() {
      await manager.removeUser();
      window.location.assign(logoutUrl(config.logoutEndpoint, config.clientId, origin));
    },
    forget: () => manager.removeUser(),
  };
}

function isUsable(user: User): boolean {
  const expiresAt = typeof user.profile.exp === 'number' ? user.profile.exp * 1000 : 0;
  return Boolean(user.id_token) && expiresAt > Date.now();
}

function toSession(user: User): Session {
  const { profile } = user;
  const groups = profile['cognito:groups'];
  return {
    idToken: user.id_token ?? '',
    name: typeof profile.name === 'string' ? profile.name : (profile.email ?? ''),
    email: profile.email ?? '',
    groups: Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [],
  };
}

/** Only paths on this origin: a crafted state must not send people elsewhere. */
function safeReturnPath(path: unknown): string {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\')
    ? path
    : '/';
}

/**
 * The portal's sign-in and sign-out addresses, in one place for the three parties that must
 * agree on them: the Cognito app client (`infra/auth.ts` registers them as CallbackURLs and
 * LogoutURLs), the portal (`web/src/auth.ts` sends them as `redirect_uri` and `logout_uri`) and
 * the local identity provider (which registers what the synthesized app client registers).
 * Cognito compares them character for character: any difference is `redirect_mismatch`.
 */

/** Where the identity provider returns with the authorization code. */
export const CALLBACK_PATH = '/auth/callback';

/** Where the identity provider's logout endpoint sends people back to: the portal's welcome page. */
export const SIGNED_OUT_PATH = '/';

/** The callback URL for a portal origin such as `https://support.example.com`. */
export function callbackUrl(portalOrigin: string): string {
  return `${portalOrigin}${CALLBACK_PATH}`;
}

/** The sign-out (logout) URL for a portal origin. */
export function signedOutUrl(portalOrigin: string): string {
  return `${portalOrigin}${SIGNED_OUT_PATH}`;
}

/**
 * Cognito's logout endpoint (`https://<login domain>/logout?client_id=…&logout_uri=…`): it ends
 * the managed-login session and redirects to `logout_uri`, which must be one of the app client's
 * LogoutURLs. The local identity provider serves the same endpoint, so the portal has one code path.
 */
export function logoutUrl(logoutEndpoint: string, clientId: string, portalOrigin: string): string {
  const url = new URL(logoutEndpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    logout_uri: signedOutUrl(portalOrigin),
  }).toString();
  return url.href;
}

import { createHash, randomBytes } from 'node:crypto';
import { DEMO_PASSWORD } from '#local/demo-users.ts';

/** A browser stand-in for the sign-in redirects: follows nothing by itself and keeps cookies by name. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const separator = pair.indexOf('=');
      this.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    return response;
  }
}

export function redirectTarget(response: Response, base: string): URL {
  const header = response.headers.get('location');
  if (!header) throw new Error(`Expected a redirect, got ${response.status}: ${response.statusText}`);
  return new URL(header, base);
}

export interface SignInOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly username: string;
  readonly password?: string;
}

/**
 * Signs a person in through the local identity provider's sign-in page with authorization
 * code + PKCE, exactly as the portal does, and returns the token response.
 */
export async function signIn(options: SignInOptions) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL('/auth', options.issuer);
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const signInUrl = redirectTarget(await jar.request(authorize.href), options.issuer);
  await jar.request(signInUrl.href);
  const submitted = await jar.request(signInUrl.href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      username: options.username,
      password: options.password ?? DEMO_PASSWORD,
    }).toString(),
  });
  const callback = redirectTarget(
    await jar.request(redirectTarget(submitted, options.issuer).href),
    options.issuer,
  );
  const token = await fetch(new URL('/token', options.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: options.redirectUri,
      client_id: options.clientId,
      code_verifier: verifier,
    }).toString(),
  });
  return { callback, token, body: (await token.json()) as { id_token?: string; error?: string } };
}

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrl, logoutUrl, signedOutUrl } from '#http/sign-in-urls.ts';
import { DEMO_PASSWORD, demoUsers } from '#local/demo-users.ts';
import { type IdentityProvider, startIdentityProvider } from '#local/identity-provider.ts';
import { CookieJar, redirectTarget } from '../support/sign-in.ts';

const clientId = 'spoke-portal-test';
const portalOrigin = 'http://127.0.0.1:5990';
const redirectUri = callbackUrl(portalOrigin);

let dataDir: string;
let keysFile: string;
let idp: IdentityProvider;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-idp-'));
  keysFile = join(dataDir, 'identity', 'signing-keys.json');
  idp = await start(0);
});

afterAll(async () => {
  await idp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function start(port: number): Promise<IdentityProvider> {
  return startIdentityProvider({
    port,
    clientId,
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [signedOutUrl(portalOrigin)],
    users: demoUsers,
    keysFile,
  });
}

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(issuer: string, params: Record<string, string>): string {
  const url = new URL('/auth', issuer);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'state-1',
    nonce: 'nonce-1',
    ...params,
  }).toString();
  return url.href;
}

async function openSignInPage(browser: CookieJar, issuer: string, challenge: string) {
  const authorization = await browser.request(
    authorizationUrl(issuer, { code_challenge: challenge, code_challenge_method: 'S256' }),
  );
  const signInUrl = redirectTarget(authorization, issuer);
  const page = await browser.request(signInUrl.href);
  return { signInUrl, page };
}

function submitCredentials(browser: CookieJar, signInUrl: URL, username: string, password: string) {
  return browser.request(signInUrl.href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
}

/** Signs a demo user in through the sign-in page and redeems the code with the PKCE verifier. */
async function signIn(issuer: string, username: string, browser = new CookieJar()) {
  const { verifier, challenge } = pkcePair();
  const { signInUrl } = await openSignInPage(browser, issuer, challenge);
  const resume = await browser.request(
    redirectTarget(await submitCredentials(browser, signInUrl, username, DEMO_PASSWORD), issuer).href,
  );
  const callback = redirectTarget(resume, issuer);
  const code = callback.searchParams.get('code') ?? '';
  const token = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    }).toString(),
  });
  return { callback, token, body: (await token.json()) as { id_token?: string; error?: string } };
}

async function verifierFor(provider: IdentityProvider) {
  const verifier = JwtVerifier.create({
    issuer: provider.issuer,
    audience: clientId,
    jwksUri: provider.jwksUri,
  });
  verifier.cacheJwks((await (await fetch(provider.jwksUri)).json()) as Jwks);
  return verifier;
}

describe('local identity provider', () => {
  it('publishes a discovery document for authorization code with PKCE S256 and a public client', async () => {
    const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();

    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: idp.jwksUri,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    // As Cognito's: no end_session_endpoint, so the portal must sign out through /logout.
    expect(discovery).not.toHaveProperty('end_session_endpoint');
  });

  it('issues an ID token with Cognito-shaped claims that aws-jwt-verify accepts', async () => {
    const { callback, token, body } = await signIn(idp.issuer, 'agent');

    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(token.status).toBe(200);
    const claims = await (await verifierFor(idp)).verify(body.id_token ?? '');
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: clientId,
      sub: '7b0c1e9a-0000-4000-8000-000000000002',
      email: 'alex.agent@example.com',
      email_verified: true,
      name: 'Alex Agent',
      'cognito:username': 'agent',
      'cognito:groups': ['agents'],
      token_use: 'id',
      nonce: 'nonce-1',
    });
  });

  it('leaves cognito:groups out of an employee ID token, as Cognito does for users in no group', async () => {
    const { body } = await signIn(idp.issuer, 'employee');

    const claims = await (await verifierFor(idp)).verify(body.id_token ?? '');
    expect(claims.email).toBe('emma.employee@example.com');
    expect(claims).not.toHaveProperty('cognito:groups');
  });

  it('shows an accessible sign-in form listing the demo users', async () => {
    const { page } = await openSignInPage(new CookieJar(), idp.issuer, pkcePair().challenge);
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toContain('<label for="password">Password</label>');
    for (const user of demoUsers) expect(html).toContain(`<code>${user.username}</code>`);
  });

  it('rejects a wrong password with a message and no redirect', async () => {
    const browser = new CookieJar();
    const { signInUrl } = await openSignInPage(browser, idp.issuer, pkcePair().challenge);

    const response = await submitCredentials(browser, signInUrl, 'employee', 'not-the-password');

    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('role="alert"');
  });

  it('refuses an authorization request without a PKCE challenge', async () => {
    const response = await fetch(authorizationUrl(idp.issuer, {}), { redirect: 'manual' });

    const callback = redirectTarget(response, idp.issuer);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
  });

  it('signs out through Cognito’s logout endpoint: the session ends and the browser returns to logout_uri', async () => {
    const browser = new CookieJar();
    await signIn(idp.issuer, 'agent', browser);
    const again = () =>
      browser.request(
        authorizationUrl(idp.issuer, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }),
      );
    const whileSignedIn = redirectTarget(await again(), idp.issuer);
    expect(whileSignedIn.origin + whileSignedIn.pathname).toBe(redirectUri);

    const logout = await browser.request(logoutUrl(idp.logoutEndpoint, clientId, portalOrigin));

    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe(signedOutUrl(portalOrigin));
    const afterLogout = redirectTarget(await again(), idp.issuer);
    expect(afterLogout.pathname).toMatch(/^\/interaction\//);
  });

  it('refuses a logout_uri the client did not register, and another client id, without redirecting', async () => {
    const unregistered = await fetch(logoutUrl(idp.logoutEndpoint, clientId, 'https://evil.example'), {
      redirect: 'manual',
    });
    const otherClient = await fetch(logoutUrl(idp.logoutEndpoint, 'someone-else', portalOrigin), {
      redirect: 'manual',
    });

    expect(unregistered.status).toBe(400);
    expect(unregistered.headers.get('location')).toBeNull();
    expect(await unregistered.text()).toContain('is not a sign-out URL of this client');
    expect(otherClient.status).toBe(400);
    expect(otherClient.headers.get('location')).toBeNull();
  });

  it('keeps its signing key across restarts, so earlier tokens stay valid', async () => {
    const port = Number(new URL(idp.issuer).port);
    const { body } = await signIn(idp.issuer, 'employee');
    const keysBefore = await (await fetch(idp.jwksUri)).json();

    await idp.close();
    idp = await start(port);

    expect(await (await fetch(idp.jwksUri)).json()).toEqual(keysBefore);
    await expect((await verifierFor(idp)).verify(body.id_token ?? '')).resolves.toMatchObject({
      token_use: 'id',
    });
  });
});

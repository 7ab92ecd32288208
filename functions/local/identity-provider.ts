import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, {
  type Adapter,
  type AdapterPayload,
  type Configuration,
  type Interaction,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { DEMO_PASSWORD, type DemoUser } from './demo-users.ts';

export interface IdentityProviderOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /**
   * Loopback address to listen on. Anything else is refused: this provider knows every
   * password and must never be reachable from another machine.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** The portal's app client id; ID tokens carry it as `aud`, as Cognito's do. */
  readonly clientId: string;
  /** Exact redirect URIs of the portal (Cognito "allowed callback URLs"). */
  readonly redirectUris: readonly string[];
  /** Exact URIs the portal may return to after sign-out (Cognito "allowed sign-out URLs"). */
  readonly postLogoutRedirectUris: readonly string[];
  /** The people who can sign in, all with {@link DEMO_PASSWORD}. */
  readonly users: readonly DemoUser[];
  /**
   * JSON file holding the private signing key set. Created when missing; reusing it keeps
   * tokens issued before a restart valid. Without it a fresh key is made on every start.
   */
  readonly keysFile?: string;
}

export interface IdentityProvider {
  /** Issuer identifier, the `iss` of every token; the API verifies tokens against it. */
  readonly issuer: string;
  /** Where the public signing keys are published. */
  readonly jwksUri: string;
  /** Cognito's logout endpoint, served here too, so the portal signs out the same way in both. */
  readonly logoutEndpoint: string;
  readonly clientId: string;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const STYLESHEET_PATH = '/sign-in.css';
const INTERACTION_PATH = /^\/interaction\/([\w-]+)$/;
/** Cognito's logout endpoint: `GET /logout?client_id=…&logout_uri=…`. */
export const LOGOUT_PATH = '/logout';
const MAX_FORM_BYTES = 16 * 1024;
const ONE_HOUR = 60 * 60;

/**
 * Starts the local stand-in for Cognito managed login: a certified OpenID Connect provider
 * (oidc-provider) offering only what Spoke uses in AWS — authorization code with PKCE for one
 * public client, and RS256 ID tokens with Cognito's claim names — so the portal and the API
 * run the same sign-in and token checks locally as against a real user pool.
 */
export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const {
    port,
    host = '127.0.0.1',
    clientId,
    redirectUris,
    postLogoutRedirectUris,
    users,
    keysFile,
  } = options;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`The local identity provider listens on loopback only, not on ${host}`);
  }
  const jwks = await loadSigningKeys(keysFile);
  const server = createServer();
  await listen(server, port, host);
  const { port: actualPort } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const portalOrigins = [
    ...new Set([...redirectUris, ...postLogoutRedirectUris].map((uri) => new URL(uri).origin)),
  ];
  const pageHeaders = signInPageHeaders(portalOrigins);

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_name: 'Spoke portal',
        application_type: 'web',
        redirect_uris: [...redirectUris],
        post_logout_redirect_uris: [...postLogoutRedirectUris],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks,
    adapter: createMemoryAdapter(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub', 'cognito:username', 'cognito:groups', 'token_use'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    clientAuthMethods: ['none'],
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: ONE_HOUR,
      IdToken: ONE_HOUR,
      Interaction: ONE_HOUR,
      Session: 8 * ONE_HOUR,
      Grant: 8 * ONE_HOUR,
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      // Cognito publishes no end_session_endpoint; sign-out is its /logout endpoint, served below.
      rpInitiatedLogout: { enabled: false },
    },
    findAccount: (_ctx, sub) => {
      const user = users.find((candidate) => candidate.sub === sub);
      return user && { accountId: user.sub, claims: (use) => cognitoClaims(user, use) };
    },
    loadExistingGrant: grantFirstPartyConsent,
    clientBasedCORS: (_ctx, origin) => portalOrigins.includes(origin),
    renderError: (ctx, out) =>
      renderInto(
        ctx,
        Math.max(ctx.status, 400),
        pageHeaders,
        messagePage('Sign-in problem', out.error_description ?? out.error),
      ),
  } satisfies Configuration);

  const handleProtocol = provider.callback();

  /**
   * Cognito's logout endpoint: ends the sign-in session without asking and redirects to
   * `logout_uri`, which must be one of the client's sign-out URLs character for character.
   */
  async function handleLogout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = new URL(req.url ?? '/', issuer).searchParams;
    const logoutUri = params.get('logout_uri') ?? '';
    if (req.method !== 'GET') {
      return send(
        res,
        405,
        { ...pageHeaders, allow: 'GET' },
        messagePage('Sign-out problem', 'Method not allowed.'),
      );
    }
    if (params.get('client_id') !== clientId) {
      return send(
        res,
        400,
        pageHeaders,
        messagePage('Sign-out problem', 'client_id is not this app client.'),
      );
    }
    if (!postLogoutRedirectUris.includes(logoutUri)) {
      return send(
        res,
        400,
        pageHeaders,
        messagePage(
          'Sign-out problem',
          `logout_uri ${logoutUri || '(none)'} is not a sign-out URL of this client.`,
        ),
      );
    }
    const session = await provider.Session.get(provider.createContext(req, res));
    if (!session.new) await session.destroy();
    res.writeHead(302, { location: logoutUri, 'cache-control': 'no-store' }).end();
  }

  async function handleSignIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      return send(
        res,
        400,
        pageHeaders,
        messagePage('Sign-in expired', 'This sign-in page has expired. Go back to Spoke and sign in again.'),
      );
    }
    if (interaction.prompt.name !== 'login') {
      return send(
        res,
        400,
        pageHeaders,
        messagePage('Sign-in problem', `Unsupported sign-in step: ${interaction.prompt.name}.`),
      );
    }
    if (req.method === 'GET') {
      return send(res, 200, pageHeaders, signInPage({ uid: interaction.uid, users }));
    }
    if (req.method !== 'POST') {
      return send(
        res,
        405,
        { ...pageHeaders, allow: 'GET, POST' },
        messagePage('Sign-in problem', 'Method not allowed.'),
      );
    }
    const form = await readForm(req);
    const username = (form.get('username') ?? '').trim().toLowerCase();
    const user = users.find((candidate) => candidate.username === username);
    if (!user || !passwordMatches(form.get('password') ?? '')) {
      return send(res, 401, pageHeaders, signInPage({ uid: interaction.uid, users, username, failed: true }));
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false },
    );
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', issuer);
    if (pathname === STYLESHEET_PATH) {
      send(
        res,
        200,
        { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' },
        STYLESHEET,
      );
    } else if (pathname === LOGOUT_PATH) {
      handleLogout(req, res).catch(() => {
        if (!res.headersSent)
          send(res, 500, pageHeaders, messagePage('Sign-out problem', 'Something went wrong.'));
        else res.destroy();
      });
    } else if (INTERACTION_PATH.test(pathname)) {
      handleSignIn(req, res).catch(() => {
        if (!res.headersSent)
          send(res, 500, pageHeaders, messagePage('Sign-in problem', 'Something went wrong.'));
        else res.destroy();
      });
    } else {
      handleProtocol(req, res);
    }
  });

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    logoutEndpoint: `${issuer}${LOGOUT_PATH}`,
    clientId,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The ID token claims of a Cognito user pool, from a demo user. Cognito omits `cognito:groups` for users in no group. */
function cognitoClaims(user: DemoUser, use: 'id_token' | 'userinfo'): Record<string, unknown> {
  return {
    sub: user.sub,
    email: user.email,
    email_verified: true,
    name: user.name,
    'cognito:username': user.username,
    ...(user.groups.length > 0 && { 'cognito:groups': [...user.groups] }),
    ...(use === 'id_token' && { token_use: 'id' }),
  };
}

/** The portal is Spoke's own app client, so, as in Cognito, signing in is consent. */
async function grantFirstPartyConsent(ctx: KoaContextWithOIDC) {
  const { account, client, session, result, params, provider } = ctx.oidc;
  if (!account || !client) return undefined;
  const grantId = result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  const grant =
    existing?.accountId === account.accountId
      ? existing
      : new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
  grant.addOIDCScope(String(params?.scope ?? 'openid'));
  await grant.save();
  return grant;
}

async function loadSigningKeys(keysFile: string | undefined): Promise<{ keys: JWK[] }> {
  if (keysFile) {
    try {
      return JSON.parse(await readFile(keysFile, 'utf8')) as { keys: JWK[] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const jwks = { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }] };
  if (keysFile) {
    await mkdir(dirname(keysFile), { recursive: true });
    await writeFile(keysFile, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  }
  return jwks;
}

/**
 * Sessions, interactions and codes are kept in memory: a restart signs people out of the
 * identity provider, while ID tokens already issued stay valid through the persisted key.
 */
function createMemoryAdapter(): (model: string) => Adapter {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  };
  return (model) => {
    const keyOf = (id: string) => `${model}:${id}`;
    const findBy = async (field: 'uid' | 'userCode', value: string) => {
      for (const key of entries.keys()) {
        const payload = key.startsWith(`${model}:`) ? live(key) : undefined;
        if (payload?.[field] === value) return payload;
      }
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn) {
        for (const key of entries.keys()) live(key);
        entries.set(keyOf(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      find: async (id) => live(keyOf(id)),
      findByUid: (uid) => findBy('uid', uid),
      findByUserCode: (userCode) => findBy('userCode', userCode),
      async consume(id) {
        const payload = live(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const [key, { payload }] of entries) if (payload.grantId === grantId) entries.delete(key);
      },
    };
  };
}

function passwordMatches(candidate: string): boolean {
  const given = Buffer.from(candidate);
  const expected = Buffer.from(DEMO_PASSWORD);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_FORM_BYTES) throw new Error('Sign-in form too large');
  }
  return new URLSearchParams(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The sign-in pages run no script and may only post back here or return to the portal. */
function signInPageHeaders(portalOrigins: readonly string[]): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'self'",
      `form-action 'self' ${portalOrigins.join(' ')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers).end(body);
}

function renderInto(
  ctx: KoaContextWithOIDC,
  status: number,
  headers: Record<string, string>,
  html: string,
): void {
  for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  ctx.status = status;
  ctx.body = html;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Spoke</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main class="card">
${content}
</main>
</body>
</html>`;
}

function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

function signInPage(page: {
  uid: string;
  users: readonly DemoUser[];
  username?: string;
  failed?: boolean;
}): string {
  const invalid = page.failed ? ' aria-invalid="true" aria-describedby="sign-in-error"' : '';
  const error = page.failed
    ? '<p class="error" id="sign-in-error" role="alert">That username and password do not match. Try again.</p>'
    : '';
  const demoUsers = page.users
    .map((user) => {
      const groups = user.groups.length > 0 ? user.groups.join(', ') : 'employee';
      return `<li><code>${escapeHtml(user.username)}</code> ${escapeHtml(user.name)} <span class="muted">(${escapeHtml(groups)})</span></li>`;
    })
    .join('\n');
  return layout(
    'Sign in',
    `<p class="brand">Spoke</p>
<h1>Sign in</h1>
${error}
<form method="post" action="/interaction/${escapeHtml(page.uid)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required${page.failed ? '' : ' autofocus'} value="${escapeHtml(page.username ?? '')}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${page.failed ? ' autofocus' : ''}${invalid}>
<button type="submit">Sign in</button>
</form>
<section class="demo" aria-labelledby="demo-users">
<h2 id="demo-users">Demo users (local mode)</h2>
<p>Every demo user's password is <code>${escapeHtml(DEMO_PASSWORD)}</code>.</p>
<ul>
${demoUsers}
</ul>
</section>`,
  );
}

const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;padding:1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b2330;background:#eef1f5}
.card{width:100%;max-width:24rem;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgb(0 0 0/.12)}
.brand{margin:0;font-weight:700;color:#0b5cad;letter-spacing:.02em}
h1{margin:.25rem 0 1.25rem;font-size:1.5rem}
h2{font-size:1rem;margin:0 0 .25rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{display:block;width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #6b7380;border-radius:6px}
input[aria-invalid=true]{border-color:#b3261e}
input:focus,button:focus{outline:3px solid #0b5cad;outline-offset:2px}
button{display:block;width:100%;margin-top:1.25rem;font:inherit;font-weight:600;padding:.65rem;border:0;border-radius:6px;background:#0b5cad;color:#fff;cursor:pointer}
button:hover{background:#094a8c}
.error{margin:0 0 1rem;padding:.6rem .75rem;border-radius:6px;background:#fdecea;color:#8c1d18;border:1px solid #b3261e}
.demo{margin-top:1.75rem;padding-top:1rem;border-top:1px solid #d5dae1;font-size:.9rem}
.demo p{margin:0 0 .5rem}
.demo ul{margin:0;padding-left:1.1rem}
.muted{color:#4d5561}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef1f5;padding:0 .25rem;border-radius:4px}
`;

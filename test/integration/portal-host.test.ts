import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalSecurityHeaders } from '#infra/portal-security-headers.ts';
import { type PortalConfig, type PortalHost, startPortalHost } from '#local/portal-host.ts';

const identityOrigin = 'http://127.0.0.1:5991';
const portalConfig: PortalConfig = {
  authority: identityOrigin,
  clientId: 'spoke-portal-test',
  logoutEndpoint: `${identityOrigin}/logout`,
  apiBase: '/api',
  outboxUrl: 'http://127.0.0.1:5992/',
};
const INDEX_HTML = '<!doctype html><title>Spoke</title><div id="root"></div>';
const ASSET_JS = 'console.log("portal");';
const SECRET = 'outside-the-build';

let root: string;
let api: Server;
let portal: PortalHost;
let portalWithoutApi: PortalHost;
let portalWithoutBuild: PortalHost;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spoke-portal-'));
  const distDir = join(root, 'dist');
  await mkdir(join(distDir, 'assets'), { recursive: true });
  await writeFile(join(distDir, 'index.html'), INDEX_HTML);
  await writeFile(join(distDir, 'assets', 'index-3f9a1c2b.js'), ASSET_JS);
  await writeFile(join(root, 'secret.txt'), SECRET);

  api = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    res.writeHead(req.url?.startsWith('/api/tickets') && req.method === 'POST' ? 201 : 200, {
      'content-type': 'application/json',
      'x-upstream': 'yes',
    });
    res.end(
      JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization, body }),
    );
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  const closedPort = await freePort();
  portal = await startPortalHost({ port: 0, distDir, apiOrigin, identityOrigin, portalConfig });
  portalWithoutApi = await startPortalHost({
    port: 0,
    distDir,
    apiOrigin: `http://127.0.0.1:${closedPort}`,
    identityOrigin,
    portalConfig,
  });
  portalWithoutBuild = await startPortalHost({
    port: 0,
    distDir: join(root, 'not-built'),
    apiOrigin,
    identityOrigin,
    portalConfig,
  });
});

afterAll(async () => {
  await Promise.all([portal?.close(), portalWithoutApi?.close(), portalWithoutBuild?.close()]);
  await new Promise((resolve) => api?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** fetch normalises `..` away; this sends the path exactly as an attacker would. */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path }, async (res) => {
      let body = '';
      for await (const chunk of res) body += chunk;
      resolve({ status: res.statusCode ?? 0, body });
    })
      .on('error', reject)
      .end();
  });
}

describe('local portal host', () => {
  it('sends the CloudFront security headers on pages, assets, config, API answers and errors', async () => {
    const expected = portalSecurityHeaders({ identityOrigin });

    for (const path of ['/', '/assets/index-3f9a1c2b.js', '/config.json', '/api/health', '/missing.png']) {
      const response = await fetch(`${portal.url}${path}`);
      for (const [name, value] of Object.entries(expected)) {
        expect(response.headers.get(name), `${name} on ${path}`).toBe(value);
      }
    }
  });

  it('serves index.html for deep links, so the portal router can show them', async () => {
    const response = await fetch(`${portal.url}/tickets/01JD3S9K2M`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(INDEX_HTML);
  });

  it('answers 404 for a missing file rather than the portal page', async () => {
    const response = await fetch(`${portal.url}/assets/gone-00000000.js`);

    expect(response.status).toBe(404);
  });

  it('serves hashed assets with their content type and a year-long immutable cache', async () => {
    const response = await fetch(`${portal.url}/assets/index-3f9a1c2b.js`);

    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(ASSET_JS);
  });

  it('serves the runtime configuration at /config.json', async () => {
    const response = await fetch(`${portal.url}/config.json`);

    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(portalConfig);
  });

  it('forwards /api requests with method, path, headers and body, and passes the status back', async () => {
    const response = await fetch(`${portal.url}/api/tickets?view=mine`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json' },
      body: JSON.stringify({ shortDescription: 'Printer jam' }),
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.json()).toEqual({
      method: 'POST',
      url: '/api/tickets?view=mine',
      authorization: 'Bearer token-1',
      body: JSON.stringify({ shortDescription: 'Printer jam' }),
    });
  });

  it('refuses paths that climb out of the build', async () => {
    for (const path of [
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/../secret.txt',
    ]) {
      const response = await rawGet(portal.url, path);

      expect(response.body, path).not.toContain(SECRET);
      expect(response.status, path).toBe(404);
    }
  });

  it('answers 502 with a JSON error when the API is down', async () => {
    const response = await fetch(`${portalWithoutApi.url}/api/health`);

    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_gateway' } });
  });

  it('explains how to build the portal when the build is missing', async () => {
    const response = await fetch(`${portalWithoutBuild.url}/`);

    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:web');
  });
});

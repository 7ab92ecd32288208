import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { portalSecurityHeaders } from '#infra/portal-security-headers.ts';
import type { PortalConfig } from '../../web/src/config.ts';

/** What the portal reads from `/config.json` at boot: the portal's own type (`web/src/config.ts`). */
export type { PortalConfig };

export interface PortalHostOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The portal build (web/dist). */
  readonly distDir: string;
  /** Origin that `/api/*` is forwarded to, path unchanged, as CloudFront's API behaviour does. */
  readonly apiOrigin: string;
  /** Origin of the identity provider, allowed by the Content-Security-Policy. */
  readonly identityOrigin: string;
  /** Origin of the attachments bucket (s3rver), which the portal uploads to. */
  readonly transferOrigin?: string;
  readonly portalConfig: PortalConfig;
}

export interface PortalHost {
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts every content-hashed file under assets/; those never change, so caches may keep them. */
const HASHED_ASSETS = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * Starts the local stand-in for CloudFront: serves the portal build with the same security
 * headers as the deployed response headers policy, falls back to index.html for deep links,
 * serves `/config.json`, and forwards `/api/*` to the API, so the portal sees one origin
 * locally exactly as it does in AWS.
 */
export async function startPortalHost(options: PortalHostOptions): Promise<PortalHost> {
  const { port, host = '127.0.0.1', apiOrigin, identityOrigin, transferOrigin, portalConfig } = options;
  const distDir = resolve(options.distDir);
  const securityHeaders = portalSecurityHeaders({
    identityOrigin,
    ...(transferOrigin ? { transferOrigin } : {}),
  });
  const configBody = JSON.stringify(portalConfig);

  function respond(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body?: string,
  ): void {
    res.writeHead(status, { ...headers, ...securityHeaders }).end(body);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return respond(
        res,
        405,
        { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
        'Method not allowed',
      );
    }
    const indexFile = join(distDir, 'index.html');
    if (!(await isFile(indexFile))) {
      return respond(
        res,
        503,
        { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        NOT_BUILT_PAGE,
      );
    }
    const file = fileInDist(distDir, pathname);
    if (file === undefined) return notFound(res);
    if (await isFile(file))
      return sendFile(req, res, file, pathname.startsWith(HASHED_ASSETS) ? IMMUTABLE : REVALIDATE);
    if (extname(pathname) !== '') return notFound(res);
    return sendFile(req, res, indexFile, REVALIDATE);
  }

  async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string) {
    const { size, mtime } = await stat(file);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(size),
      'last-modified': mtime.toUTCString(),
      'cache-control': cacheControl,
      ...securityHeaders,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  function notFound(res: ServerResponse): void {
    respond(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found');
  }

  function proxyToApi(req: IncomingMessage, res: ServerResponse): void {
    const target = new URL(req.url ?? '/', apiOrigin);
    const upstream = httpRequest(
      target,
      {
        method: req.method,
        headers: { ...withoutHopByHop(req.headers), 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...withoutHopByHop(answer.headers), ...securityHeaders });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      respond(
        res,
        502,
        { 'content-type': 'application/json; charset=utf-8' },
        JSON.stringify({
          error: { code: 'bad_gateway', message: `The API at ${apiOrigin} is not reachable.` },
        }),
      );
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const rawPath = req.url ?? '/';
    if (rawPath === '/api' || rawPath.startsWith('/api/') || rawPath.startsWith('/api?')) {
      return proxyToApi(req, res);
    }
    const { pathname } = new URL(rawPath, 'http://portal.invalid');
    if (pathname === '/config.json') {
      return respond(
        res,
        200,
        { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        configBody,
      );
    }
    serveStatic(req, res, pathname).catch(() => {
      if (res.headersSent) res.destroy();
      else respond(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'Internal error');
    });
  });

  await listen(server, port, host);
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((error) => (error ? reject(error) : resolveClose()));
        server.closeAllConnections();
      }),
  };
}

/** The file a URL path names inside the build, or undefined when it would leave the build. */
function fileInDist(distDir: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = resolve(distDir, `.${decoded}`);
  return file === distDir || file.startsWith(distDir + sep) ? file : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Portal not built · Spoke</title></head>
<body>
<main>
<h1>The portal is not built yet</h1>
<p>Run <code>npm run build:web</code>, then reload this page.</p>
</main>
</body>
</html>
`;

import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
const builtIndex = join(webDir, 'dist', 'index.html');
/** The portal's sources, and the core rules it shares with the server (the change lifecycle). */
const buildInputs = [
  ...['index.html', 'vite.config.ts', 'src', 'public'].map((name) => join(webDir, name)),
  join(webDir, '..', 'functions', 'core', 'change', 'lifecycle.ts'),
];

/**
 * Builds the portal into web/dist unless the build is newer than every portal source file,
 * so `npm start` and the browser tests work on a fresh clone and never serve a stale portal.
 * @returns whether a build ran
 */
export async function ensurePortalBuilt(): Promise<boolean> {
  if (await isBuildFresh()) return false;
  const { build } = await import('vite');
  // Vite keeps a NODE_ENV it finds, and vitest sets `test`: React would be built for development
  // (about 60 KB more gzipped). The portal is always built as it ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return true;
}

async function isBuildFresh(): Promise<boolean> {
  const built = await stat(builtIndex).catch(() => undefined);
  if (!built) return false;
  const newestInput = Math.max(...(await Promise.all(buildInputs.map(newestModification))));
  return built.mtimeMs >= newestInput;
}

async function newestModification(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true });
  const times = await Promise.all(entries.map(async (entry) => (await stat(join(path, entry))).mtimeMs));
  return Math.max(info.mtimeMs, ...times);
}

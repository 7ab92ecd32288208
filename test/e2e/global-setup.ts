import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';

/** Debian's Chromium: the one browser CI installs (`apt-get install -y chromium`); never a downloaded build. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

const webDir = join(import.meta.dirname, '..', '..', 'web');
const builtIndex = join(webDir, 'dist', 'index.html');
const buildInputs = ['index.html', 'vite.config.ts', 'src', 'public'].map((name) => join(webDir, name));

/**
 * Fails the e2e run at once, with the fix, when Chromium is missing, and builds the portal
 * once unless web/dist is newer than every portal source file.
 */
export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `e2e tests need Debian's Chromium at ${CHROMIUM_PATH}: install it with apt-get install -y chromium`,
    );
  }
  if (!(await isBuildFresh())) {
    await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  }
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

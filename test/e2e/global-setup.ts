import { existsSync } from 'node:fs';
import { ensurePortalBuilt } from '#local/portal-build.ts';

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
  await ensurePortalBuilt();
}

import { ensurePortalBuilt } from '#local/portal-build.ts';
import { resolveBrowser } from '../support/browser.ts';

/**
 * Finds (or unpacks, once) the Chromium the e2e tests drive — Debian's when present, else the
 * npm one; `SPOKE_BROWSER=npm` forces it — and builds the portal once unless web/dist is newer
 * than every portal source file. A browser that cannot be had fails the run here, with the reason.
 */
export default async function setup(): Promise<void> {
  const browser = await resolveBrowser();
  console.log(
    `e2e: ${browser.kind === 'npm' ? '@sparticuz/chromium' : "Debian's Chromium"} at ${browser.executablePath}`,
  );
  await ensurePortalBuilt();
}

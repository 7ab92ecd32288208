import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { callbackUrl } from '#http/sign-in-urls.ts';
import { LOCAL_CLIENT_ID, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { DEMO_PASSWORD } from '#local/demo-users.ts';
import { launchBrowser } from '../support/browser.ts';
import { signIn } from '../support/sign-in.ts';

/** The e2e tests' browser (Debian's Chromium or the npm one; see test/support/browser.ts). */
export { launchBrowser };

export const artifactsDir = join(import.meta.dirname, '..', '..', 'artifacts', 'e2e');
const axeSource = readFile(
  join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js'),
  'utf8',
);

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe through the DevTools protocol rather than a script tag: the portal's CSP (script-src
 * 'self') would block an injected inline script, and the tests keep that CSP switched on.
 */
export async function seriousAccessibilityViolations(target: Page): Promise<string[]> {
  await target.evaluate(await axeSource);
  const violations = await target.evaluate<AxeViolation[]>('axe.run().then((result) => result.violations)');
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
    );
}

export interface Person {
  readonly page: Page;
  /** Content-Security-Policy reports seen in this person's tab. */
  readonly cspViolations: string[];
}

/** A tab of its own (sessionStorage is per tab), signed in through the identity provider's page. */
export async function signedIn(
  browser: Browser,
  portalUrl: string,
  username: string,
  options: { timezoneId?: string } = {},
): Promise<Person> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: options.timezoneId ?? 'Europe/Berlin',
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  await page.goto(portalUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /How can we help/ }).waitFor();
  return { page, cspViolations };
}

/** An ID token for calls the test makes itself, through the same code + PKCE flow. */
export async function idToken(cloud: { urls: { identity: string; portal: string } }, username: string) {
  const { body } = await signIn({
    issuer: cloud.urls.identity,
    clientId: LOCAL_CLIENT_ID,
    redirectUri: callbackUrl(cloud.urls.portal),
    username,
  });
  if (!body.id_token) throw new Error(`No ID token for ${username}: ${body.error}`);
  return body.id_token;
}

/** A full-page screenshot to `artifacts/e2e/<file>.png`, then no serious or critical axe finding. */
export async function checkPage(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: join(artifactsDir, `${file}.png`), fullPage: true });
  const violations = await seriousAccessibilityViolations(page);
  expect(violations, `accessibility of ${file}: ${violations.join('; ')}`).toEqual([]);
}

/** The page laid out 360 px wide without horizontal scrolling, screenshotted as `<file>-360px.png`. */
export async function fitsIn360px(page: Page, file: string): Promise<void> {
  await page.setViewportSize({ width: 360, height: 740 });
  expect(
    await page.evaluate<number>('document.documentElement.scrollWidth'),
    `${file} at 360 px`,
  ).toBeLessThanOrEqual(360);
  await page.screenshot({ path: join(artifactsDir, `${file}-360px.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A seeded local cloud on free ports, a browser, and one signed-in tab per demo user. */
export interface PortalRun {
  readonly cloud: LocalCloud;
  readonly browser: Browser;
  /** The signed-in tabs, in the order the usernames were given. */
  readonly people: readonly Person[];
  stop(): Promise<void>;
}

/** Starts what an e2e file needs (its data in a temporary folder named after `name`). */
export async function startPortalRun(name: string, usernames: readonly string[]): Promise<PortalRun> {
  const dataDir = await mkdtemp(join(tmpdir(), `spoke-${name}-e2e-`));
  await mkdir(artifactsDir, { recursive: true });
  const cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
  });
  const browser = await launchBrowser();
  const people = await Promise.all(
    usernames.map((username) => signedIn(browser, cloud.urls.portal, username)),
  );
  return {
    cloud,
    browser,
    people,
    async stop() {
      await browser.close();
      await cloud.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '#local/cloud.ts';
import { DEMO_PASSWORD } from '#local/demo-users.ts';
import { launchBrowser } from './portal-support.ts';

const artifactsDir = join(import.meta.dirname, '..', '..', 'artifacts', 'e2e');
const axeSource = readFile(
  join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js'),
  'utf8',
);
const viewerTimeZone = 'Pacific/Auckland';

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

let dataDir: string;
let cloud: Awaited<ReturnType<typeof startLocalCloud>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const cspViolations: string[] = [];
const apiTokens: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: false,
    quiet: true,
  });
  browser = await launchBrowser();
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: viewerTimeZone,
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  page.on('request', (request) => {
    const authorization = request.headers().authorization;
    if (request.url().startsWith(`${cloud.urls.portal}/api/`) && authorization) apiTokens.push(authorization);
  });
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/**
 * axe runs through the DevTools protocol rather than a script tag: the portal's CSP (script-src
 * 'self') would block an injected inline script, and the test keeps that CSP switched on.
 */
async function seriousAccessibilityViolations(target: Page): Promise<string[]> {
  await target.evaluate(await axeSource);
  const violations = await target.evaluate<AxeViolation[]>('axe.run().then((result) => result.violations)');
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
    );
}

async function checkPage(name: string): Promise<void> {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
  expect(await seriousAccessibilityViolations(page), `accessibility of ${name}`).toEqual([]);
}

function payloadOf(bearer: string): Record<string, unknown> {
  const [, payload = ''] = bearer.replace(/^Bearer /, '').split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

describe('thin path: an employee reports a problem and follows it', () => {
  const shortDescription = 'Printer on floor 3 jams on every page';
  let ticketNumber = '';

  it('signs in through the local identity provider', async () => {
    await page.goto(cloud.urls.portal);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(cloud.urls.identity).origin);
    await checkPage('sign-in');

    await page.getByLabel('Username').fill('employee');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('do not match');

    await page.getByLabel('Username').fill('employee');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'How can we help, Emma?' }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(cloud.urls.portal).origin);
    await checkPage('home');
  });

  it('submits an incident and lands on the new ticket', async () => {
    await page.getByRole('link', { name: /Something is broken/ }).click();
    await page.getByRole('heading', { name: 'Something is broken' }).waitFor();
    await checkPage('new-ticket');

    await page.getByLabel(/Short description/).fill(shortDescription);
    await page
      .getByLabel('Description', { exact: true })
      .fill('Paper jams after the first sheet since Monday.');
    await page.getByLabel(/Impact/).selectOption({ label: 'A few people' });
    await page.getByRole('button', { name: 'Send report' }).click();

    await page.getByRole('heading', { name: shortDescription }).waitFor();
    const confirmation = await page.getByRole('status').textContent();
    ticketNumber = /INC\d{7}/.exec(confirmation ?? '')?.[0] ?? '';
    expect(ticketNumber).toMatch(/^INC\d{7}$/);
    expect(payloadOf(apiTokens.at(-1) ?? '')).toMatchObject({
      token_use: 'id',
      email: 'emma.employee@example.com',
    });
  });

  it('lists the ticket under My tickets with its number, state and update time in the viewer time zone', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tickets' }).click();
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    const item = page.getByRole('listitem').filter({ hasText: ticketNumber });
    await item.waitFor();

    await expect(item.textContent()).resolves.toContain(shortDescription);
    await expect(item.locator('.badge').textContent()).resolves.toBe('New');
    const time = item.locator('time');
    const updatedAt = (await time.getAttribute('datetime')) ?? '';
    const inViewerZone = new Intl.DateTimeFormat('en-US', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: viewerTimeZone,
    }).format(new Date(updatedAt));
    expect(await time.textContent()).toBe(inViewerZone);
    await checkPage('my-tickets');

    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(artifactsDir, 'my-tickets-360px.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('opens the ticket with its details and public conversation', async () => {
    await page.getByRole('link', { name: new RegExp(ticketNumber) }).click();

    await page.getByRole('heading', { name: shortDescription }).waitFor();
    await page.getByRole('heading', { name: 'Conversation' }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('Paper jams after the first sheet');
    await checkPage('ticket');
  });

  it('signs out through the logout endpoint (as Cognito’s) and back to the welcome page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByRole('heading', { name: 'Welcome to Spoke' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const signedInKeys = await page.evaluate<string[]>(
      "Object.keys(sessionStorage).filter((key) => key.startsWith('oidc.user'))",
    );
    expect(signedInKeys).toEqual([]);
    // The identity provider's session ended too: signing in asks for the password again.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Password').waitFor();
  });

  it('ran without a single Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});

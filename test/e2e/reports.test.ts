import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import {
  artifactsDir,
  checkPage,
  fitsIn360px,
  launchBrowser,
  type Person,
  signedIn,
} from './portal-support.ts';

/**
 * The reports dashboard in Chromium against the local cloud: the demo tickets the seed opened
 * went over the local bus to the reporting function (subscribed from the synthesized template),
 * so the agent's dashboard counts them; filters live in the address; the CSV export downloads;
 * axe finds nothing serious, at full width and at 360 px, under the production CSP.
 */
let dataDir: string;
let cloud: LocalCloud;
let browser: Browser;
let admin: Person;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-reports-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
  });
  browser = await launchBrowser();
  admin = await signedIn(browser, cloud.urls.portal, 'admin');
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('reports dashboard', () => {
  it('shows the seeded tickets as figures, charts and a table; filters in the address; exports CSV', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const opened = page.locator('.report-tiles li', { hasText: 'Opened' }).locator('.tile-value');
    for (
      const until = Date.now() + 20_000;
      Number(await opened.textContent()) === 0 && Date.now() < until;
    ) {
      await page.reload();
      await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
      await opened.waitFor();
    }
    expect(Number(await opened.textContent())).toBeGreaterThanOrEqual(3);
    await expect(page.getByRole('img', { name: /Tickets opened and resolved/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: 'Figures per day' }).count()).resolves.toBe(1);
    await checkPage(page, 'reports-dashboard');
    await fitsIn360px(page, 'reports-dashboard');

    await page.getByLabel('Per', { exact: true }).selectOption('week');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('table', { name: 'Figures per week' }).waitFor();
    expect(new URL(page.url()).searchParams.get('granularity')).toBe('week');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^spoke-report-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d-week\.csv$/);
    expect(admin.cspViolations).toEqual([]);
  });
});

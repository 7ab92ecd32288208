import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import {
  artifactsDir,
  checkPage as checkPortalPage,
  fitsIn360px as fitsNarrow,
  launchBrowser,
  type Person,
  signedIn,
} from './portal-support.ts';

/**
 * The CMDB in Chromium against the local cloud and its demo CMDB: an agent finds a CI by class,
 * opens it, sees its relations drawn and as a table, relates it to another CI by number, and
 * analyses the impact of the HR database up to its business service and owner. Every page is
 * checked with axe under the production CSP, and at 360 px.
 */
let dataDir: string;
let cloud: LocalCloud;
let browser: Browser;
let agent: Person;
let employee: Person;

const checkPage = (page: Page, name: string) => checkPortalPage(page, `cmdb-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `cmdb-${name}`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-cmdb-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
  });
  browser = await launchBrowser();
  [agent, employee] = await Promise.all([
    signedIn(browser, cloud.urls.portal, 'agent'),
    signedIn(browser, cloud.urls.portal, 'employee'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the CMDB in the portal', () => {
  it('lists CIs by class and finds one by name', async () => {
    const { page } = agent;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CMDB' }).click();
    await page.getByRole('heading', { name: 'Configuration items' }).waitFor();
    await page.getByRole('link', { name: 'Email' }).waitFor();
    await checkPage(page, 'list');
    await fitsIn360px(page, 'list');

    await page.getByLabel('Class').selectOption('business_service');
    await expect
      .poll(() => page.getByRole('table').getByRole('link').allTextContents())
      .toEqual(['Email', 'HR self-service', 'VPN']);
    await page.getByLabel('Class').selectOption('');
    await page.getByLabel('Name starts with').fill('hr-');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.getByRole('table').getByRole('link').allTextContents())
      .toEqual(['hr-api', 'hr-db']);
  });

  it('shows a CI with its relations as a picture and a table, and relates it to another CI', async () => {
    const { page } = agent;
    await page.getByRole('link', { name: 'hr-api' }).click();
    await page.getByRole('heading', { level: 1, name: /CFG\d{7} · hr-api/ }).waitFor();
    const hrApiUrl = page.url();
    await page.getByRole('img', { name: /hr-api: 1 incoming and 2 outgoing relations/ }).waitFor();
    const relations = page.getByRole('table', { name: 'Relations of hr-api' });
    await expect.poll(() => relations.getByRole('row').count()).toBe(4);
    await checkPage(page, 'ci');
    await fitsIn360px(page, 'ci');

    await page.goto(`${cloud.urls.portal}/cmdb`);
    await page.getByRole('link', { name: 'Email' }).waitFor();
    await page.getByLabel('Name starts with').fill('Exchange');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Exchange Online' }).click();
    const mailNumber = /CFG\d{7}/.exec(
      (await page.getByRole('heading', { level: 1 }).textContent()) ?? '',
    )?.[0];
    await page.goto(hrApiUrl);
    await page.getByRole('heading', { level: 1, name: /hr-api/ }).waitFor();
    await page.getByLabel('This CI', { exact: true }).selectOption('connects_to');
    await page.getByLabel('CI number').fill(mailNumber as string);
    await page.getByRole('button', { name: 'Add relation' }).click();
    await page.getByText(`Related to ${mailNumber}.`).waitFor();
    await expect.poll(() => relations.getByRole('row').count()).toBe(5);
  });

  it('analyses the impact of the HR database up to its business service and owner', async () => {
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/cmdb`);
    await page.getByLabel('Name starts with').fill('hr-db');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'hr-db' }).click();
    await page.getByRole('heading', { level: 1, name: /hr-db/ }).waitFor();
    await page.getByLabel('Depth').selectOption('3');
    await page.getByRole('button', { name: 'Analyse impact' }).click();
    const services = page.getByRole('list', { name: 'Affected business services' });
    await services.waitFor();
    expect(await services.textContent()).toContain('HR self-service');
    expect(await page.getByRole('list', { name: 'Affected people' }).textContent()).toContain(
      'hannah.hr@example.com',
    );
    await checkPage(page, 'impact');
    await fitsIn360px(page, 'impact');
  });

  it('shows on a change the business services its services and CIs name in the CMDB, and which labels it does not know', async () => {
    const { page } = agent;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Changes' }).click();
    await page.getByRole('link', { name: /Replace the VPN concentrator certificate/ }).click();
    const services = page.getByRole('list', { name: 'Business services affected' });
    await services.waitFor();

    expect(await services.textContent()).toMatch(/VPN\s*critical/);
    await page.getByText('Not in the CMDB (kept as labels): Wi-Fi').waitFor();
    await checkPage(page, 'change-impact');
  });

  it('shows an employee the devices assigned to them, with a way to report a problem', async () => {
    const { page } = employee;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My devices' }).click();
    const devices = page.getByRole('list', { name: 'My devices' });
    await devices.waitFor();

    expect(await devices.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('Laptop of Emma'),
      expect.stringContaining('Phone of Emma'),
    ]);
    expect(await devices.textContent()).toContain('ThinkPad T14 · serial PF3XK2QZ');
    await checkPage(page, 'my-devices');
    await fitsIn360px(page, 'my-devices');
    await devices.getByRole('link', { name: 'Report a problem with Laptop of Emma' }).click();
    await page.getByRole('heading', { level: 1, name: /Laptop of Emma/ }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/assets\/.+/);
  });

  it('is not offered to employees', async () => {
    const { page } = employee;
    await page.goto(`${cloud.urls.portal}/cmdb`);
    await page.getByRole('heading', { level: 1 }).waitFor();

    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CMDB' }).count(),
    ).toBe(0);
    expect(await page.getByRole('heading', { name: 'Configuration items' }).count()).toBe(0);
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage as checkPortalPage,
  fitsIn360px as fitsNarrow,
  type Person,
  type PortalRun,
  startPortalRun,
} from './portal-support.ts';

/**
 * Assets people carry in Chromium against the local cloud and its demo CMDB: the employee's
 * devices and a problem reported with one (an incident linked to the device); an agent checking
 * a spare laptop out, taking it back, sending it to repair and retiring it; a CSV import
 * uploaded straight to the local S3, run by the import function the template's rule invokes,
 * with its error report. Every page is checked with axe under the production CSP, and at 360 px.
 */
let run: PortalRun;
let employee: Person;
let agent: Person;

beforeAll(async () => {
  run = await startPortalRun('assets', ['employee', 'agent']);
  [employee, agent] = run.people as [Person, Person];
});

afterAll(async () => {
  await run?.stop();
});

const checkPage = (page: Page, name: string) => checkPortalPage(page, `assets-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `assets-${name}`);

describe('assets in the portal', () => {
  it('lets an employee report a problem with one of their devices, linked to it', async () => {
    const { page } = employee;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My devices' }).click();
    const devices = page.getByRole('list', { name: 'My devices' });
    await devices.waitFor();
    expect(await devices.textContent()).toContain('Galaxy S25 · serial R58N91XKQ2 · +44 20 7946 0102');
    await devices.getByRole('link', { name: 'Report a problem with Laptop of Emma' }).click();
    await page.getByRole('heading', { level: 1, name: /CFG\d{7} · Laptop of Emma/ }).waitFor();
    await page.getByLabel('What is wrong?').fill('The screen flickers');
    await page.getByRole('button', { name: 'Report the problem' }).click();
    const reported = page.getByText(/Reported as INC\d{7}/);
    await reported.waitFor();
    await checkPage(page, 'device');
    await fitsIn360px(page, 'device');
    await reported.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: /The screen flickers/ }).waitFor();
    expect(await page.getByText(/Device: Laptop of Emma \(CFG\d{7}, serial PF3XK2QZ\)/).count()).toBe(1);
  });

  it('lets an agent check a spare laptop out, take it back, send it to repair and retire it', async () => {
    const { page } = agent;
    await page.goto(`${run.cloud.urls.portal}/cmdb`);
    await page.getByLabel('Name starts with').fill('Spare laptop 1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Spare laptop 1' }).click();
    await page.getByRole('link', { name: /Asset: state, check-out history/ }).click();
    await page.getByRole('heading', { level: 1, name: /Spare laptop 1/ }).waitFor();
    const state = page.locator('dt', { hasText: 'State' }).locator('+ dd');
    expect(await state.textContent()).toBe('In stock');
    await checkPage(page, 'asset');
    await fitsIn360px(page, 'asset');

    await page.getByLabel('Check out to (email)').fill('lea@example.com');
    await page.getByLabel('Note (optional)').fill('new starter');
    await page.getByRole('button', { name: 'Check out' }).click();
    await page.getByText(/is checked out to lea@example.com/).waitFor();
    await expect.poll(() => state.textContent()).toBe('Assigned');
    const history = page.getByRole('table', { name: /Check-outs and returns/ });
    await expect
      .poll(() => history.getByRole('row').allTextContents())
      .toEqual([
        'PersonChecked outReturnedNotes',
        expect.stringMatching(/^lea@example\.com.*has it nownew starter$/),
      ]);
    await page.getByRole('button', { name: 'Return to stock' }).click();
    await expect.poll(() => state.textContent()).toBe('In stock');
    await page.getByRole('button', { name: 'Send to repair' }).click();
    await expect.poll(() => state.textContent()).toBe('In repair');
    await page.getByRole('button', { name: 'Retire' }).click();
    await expect.poll(() => state.textContent()).toBe('Retired');
    expect(await page.getByRole('button', { name: 'Check out' }).count()).toBe(0);
  });

  it('imports a CSV file of assets through S3 and the import function, with a per-row error report', async () => {
    const { page } = agent;
    await page.goto(`${run.cloud.urls.portal}/cmdb`);
    await page.getByRole('link', { name: 'Import assets from a CSV file' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import assets' }).waitFor();
    await checkPage(page, 'import');
    await fitsIn360px(page, 'import');
    const csv = [
      'name,class,serialNumber,model,manufacturer,purchaseDate,cost,assignedTo',
      'LT-E2E-1,laptop,E2E-0001,ThinkPad T14,Lenovo,2026-10-01,1290,',
      'LT-E2E-2,laptop,E2E-0002,ThinkPad T14,Lenovo,01/10/2026,1290,',
      'Toaster,toaster,E2E-0003,,,,,',
      'PH-E2E-1,mobile_phone,E2E-0004,Pixel 9,Google,,699,lea@example.com',
    ].join('\n');
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'assets.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import of assets.csv' }).waitFor();
    const status = page.locator('dt', { hasText: 'Status' }).locator('+ dd');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Done');
    const fact = (name: string) => page.locator('dt', { hasText: name }).locator('+ dd').textContent();
    expect([await fact('Added'), await fact('Refused rows')]).toEqual(['2', '2']);
    const report = page.getByRole('table', { name: /Refused rows/ });
    await report.waitFor();
    expect(await report.getByRole('row').allTextContents()).toEqual([
      'RowColumnReason',
      expect.stringMatching(/^3purchaseDate/),
      expect.stringMatching(/^4classtoaster is not an asset class/),
    ]);
    await checkPage(page, 'import-report');
    await fitsIn360px(page, 'import-report');
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '#local/cloud.ts';
import {
  checkPage as checkPortalPage,
  fitsIn360px as fitsNarrow,
  idToken,
  type Person,
  type PortalRun,
  startPortalRun,
} from './portal-support.ts';

/**
 * Release management in the portal (issue 18): the change manager plans a release, adds a
 * change, takes it to test and asks for go/no-go; a CAB member says go on the release page; the
 * release deploys; its notes list the change; the release calendar shows it.
 */
let run: PortalRun;
let cloud: LocalCloud;
let admin: Person;
let approver: Person;

beforeAll(async () => {
  run = await startPortalRun('releases', ['admin', 'approver']);
  cloud = run.cloud;
  [admin, approver] = run.people as [Person, Person];
});

afterAll(async () => {
  await run?.stop();
});

const checkPage = (page: Page, name: string) => checkPortalPage(page, `releases-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `releases-${name}`);

async function aChange(): Promise<{ id: string; number: string }> {
  const token = await idToken(cloud, 'admin');
  const start = new Date(Date.now() + 40 * 86_400_000);
  const response = await fetch(`${cloud.urls.portal}/api/changes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'normal',
      shortDescription: 'Roll out the new login page',
      justification: 'Customers asked for it',
      implementationPlan: 'Deploy the web tier',
      backoutPlan: 'Deploy the previous version',
      testPlan: 'Sign in as a test user',
      plannedStart: start.toISOString(),
      plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
      services: ['Web'],
      assignmentGroup: 'network',
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; number: string };
}

describe('releases in the portal', () => {
  it('plans a release with a change, gets a go from the CAB on the page, deploys it, and lists it on the calendar', async () => {
    const change = await aChange();
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/releases`);
    await page.getByRole('heading', { name: 'Releases' }).waitFor();
    await page.getByRole('button', { name: 'New release' }).click();
    await page.getByLabel('Name').fill('Login refresh');
    await page.getByLabel('Version (optional)').fill('2027.1');
    const start = new Date(Date.now() + 40 * 86_400_000);
    const local = (date: Date) =>
      `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}T09:00`;
    await page.getByLabel('Planned start').fill(local(start));
    await page.getByLabel('Planned end').fill(local(new Date(start.getTime() + 2 * 86_400_000)));
    await page.getByRole('button', { name: 'Create release' }).click();
    const heading = page.getByRole('heading', { name: /RLS\d{7} · Login refresh/ });
    await heading.waitFor();
    const number = /RLS\d{7}/.exec((await heading.textContent()) ?? '')?.[0] ?? '';
    expect(number).toMatch(/^RLS\d{7}$/);
    const releaseUrl = page.url();

    await page.getByLabel('Change number').fill(change.number);
    await page.getByRole('button', { name: 'Add change' }).click();
    await page
      .getByRole('link', { name: new RegExp(change.number) })
      .first()
      .waitFor();
    await expect
      .poll(() => page.getByRole('list', { name: 'Changes in the notes' }).textContent())
      .toContain(change.number);
    await checkPage(page, 'release');
    await fitsIn360px(page, 'release');

    await page.getByRole('button', { name: 'Start building' }).click();
    await page.getByRole('button', { name: 'Start testing' }).click();
    await page.getByRole('button', { name: 'Ask for go/no-go' }).click();
    await page.getByText('Waiting for a decision').waitFor();

    // The CAB member finds the decision on the release page once the workflow has asked.
    const cab = approver.page;
    await expect
      .poll(
        async () => {
          await cab.goto(releaseUrl);
          await cab.getByRole('heading', { name: 'Go/no-go' }).waitFor();
          return cab.getByRole('button', { name: 'Go', exact: true }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await checkPage(cab, 'decide');
    await cab.getByLabel('Comment').fill('Tests are green');
    await cab.getByRole('button', { name: 'Go', exact: true }).click();

    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Go/no-go' }).waitFor();
          return page.getByRole('button', { name: 'Deploy' }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect.poll(() => page.locator('[aria-current="step"]').textContent()).toBe('Deploy');

    const month = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}`;
    await page.goto(`${cloud.urls.portal}/releases/calendar?month=${month}`);
    await page.getByRole('link', { name: new RegExp(`${number} · Login refresh`) }).waitFor();
    await checkPage(page, 'calendar');
    await fitsIn360px(page, 'calendar');
    await page.goto(`${cloud.urls.portal}/releases?stage=deploy`);
    await page.getByRole('link', { name: new RegExp(number) }).waitFor();
    await checkPage(page, 'list');
    await fitsIn360px(page, 'list');
  }, 240_000);
});

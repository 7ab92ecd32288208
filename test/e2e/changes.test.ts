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
  idToken,
  launchBrowser,
  type Person,
  signedIn,
} from './portal-support.ts';

/**
 * Change management in Chromium against the local cloud: an agent plans a change with the risk
 * questionnaire and submits it, the group's manager approves it from the approvals inbox, the
 * calendar shows it; an emergency CAB member decides from the link in the approval mail without
 * signing in. Every page is screenshotted and checked with axe, under the production CSP.
 */
let dataDir: string;
let cloud: LocalCloud;
let browser: Browser;
let agent: Person;
let manager: Person;
let admin: Person;
let changeId = '';
let changeNumber = '';

/** A local `datetime-local` value some days ahead, at a fixed hour (far from the demo freeze). */
const localInput = (days: number, hour: number) => {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setHours(hour, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(hour)}:00`;
};

/** The approve link of the approval request mailed to one approver, once it is in the outbox. */
async function mailedLink(number: string, approver: string): Promise<string> {
  for (const until = Date.now() + 20_000; Date.now() < until; ) {
    const store = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
      emails: { subject: string; destination: { to: string[] }; body: { text: string } }[];
    };
    const mail = store.emails.find(
      (m) => m.subject.startsWith(`[${number}]`) && m.destination.to.includes(approver),
    );
    const link = /Approve:\s+(\S+)/.exec(mail?.body.text ?? '')?.[1];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No approval mail for ${number} to ${approver}`);
}

const checkPage = (page: Page, name: string) => checkPortalPage(page, `changes-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `changes-${name}`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-changes-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
  });
  browser = await launchBrowser();
  [agent, manager, admin] = await Promise.all([
    signedIn(browser, cloud.urls.portal, 'agent'),
    signedIn(browser, cloud.urls.portal, 'manager'),
    signedIn(browser, cloud.urls.portal, 'admin'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('change management in the portal', () => {
  it('lets an agent plan a normal change with the risk questionnaire and submit it for approval', async () => {
    const { page } = agent;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Changes' }).click();
    await page.getByRole('link', { name: 'New change' }).click();
    await page.getByRole('heading', { name: 'New change' }).waitFor();
    await page.getByLabel(/Short description/).fill('Replace the core switch in building B');
    await page.getByLabel(/Justification/).fill('The switch is out of support.');
    await page.getByLabel(/Implementation plan/).fill('Swap the switch during the maintenance window.');
    await page.getByLabel(/Backout plan/).fill('Put the old switch back.');
    await page.getByLabel(/Test plan/).fill('Ping every floor.');
    await page.getByLabel(/Assignment group/).selectOption('network');
    await page.getByLabel(/Planned start/).fill(localInput(420, 20));
    await page.getByLabel(/Planned end/).fill(localInput(420, 22));
    await page.getByLabel(/Affected services/).fill('Network');
    for (const option of ['One team', 'Yes, routinely', 'Minutes, fully reversible', 'No', 'Fully'])
      await page.getByRole('radio', { name: option, exact: true }).check();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Risk:' }).textContent())
      .toContain('low');
    await checkPage(page, 'new-change');
    await page.getByRole('button', { name: 'Create change' }).click();

    const heading = page.getByRole('heading', { level: 1, name: /CHG\d{7} · Replace the core switch/ });
    await heading.waitFor();
    changeNumber = /CHG\d{7}/.exec((await heading.textContent()) ?? '')?.[0] as string;
    changeId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);
    await page.getByRole('button', { name: 'Start assessment' }).click();
    await page.getByText(`${changeNumber} is now assess.`).waitFor();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Awaiting approval', { exact: true }).first().waitFor();
    await checkPage(page, 'change');
  });

  it('lets the manager approve it from the approvals inbox, after which it is scheduled', async () => {
    const { page } = manager;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { name: 'Approvals' }).waitFor();
    const item = page.getByRole('listitem').filter({ hasText: changeNumber });
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Approvals' }).waitFor();
          await page.getByText(/Loading your approvals/).waitFor({ state: 'detached' });
          return item.count();
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(1);
    await checkPage(page, 'approvals');
    await fitsIn360px(page, 'approvals');
    await item.getByRole('button', { name: /^Approve/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Comment/).fill('Fine in the window.');
    await dialog.getByRole('button', { name: `Approve ${changeNumber}` }).click();
    await page.getByText(`${changeNumber}: your approval is recorded and settles this approval.`).waitFor();
    await item.waitFor({ state: 'detached' });

    await agent.page.reload();
    await expect
      .poll(
        async () => {
          await agent.page.reload();
          await agent.page.getByRole('heading', { name: /History/ }).waitFor();
          return agent.page.getByText('Scheduled', { exact: true }).count();
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBeGreaterThan(0);
    await agent.page.getByText(/Morgan Manager approved/).waitFor();
  });

  it('shows the change on the month and week calendar, with the demo freeze', async () => {
    const { page } = agent;
    const start = localInput(420, 20).slice(0, 10);
    await page.goto(`${cloud.urls.portal}/changes/calendar?view=month&date=${start}`);
    await page.getByRole('link', { name: new RegExp(changeNumber) }).waitFor();
    await checkPage(page, 'calendar-month');
    await fitsIn360px(page, 'calendar-month');
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByRole('heading', { name: /Week of/ }).waitFor();
    await page.getByRole('link', { name: new RegExp(changeNumber) }).waitFor();
    await checkPage(page, 'calendar-week');
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    // The seeded quarter-end freeze starts 20 days from now.
    await page.goto(
      `${cloud.urls.portal}/changes/calendar?view=week&date=${localInput(22, 12).slice(0, 10)}`,
    );
    await page.getByText('Freeze: Quarter-end freeze').first().waitFor();
  });

  it('lets an emergency CAB member decide from the mailed link, without signing in, once', async () => {
    const token = await idToken(cloud, 'agent');
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${cloud.urls.api}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, path).toBeLessThan(300);
      return (await response.json()) as { id: string; number: string; version: number };
    };
    const start = new Date(Date.now() + 430 * 86_400_000);
    const emergency = await call('/api/changes', {
      type: 'emergency',
      shortDescription: 'Patch the VPN gateway',
      justification: 'Exploited in the wild.',
      implementationPlan: 'Apply the vendor hotfix.',
      backoutPlan: 'Roll back the hotfix.',
      testPlan: 'Connect a client.',
      plannedStart: start.toISOString(),
      plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
      assignmentGroup: 'network',
    });
    await call(`/api/changes/${emergency.id}/transitions`, { version: emergency.version, to: 'authorize' });
    const link = await mailedLink(emergency.number, 'avery.approver@example.com');
    expect(new URL(link).origin).toBe(cloud.urls.portal);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    await page.goto(link);
    await page.getByRole('heading', { name: `Approve ${emergency.number}?` }).waitFor();
    await checkPage(page, 'approval-link');
    await fitsIn360px(page, 'approval-link');
    await page.getByLabel(/Comment/).fill('Go ahead.');
    await page.getByRole('button', { name: `Approve ${emergency.number}` }).click();
    await page.getByRole('heading', { name: 'Decision recorded' }).waitFor();
    await page.getByText(/this settles the approval/).waitFor();

    await page.goto(link);
    await page
      .getByText('This approval link was used already')
      .or(page.getByText(/already approved/))
      .first()
      .waitFor();
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('lets an admin manage freeze windows, and passes axe and the CSP on every change page', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Freezes' }).click();
    await page.getByRole('heading', { name: 'Freeze windows' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Quarter-end freeze' }).waitFor();
    await page.getByLabel(/Name/).fill('Data centre move');
    await page.getByLabel(/Starts/).fill(localInput(500, 0));
    await page.getByLabel(/Ends/).fill(localInput(502, 0));
    await page.getByRole('button', { name: 'Add freeze window' }).click();
    await page.getByRole('listitem').filter({ hasText: 'Data centre move' }).waitFor();
    await checkPage(page, 'freeze-windows');

    await agent.page.goto(`${cloud.urls.portal}/changes`);
    await agent.page.getByRole('link', { name: new RegExp(changeNumber) }).waitFor();
    await checkPage(agent.page, 'changes');
    await agent.page.goto(`${cloud.urls.portal}/changes/${encodeURIComponent(changeId)}`);
    await agent.page.getByRole('heading', { name: /History/ }).waitFor();
    await fitsIn360px(agent.page, 'change');
    expect([...agent.cspViolations, ...manager.cspViolations, ...admin.cspViolations]).toEqual([]);
  });
});

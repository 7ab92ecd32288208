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
 * Issue 19: what an agent's first hour on the desk broke, each bug pinned by a step that fails on
 * the code before the fix. One seeded local cloud; employee, agent, manager and admin in tabs.
 */
let dataDir: string;
let cloud: LocalCloud;
let browser: Browser;
let employee: Person;
let agent: Person;
let admin: Person;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-desk-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
  });
  browser = await launchBrowser();
  [employee, agent, admin] = await Promise.all([
    signedIn(browser, cloud.urls.portal, 'employee'),
    signedIn(browser, cloud.urls.portal, 'agent'),
    signedIn(browser, cloud.urls.portal, 'admin'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const checkPage = (page: Page, name: string) => checkPortalPage(page, `desk-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `desk-${name}`);

async function api<T>(username: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const token = await idToken(cloud, username);
  const response = await fetch(`${cloud.urls.portal}/api${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

interface TicketBody {
  id: string;
  number: string;
  assignmentGroup?: string;
  assignee?: { email: string };
}

/** The one browser API the tests call in the page (the test project has no DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

const isoDaysAhead = (days: number, hour: number) => {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

let outlookNumber = '';

describe('tickets', () => {
  let outlook: TicketBody;

  it('acknowledges a ticket opened in the portal by mail, as mailed-in ones are', async () => {
    const { page } = employee;
    await page
      .getByRole('link', { name: /Something is broken/ })
      .first()
      .click();
    await page.getByLabel(/Short description/).fill('Outlook crashes on start');
    await page
      .getByLabel('Description', { exact: true })
      .fill('Since this morning, right after the splash screen.');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByRole('heading', { name: 'Outlook crashes on start' }).waitFor();
    const status = await page.getByRole('status').first().textContent();
    const number = /INC\d{7}/.exec(status ?? '')?.[0] as string;
    expect(number).toMatch(/^INC\d{7}$/);
    outlook = (await api<TicketBody>('agent', `/tickets/by-number/${number}`)).body;
    outlookNumber = number;

    await expect
      .poll(
        async () => {
          const store = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
            emails: { subject: string; destination: { to: string[] }; body: { text?: string } }[];
          };
          return store.emails.find(
            (m) =>
              m.subject.startsWith(`[${number}]`) && m.destination.to.includes('emma.employee@example.com'),
          )?.body.text;
        },
        { timeout: 10_000 },
      )
      .toContain(`opened ${number}`);
  });

  it('finds a ticket in the agent’s queue by words, and says what it found', async () => {
    const { page } = agent;
    // The search index follows the table's stream: the ticket opened above becomes findable
    // within seconds, not at once.
    await expect
      .poll(
        async () => {
          await page.goto(cloud.urls.portal);
          await page.getByLabel('Find a ticket').fill('Outlook');
          await page.getByRole('button', { name: 'Search' }).click();
          await page.getByRole('heading', { name: 'Results for “Outlook”' }).waitFor();
          await page.getByRole('status').filter({ hasText: '“Outlook”' }).waitFor();
          return page.getByRole('link', { name: new RegExp(outlook.number) }).count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    await expect(page.getByRole('status').filter({ hasText: '“Outlook”' }).textContent()).resolves.toMatch(
      /^\d+ results? for “Outlook”\.$/,
    );
    await checkPage(page, 'search');
    await fitsIn360px(page, 'search');
    // The old words link under My tickets (it only filtered the caller's own) now goes here.
    await page.goto(`${cloud.urls.portal}/tickets?q=Outlook`);
    await page.getByRole('heading', { name: 'Results for “Outlook”' }).waitFor();
    await page.getByRole('link', { name: new RegExp(outlook.number) }).waitFor();
  });

  it('keeps the ticket’s group when the agent assigns it to themself', async () => {
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/work/tickets/${outlook.id}`);
    const group = page.getByLabel('Assignment group');
    // The group list arrives after the ticket: the select must still show the ticket's group.
    await expect.poll(() => group.locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(2);
    expect(await group.inputValue()).toBe('service-desk');
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Save fields' }).click();
    await page.locator('.facts').getByText('Alex Agent').waitFor();
    const saved = (await api<{ ticket: TicketBody }>('agent', `/tickets/${outlook.id}`)).body.ticket;
    expect(saved).toMatchObject({
      assignmentGroup: 'service-desk',
      assignee: { email: 'alex.agent@example.com' },
    });
    const history = (
      await api<{ items: { field: string; newValue?: unknown }[] }>('agent', `/tickets/${outlook.id}/history`)
    ).body;
    // Routing set the group when the ticket was opened; assigning must not change it again.
    const groupChanges = history.items.filter((entry) => entry.field === 'assignmentGroup');
    expect(groupChanges.map((entry) => entry.newValue ?? null)).toEqual(['service-desk']);
  });

  it('lets single-key shortcuts be turned off (WCAG 2.1.4), and on again', async () => {
    const { page } = agent;
    await page.locator('main h1').click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByLabel(/Use single-key shortcuts/).uncheck();
    await checkPage(page, 'shortcuts-setting');
    await page.keyboard.press('Escape');
    await page.locator('main h1').click();
    await page.keyboard.press('n');
    expect(await page.evaluate<string>('document.activeElement?.tagName')).not.toBe('TEXTAREA');
    await page.reload();
    await page.locator('main h1').click();
    await page.keyboard.press('?');
    await page.waitForTimeout(200);
    expect(await help.isVisible()).toBe(false);

    await page.getByRole('button', { name: 'Shortcuts' }).click();
    await help.getByLabel(/Use single-key shortcuts/).check();
    await page.keyboard.press('Escape');
    await page.locator('main h1').click();
    await page.keyboard.press('n');
    expect(await page.evaluate<string>('document.activeElement?.tagName')).toBe('TEXTAREA');
  });
});

describe('service levels', () => {
  it('shows the requester when we aim to resolve, the agent the SLA panel, and the queue its due column', async () => {
    const outlook = (await api<TicketBody>('agent', `/tickets/by-number/${outlookNumber}`)).body;
    // The SLA function follows the ticket's events: wait until it has seen the assignment.
    await expect
      .poll(
        async () =>
          (
            await api<{ clocks: { target: string; status: string }[] }>('agent', `/sla/records/${outlook.id}`)
          ).body?.clocks?.map((c) => `${c.target}:${c.status}`),
        { timeout: 15_000 },
      )
      .toEqual(['response:met', 'resolution:running']);

    await employee.page.goto(`${cloud.urls.portal}/tickets/${outlook.id}`);
    await employee.page.getByText('We aim to resolve this by').waitFor();
    await checkPage(employee.page, 'sla-promise');

    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/work/tickets/${outlook.id}`);
    const panel = page.getByRole('region', { name: 'Service levels' });
    await panel.waitFor();
    await panel.getByText('First response').waitFor();
    expect(await panel.getByText('Met', { exact: true }).count()).toBe(1);
    expect(await panel.getByText('On track', { exact: true }).count()).toBe(1);
    await checkPage(page, 'sla-panel');
    await fitsIn360px(page, 'sla-panel');

    await page.goto(`${cloud.urls.portal}/work?view=queue&group=service-desk&state=new`);
    const row = page.getByRole('row').filter({ hasText: outlook.number });
    await row.getByText(/^Due /).waitFor();
    await checkPage(page, 'sla-queue');
  });
});

describe('a ticket on behalf of a caller', () => {
  it('lets an agent open a ticket for a caller picked from the people Spoke knows, noting the phone', async () => {
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/tickets/new?kind=incident`);
    const caller = page.getByLabel(/Caller’s address/);
    await caller.waitFor();
    // The picker offers the people of the groups (a datalist on the field).
    await expect
      .poll(() => page.locator('datalist option[value="ada.admin@example.com"]').count(), { timeout: 15_000 })
      .toBe(1);
    await caller.fill('ada.admin@example.com');
    await page.getByLabel('They reached you by').selectOption('phone');
    await page.getByLabel(/Short description/).fill('Docking station ignores the second screen');
    await checkPage(page, 'on-behalf');
    await fitsIn360px(page, 'on-behalf');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText(/is open for Ada Admin; they get an acknowledgement by mail/).waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);
    const opened = (
      await api<{ ticket: { requester: { email: string; name?: string }; tags: string[]; channel: string } }>(
        'agent',
        `/tickets/${id}`,
      )
    ).body.ticket;
    expect(opened).toMatchObject({
      requester: { email: 'ada.admin@example.com', name: 'Ada Admin' },
      tags: ['phone'],
    });
  });

  it('offers employees no way to open tickets for others', async () => {
    const { page } = employee;
    await page.goto(`${cloud.urls.portal}/tickets/new?kind=incident`);
    await page.getByLabel(/Short description/).waitFor();
    expect(await page.getByLabel(/Caller’s address/).count()).toBe(0);
  });
});

describe('the employee’s side of a ticket', () => {
  it('says who works on it and that Spoke needs an answer; adds a colleague and cancels', async () => {
    const ticket = (
      await api<TicketBody & { version: number }>('agent', `/tickets/by-number/${outlookNumber}`)
    ).body;
    const held = await api('agent', `/tickets/${ticket.id}`, {
      method: 'PATCH',
      body: { version: ticket.version, state: 'on_hold', holdReason: 'awaiting_caller' },
    });
    expect(held.status).toBe(200);
    const { page } = employee;
    await page.goto(`${cloud.urls.portal}/tickets/${ticket.id}`);
    await page.getByText('We need your answer.').waitFor();
    await page.locator('.facts').getByText('Alex Agent (Service desk)').waitFor();
    await checkPage(page, 'employee-ticket');
    await fitsIn360px(page, 'employee-ticket');

    await page.getByLabel('Add a colleague (e-mail address)').fill('sam.colleague@example.com');
    await page.getByRole('button', { name: 'Add colleague' }).click();
    await page.getByText('sam.colleague@example.com is now kept informed.').waitFor();
    await page.getByRole('button', { name: 'Cancel this ticket' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.locator('.facts .badge').getByText('Cancelled').waitFor();
    const after = (
      await api<{ ticket: { state: string; watchers: string[] } }>('agent', `/tickets/${ticket.id}`)
    ).body.ticket;
    expect(after).toMatchObject({ state: 'cancelled', watchers: ['sam.colleague@example.com'] });
  });
});

describe('layout at phone widths', () => {
  it('keeps the home search field wide at 390 and 360 px', async () => {
    const { page } = employee;
    await page.goto(cloud.urls.portal);
    const field = page.getByLabel('Find a ticket');
    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 800 });
      const box = await field.boundingBox();
      expect(box?.width, `search field at ${width} px`).toBeGreaterThan(width / 2);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps every radio of the new-change form next to its label', async () => {
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/changes/new`);
    await page.getByRole('radio', { name: 'One team', exact: true }).waitFor();
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      const radios = await page.evaluate<{ width: number; gap: number }[]>(`
        [...document.querySelectorAll('input[type=radio]')].map((radio) => {
          const box = radio.getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(radio.closest('label'));
          const text = [...range.getClientRects()].filter((r) => r.left >= box.right - 1)[0];
          return { width: box.width, gap: text ? text.left - box.right : 999 };
        })`);
      expect(radios.length).toBeGreaterThan(5);
      for (const radio of radios) {
        expect(radio.width, `radio width at ${width} px`).toBeLessThan(30);
        expect(radio.gap, `gap between radio and label at ${width} px`).toBeLessThan(24);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await fitsIn360px(page, 'new-change');
  });
});

describe('changes', () => {
  let change: { id: string; number: string; version: number };

  it('shows the description on the change page, and the approval in words with approvers by name', async () => {
    const created = await api<{ id: string; number: string; version: number }>('agent', '/changes', {
      method: 'POST',
      body: {
        type: 'normal',
        shortDescription: 'Rotate the VPN certificates',
        description: 'The VPN gateway certificates expire next month; rotate them on both gateways.',
        justification: 'Expiry',
        implementationPlan: 'Install the new certificates',
        backoutPlan: 'Reinstall the old ones',
        testPlan: 'Connect from a laptop',
        plannedStart: isoDaysAhead(60, 20),
        plannedEnd: isoDaysAhead(60, 22),
        assignmentGroup: 'network',
        riskAnswers: {
          reach: 'one_team',
          experience: 'routine',
          backout: 'minutes',
          outage: 'none',
          testing: 'fully',
        },
      },
    });
    expect(created.status).toBe(201);
    change = created.body;
    const assess = await api<{ version: number }>('agent', `/changes/${change.id}/transitions`, {
      method: 'POST',
      body: { version: change.version, to: 'assess' },
    });
    const submitted = await api('agent', `/changes/${change.id}/transitions`, {
      method: 'POST',
      body: { version: assess.body.version, to: 'authorize' },
    });
    expect(submitted.status).toBe(200);

    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/changes/${change.id}`);
    await page.getByText('The VPN gateway certificates expire next month').waitFor();
    const approval = page.locator('section', { has: page.getByRole('heading', { name: 'Approval' }) });
    await approval.getByText('Morgan Manager').waitFor({ timeout: 20_000 });
    const text = (await approval.textContent()) ?? '';
    expect(text).not.toMatch(/route:|; request\)|@example\.com/);
    expect(text).toContain("approved by the assignment group's manager");
    await checkPage(page, 'change');
  });

  it('opens the calendar at the `from` date and shows which view is selected', async () => {
    const { page } = agent;
    const from = isoDaysAhead(60, 12).slice(0, 10);
    await page.goto(`${cloud.urls.portal}/changes/calendar?from=${from}`);
    const month = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric' }).format(
      new Date(`${from}T12:00:00`),
    );
    await page.getByRole('heading', { name: `Change calendar: ${month}` }).waitFor();
    await page.getByRole('link', { name: new RegExp(change.number) }).waitFor();
    const look = (name: string) =>
      page
        .getByRole('button', { name, exact: true })
        .evaluate(
          (button) => (globalThis as unknown as BrowserWindow).getComputedStyle(button).backgroundColor,
        );
    const [monthOn, weekOff] = [await look('Month'), await look('Week')];
    expect(monthOn).not.toBe(weekOff);
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.waitForURL(/view=week/);
    expect(await look('Week')).toBe(monthOn);
    expect(await page.getByRole('button', { name: 'Week', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
  });

  it('says the whole sentence when a normal change falls in a freeze', async () => {
    const refused = await api<{ error: { fields: { path: string; message: string }[] } }>(
      'agent',
      '/changes',
      {
        method: 'POST',
        body: {
          type: 'normal',
          shortDescription: 'In the freeze',
          justification: 'x',
          implementationPlan: 'x',
          backoutPlan: 'x',
          testPlan: 'x',
          // The seeded quarter-end freeze runs from 20 to 30 days ahead.
          plannedStart: isoDaysAhead(22, 10),
          plannedEnd: isoDaysAhead(22, 11),
          assignmentGroup: 'network',
        },
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields[0]?.message).toMatch(
      /only an emergency change may be planned in a freeze$/,
    );
  });
});

describe('admin', () => {
  it('refuses a member nobody has, naming the field, and shows and edits the group’s manager', async () => {
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/admin/groups/network`);
    await page.getByRole('heading', { name: 'Network' }).waitFor();
    await page.locator('.group-manager').getByText('Morgan Manager').waitFor();
    await page.getByLabel('Address').fill('alex.agnet@exmaple.com');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText(/email must be an address on example\.com/).waitFor();
    expect(await page.getByText('alex.agnet@exmaple.com added.').count()).toBe(0);

    await page.getByLabel(/^Manager/).fill('alex.agent@example.com');
    await page.getByRole('button', { name: 'Save group' }).click();
    await page.getByText('Group saved.').waitFor();
    await page.locator('.group-manager').getByText('Alex Agent').waitFor();
    await checkPage(page, 'admin-group');
    await fitsIn360px(page, 'admin-group');
  });

  it('edits a service-level target as a new version of its definition', async () => {
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/admin/service-levels`);
    const card = page.getByRole('form', { name: /Incidents \(business hours\)/ });
    await card.getByText('version 1').waitFor();
    await checkPage(page, 'sla-definitions');
    await fitsIn360px(page, 'sla-definitions');
    await card.getByLabel('First response, 5 – Planning').fill('600');
    await card.getByRole('button', { name: 'Save as version 2' }).click();
    await page.getByText('Saved as a new version').waitFor();
    const versions = (
      await api<{ items: { version: number; targets: { response: Record<string, number> } }[] }>(
        'admin',
        '/sla/definitions/incident-standard/versions',
      )
    ).body.items;
    expect(versions.map((v) => [v.version, v.targets.response['5']])).toEqual([
      [2, 600],
      [1, 480],
    ]);
  });

  it('offers routing rules only the categories and services the forms can set', async () => {
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/admin/routing`);
    await page.getByRole('heading', { name: 'Routing rules' }).waitFor();
    const categories = page.getByRole('group', { name: /Categories/ });
    await categories.getByRole('checkbox').first().waitFor();
    expect(await categories.getByRole('checkbox').count()).toBeGreaterThan(3);
    expect(await page.getByRole('textbox', { name: 'Categories' }).count()).toBe(0);
    await page.getByLabel('Name', { exact: true }).fill('Mail to messaging');
    await page
      .getByRole('group', { name: /Services/ })
      .getByLabel('Email', { exact: true })
      .check();
    await page.getByLabel('Route to group').selectOption('workplace');
    await page.getByRole('button', { name: 'Add rule to the list' }).click();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Routing rules saved.').waitFor();
    await checkPage(page, 'admin-routing');

    const current = (await api<{ version: number; rules: unknown[] }>('admin', '/routing')).body;
    const refused = await api<{ error: { fields: { path: string }[] } }>('admin', '/routing', {
      method: 'PUT',
      body: {
        version: current.version,
        rules: [
          { id: 'x', name: 'x', conditions: { categories: ['Netwrok'] }, actions: { group: 'network' } },
        ],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields[0]?.path).toBe('rules[0].conditions.categories');
  });
});

describe('throughout', () => {
  it('kept the CSP without a single violation', () => {
    expect([...employee.cspViolations, ...agent.cspViolations, ...admin.cspViolations]).toEqual([]);
  });
});

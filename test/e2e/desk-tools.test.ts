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
 * Issue 19: the everyday tools of the desk in Chromium — canned responses and macros stored on
 * the server, bulk changes on a queue selection, merging a duplicate and saved queue views —
 * each checked with axe and at 360 px.
 */
let dataDir: string;
let cloud: LocalCloud;
let browser: Browser;
let agent: Person;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-desk-tools-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
  });
  browser = await launchBrowser();
  agent = await signedIn(browser, cloud.urls.portal, 'agent');
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const checkPage = (page: Page, name: string) => checkPortalPage(page, `desk-tools-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `desk-tools-${name}`);

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
  version: number;
  state: string;
  priority: number;
  watchers: string[];
  assignee?: { email: string };
  links: { type: string; ticketId: string }[];
}

/** A ticket Emma reports in the portal (routed to the Service Desk). */
async function reported(shortDescription: string): Promise<TicketBody> {
  const { status, body } = await api<TicketBody>('employee', '/tickets', {
    method: 'POST',
    body: { shortDescription, description: `${shortDescription}, since this morning.` },
  });
  expect(status).toBe(201);
  return body;
}

const workspace = (id: string) => `${cloud.urls.portal}/work/tickets/${id}`;

describe('canned responses and macros', () => {
  it('saves a response on the server and inserts it with the placeholders filled in', async () => {
    const ticket = await reported('Outlook asks for the password again and again');
    const { page } = agent;
    await page.goto(workspace(ticket.id));
    const reply = page.getByLabel('Reply to Emma Employee');
    await reply.fill('Hello {requester}, we are on {number}: {link}');
    await page.getByText('Responses and macros').click();
    await page.getByLabel('Save what is written as').fill('Acknowledge');
    await page.getByRole('button', { name: 'Save response' }).click();
    await page.getByText('Saved as “Acknowledge”.').waitFor();
    await reply.fill('');
    await page.getByLabel('Response or macro').selectOption({ label: 'Acknowledge (mine)' });
    await page.getByRole('button', { name: 'Insert text' }).click();

    expect(await reply.inputValue()).toBe(
      `Hello Emma, we are on ${ticket.number}: ${cloud.urls.portal}/tickets/${ticket.id}`,
    );
    const stored = (
      await api<{ items: { name: string; scope: string; owner: string }[] }>('agent', '/responses')
    ).body.items;
    expect(stored).toContainEqual(
      expect.objectContaining({ name: 'Acknowledge', scope: 'personal', owner: 'alex.agent@example.com' }),
    );
    // Another agent does not see it: personal responses are their owner's alone.
    const others = (await api<{ items: { name: string }[] }>('manager', '/responses')).body.items;
    expect(others.map((r) => r.name)).not.toContain('Acknowledge');
    await reply.fill('');
  });

  it('applies a group’s macro: fields set and the filled-in reply added in one audited change', async () => {
    const ticket = await reported('Teams shows me offline to everybody');
    const created = await api<{ id: string }>('admin', '/responses', {
      method: 'POST',
      body: {
        name: 'Need a screenshot',
        body: 'Hello {requester}, could you send a screenshot for {number}?',
        scope: 'group',
        group: 'service-desk',
        actions: { state: 'on_hold', holdReason: 'awaiting_caller', assignToMe: true, urgency: 2 },
      },
    });
    expect(created.status).toBe(201);
    const { page } = agent;
    await page.goto(workspace(ticket.id));
    await page.getByText('Responses and macros').click();
    await page
      .getByLabel('Response or macro')
      .selectOption({ label: 'Need a screenshot (Service Desk, macro)' });
    await page
      .getByText(
        'Macro: sets state On hold (Awaiting caller), urgency 2 – Medium, assigns it to you; adds the text as a public reply.',
      )
      .waitFor();
    // A group's macro is the manager's to change, not this agent's.
    expect(await page.getByRole('button', { name: /Delete “Need a screenshot”/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Apply macro' }).click();
    await page.getByText('Macro “Need a screenshot” applied.').waitFor();
    await page.locator('.facts').getByText('Alex Agent').waitFor();
    await page.getByText(`Hello Emma, could you send a screenshot for ${ticket.number}?`).first().waitFor();
    await checkPage(page, 'macro');
    await fitsIn360px(page, 'macro');

    const after = (await api<{ ticket: TicketBody }>('agent', `/tickets/${ticket.id}`)).body.ticket;
    expect(after).toMatchObject({
      state: 'on_hold',
      version: 2,
      assignee: { email: 'alex.agent@example.com' },
    });
    const history = (
      await api<{ items: { field: string; reason?: string }[] }>('agent', `/tickets/${ticket.id}/history`)
    ).body.items;
    expect(
      history
        .filter((e) => e.reason === 'macro "Need a screenshot"')
        .map((e) => e.field)
        .sort(),
    ).toEqual(['assignee', 'holdReason', 'priority', 'state', 'urgency']);
  });
});

describe('bulk actions on a queue selection', () => {
  it('changes the selected tickets and shows each one’s result, a stale one as not saved', async () => {
    const first = await reported('Bulk: calendar invites arrive twice');
    const second = await reported('Bulk: shared mailbox is missing');
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/work?view=queue&group=service-desk&state=new`);
    await page.getByRole('link', { name: new RegExp(second.number) }).waitFor();
    // The group filter shows the queue's group once the groups arrive (not the first in the list).
    await expect
      .poll(() => page.getByLabel('Group', { exact: true }).first().inputValue())
      .toBe('service-desk');
    await page.getByLabel(`Select ${first.number}`).check();
    await page.getByLabel(`Select ${second.number}`).check();
    // Someone else changes the second ticket after the queue was read.
    await api('admin', `/tickets/${second.id}`, { method: 'PATCH', body: { version: 1, urgency: 1 } });
    await page.getByLabel('Assignee', { exact: true }).selectOption({ label: 'Me (Alex Agent)' });
    await page.getByLabel('Priority', { exact: true }).last().selectOption('2');
    await page.getByRole('button', { name: 'Apply to 2 selected' }).click();
    const results = page.locator('.bulk-results');
    await results.getByText('1 of 2 saved.').waitFor();
    await results.getByText(`${first.number}: saved`).waitFor();
    await results.getByText(new RegExp(`${second.number}: not saved: someone changed it`)).waitFor();
    await checkPage(page, 'bulk');
    await fitsIn360px(page, 'bulk');

    const saved = (await api<{ ticket: TicketBody }>('agent', `/tickets/${first.id}`)).body.ticket;
    const stale = (await api<{ ticket: TicketBody }>('agent', `/tickets/${second.id}`)).body.ticket;
    expect(saved).toMatchObject({
      priority: 2,
      assignee: { email: 'alex.agent@example.com', name: 'Alex Agent' },
      version: 2,
    });
    expect(stale.assignee).toBeUndefined();
  });
});

describe('merging a duplicate', () => {
  it('moves the conversation and watchers, closes the duplicate with a link and tells its requester', async () => {
    const original = await reported('Merge: the intranet shows a certificate warning');
    const duplicate = await api<TicketBody>('agent', '/tickets', {
      method: 'POST',
      body: {
        shortDescription: 'Merge: intranet certificate error',
        description: 'Morgan sees the same warning.',
        requester: { email: 'morgan.manager@example.com', name: 'Morgan Manager' },
      },
    });
    const { page } = agent;
    await page.goto(workspace(duplicate.body.id));
    await page.getByLabel('Merge this ticket into').fill(original.number);
    await page.getByRole('button', { name: 'Find ticket' }).click();
    await page.getByText(`Merge ${duplicate.body.number} into ${original.number}`).waitFor();
    await checkPage(page, 'merge-confirm');
    await fitsIn360px(page, 'merge-confirm');
    await page.getByRole('button', { name: `Merge into ${original.number}` }).click();
    await page.getByText(`${duplicate.body.number} was merged into ${original.number}`).waitFor();
    await page.getByText('Morgan sees the same warning.').waitFor();
    await checkPage(page, 'merged');

    const closed = (await api<{ ticket: TicketBody }>('agent', `/tickets/${duplicate.body.id}`)).body.ticket;
    const kept = (await api<{ ticket: TicketBody }>('agent', `/tickets/${original.id}`)).body.ticket;
    expect(closed).toMatchObject({ state: 'closed', links: [{ type: 'duplicates', ticketId: original.id }] });
    expect(kept.watchers).toContain('morgan.manager@example.com');
    await expect
      .poll(
        async () => {
          const store = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
            emails: { destination: { to: string[] }; body: { text?: string } }[];
          };
          return store.emails.some(
            (m) =>
              m.destination.to.includes('morgan.manager@example.com') &&
              (m.body.text ?? '').includes(`merged into ${original.number}`),
          );
        },
        { timeout: 15_000 },
      )
      .toBe(true);
  });
});

describe('saved views', () => {
  it('saves the queue’s filters under a name, opens them as a view, and deletes it', async () => {
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/work?view=queue&group=service-desk&state=in_progress&priority=2`);
    await page.getByRole('heading', { name: 'My views' }).waitFor();
    await page.getByLabel('Save these filters as').fill('Desk P2 in progress');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByText('Saved “Desk P2 in progress”.').waitFor();
    await page.goto(`${cloud.urls.portal}/work`);
    await page.getByRole('link', { name: 'Desk P2 in progress' }).click();
    await page.getByRole('heading', { name: 'Service Desk: in progress' }).waitFor();
    expect(new URL(page.url()).search).toBe('?view=queue&group=service-desk&state=in_progress&priority=2');
    await checkPage(page, 'saved-view');
    await fitsIn360px(page, 'saved-view');

    const views = (await api<{ items: { id: string; name: string; filters: unknown }[] }>('agent', '/views'))
      .body.items;
    expect(views).toEqual([
      expect.objectContaining({
        name: 'Desk P2 in progress',
        filters: { view: 'queue', group: 'service-desk', state: 'in_progress', priority: 2 },
      }),
    ]);
    await page.getByRole('button', { name: 'Delete the view Desk P2 in progress' }).click();
    await page.getByText('Deleted “Desk P2 in progress”.').waitFor();
    expect((await api<{ items: unknown[] }>('agent', '/views')).body.items).toEqual([]);
  });
});

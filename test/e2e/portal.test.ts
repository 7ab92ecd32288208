import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUPPORT_ADDRESS, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
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
 * The portal end to end on one seeded local cloud and one browser: an employee, an agent and
 * an admin each in their own tab, through the real identity provider, API, DynamoDB Local,
 * s3rver and SMTP intake, with the production CSP on.
 */
let dataDir: string;
let cloud: LocalCloud;
let browser: Browser;
let employee: Person;
let agent: Person;
let admin: Person;

const summary = 'Cannot open the expense tool';
const noteText = 'Internal: licence server flapped at 09:12, suspect the new proxy.';
const replyText = 'Hello Emma, we restarted the licence server. Please try again.';
const mailText = 'Thanks, the expense tool opens again.';
let ticketId = '';
let ticketNumber = '';
const screenshots: string[] = [];
const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-portal-e2e-'));
  await mkdir(artifactsDir, { recursive: true });
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: true,
    quiet: true,
    // One test opens a queue's worth of tickets as one employee in seconds.
    settings: { TICKET_OPEN_LIMIT_PER_MINUTE: '100', TICKET_OPEN_LIMIT_PER_HOUR: '1000' },
  });
  browser = await launchBrowser();
  [employee, agent, admin] = await Promise.all([
    signedIn(browser, cloud.urls.portal, 'employee', { timezoneId: 'America/New_York' }),
    signedIn(browser, cloud.urls.portal, 'agent'),
    signedIn(browser, cloud.urls.portal, 'admin'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Screenshot to artifacts/e2e and no serious or critical axe finding. */
async function checkPage(page: Page, name: string): Promise<void> {
  screenshots.push(name);
  await checkPortalPage(page, `portal-${name}`);
}

const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `portal-${name}`);

async function sendMail(message: Record<string, unknown>) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: Number(new URL(cloud.urls.smtp).port),
    ignoreTLS: true,
  });
  try {
    await transport.sendMail({ to: LOCAL_SUPPORT_ADDRESS, ...message });
  } finally {
    transport.close();
    await cloud.mailIdle();
  }
}

async function apiAs(username: string, path: string, init: RequestInit = {}) {
  const token = await idToken(cloud, username);
  return fetch(`${cloud.urls.portal}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
}

describe('an employee reports a problem with a screenshot', () => {
  it('finds the big actions and the search box on the home page', async () => {
    const { page } = employee;
    await page.getByRole('search').getByLabel('Find a ticket').waitFor();
    await checkPage(page, 'home');
    await fitsIn360px(page, 'home');
  });

  it('submits an incident with an attachment uploaded straight to S3', async () => {
    const { page } = employee;
    await page.getByRole('link', { name: /Something is broken/ }).click();
    await page.getByRole('heading', { name: 'Something is broken' }).waitFor();
    await page.getByLabel(/Short description/).fill(summary);
    await page
      .getByLabel('Description', { exact: true })
      .fill('The expense tool shows a licence error since 9:00.');
    await page.getByLabel(/Attachments/).setInputFiles({
      name: 'licence-error.png',
      mimeType: 'image/png',
      buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    });
    await page.getByRole('listitem').filter({ hasText: 'licence-error.png' }).waitFor();
    await checkPage(page, 'new-ticket');

    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByRole('heading', { name: summary }).waitFor();
    ticketNumber = /INC\d{7}/.exec((await page.getByRole('status').first().textContent()) ?? '')?.[0] ?? '';
    ticketId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    expect(ticketNumber).toMatch(/^INC\d{7}$/);
    await page.getByRole('button', { name: 'licence-error.png' }).waitFor();
    await checkPage(page, 'ticket');
  });

  it('finds the ticket by its number from the home page search', async () => {
    const { page } = employee;
    await page.getByRole('link', { name: 'Spoke' }).click();
    await page.getByLabel('Find a ticket').fill(ticketNumber.toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: summary }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/tickets/${ticketId}`);
  });

  it('lists it under My tickets with its state', async () => {
    const { page } = employee;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tickets' }).click();
    const item = page.getByRole('listitem').filter({ hasText: ticketNumber });
    await item.waitFor();
    await expect(item.locator('.badge').textContent()).resolves.toBe('New');
    await checkPage(page, 'my-tickets');
  });

  it('has no queue or admin screens, and the API refuses them too', async () => {
    const { page } = employee;
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Queues' }).count()).toBe(0);
    expect((await apiAs('employee', '/tickets?view=queue&group=service-desk')).status).toBe(403);
    expect((await apiAs('employee', '/quarantine')).status).toBe(403);
    expect((await apiAs('employee', `/tickets/${ticketId}/history`)).status).toBe(403);
  });
});

describe('an agent works the ticket from the queue', () => {
  it('finds it in the service desk queue, sorted and filtered, and opens it', async () => {
    const { page } = agent;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queues' }).click();
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('link', { name: 'Service Desk: new' })
      .click();
    await page.getByRole('heading', { name: 'Service Desk: new' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: ticketNumber });
    await row.waitFor();
    await checkPage(page, 'queue');

    await page.getByLabel('Sort by last update').selectOption('oldest');
    await page.getByRole('button', { name: 'Show tickets' }).click();
    await page.waitForURL(/order=oldest/);
    const numbers = await page.locator('.queue-table .ticket-number').allTextContents();
    expect(numbers.at(-1)).toBe(ticketNumber);

    await page.getByRole('form', { name: 'Queue filters' }).getByLabel('Priority').selectOption('1');
    await page.getByRole('button', { name: 'Show tickets' }).click();
    await page.waitForURL(/priority=1/);
    await page.getByText('No tickets here.').waitFor();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('link', { name: 'Service Desk: unassigned' })
      .click();
    await page.getByRole('row').filter({ hasText: ticketNumber }).waitFor();
    await fitsIn360px(page, 'queue');

    await page.keyboard.press('j');
    expect(await page.evaluate<string>('document.activeElement?.className')).toBe('queue-link');
    await page.getByRole('link', { name: new RegExp(ticketNumber) }).click();
    await page.getByRole('heading', { name: summary }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/work/tickets/${ticketId}`);
  });

  it('lists the shortcuts in a help dialog, and they do not fire while typing', async () => {
    const { page } = agent;
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await expect(help.textContent()).resolves.toContain('Write an internal note');
    await checkPage(page, 'shortcuts-help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    await page.keyboard.press('n');
    const note = page.getByLabel('Internal note (agents only)');
    await note.waitFor();
    expect(await page.evaluate<string>('document.activeElement?.tagName')).toBe('TEXTAREA');
    await page.keyboard.type('r then n');
    expect(await note.inputValue()).toBe('r then n');
    await note.fill('');
  });

  it('writes an internal note that is labelled and coloured as one', async () => {
    const { page } = agent;
    await page.getByLabel('Internal note (agents only)').fill(noteText);
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.getByText('Internal note added. Only agents see it.').waitFor();
    const note = page.locator('.article-note').filter({ hasText: noteText });
    await expect(note.textContent()).resolves.toContain('Internal note · not visible to the requester');
  });

  it('writes a public reply, chosen with r, whose button names the requester', async () => {
    const { page } = agent;
    await page.locator('main h1').click();
    await page.keyboard.press('r');
    await page.getByLabel('Reply to Emma Employee').fill(replyText);
    await checkPage(page, 'workspace-composer');
    await page.getByRole('button', { name: 'Send public reply to Emma Employee' }).click();
    await page.getByText('Public reply sent.').waitFor();
    const reply = page.locator('.article-reply').filter({ hasText: replyText });
    await expect(reply.textContent()).resolves.toContain('Public reply · visible to the requester');
  });

  it('assigns the ticket to themself and raises impact and urgency, which changes the priority', async () => {
    const { page } = agent;
    await page.locator('main h1').click();
    await page.keyboard.press('a');
    expect(await page.evaluate<string | undefined>('document.activeElement.labels?.[0]?.textContent')).toBe(
      'Assignee',
    );
    // One save for the whole panel: assignee, impact, urgency and category together.
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByLabel('Impact', { exact: true }).selectOption('1');
    await page.getByLabel('Urgency', { exact: true }).selectOption('1');
    await page.getByLabel('Category', { exact: true }).selectOption('Software');
    await page.getByRole('button', { name: 'Save fields' }).click();
    await page.locator('.facts').getByText('Alex Agent').waitFor();
    await page.locator('.facts').getByText('1 – Critical').waitFor();
    await page.locator('.facts').getByText('Software').waitFor();
  });

  it('shows "changed by someone else" with a reload when another edit won', async () => {
    const { page } = agent;
    const current = (await (await apiAs('admin', `/tickets/${ticketId}`)).json()) as {
      ticket: { version: number };
    };
    const patched = await apiAs('admin', `/tickets/${ticketId}`, {
      method: 'PATCH',
      body: JSON.stringify({ version: current.ticket.version, watchers: ['sam.colleague@example.com'] }),
    });
    expect(patched.status).toBe(200);

    await page.getByLabel('Add a watcher (address)').fill('kim.manager@example.com');
    await page.getByRole('button', { name: 'Add watcher' }).click();
    const conflict = page
      .getByRole('alert')
      .filter({ has: page.getByRole('button', { name: 'Reload ticket' }) });
    await conflict.waitFor();
    await expect(conflict.textContent()).resolves.toContain('Changed by someone else.');
    await checkPage(page, 'workspace-conflict');
    await conflict.getByRole('button', { name: 'Reload ticket' }).click();
    await conflict.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Remove sam.colleague@example.com' }).waitFor();
  });

  it('cannot resolve without resolution notes, then resolves and sees it in the history', async () => {
    const { page } = agent;
    await page.keyboard.press('s');
    await page.getByLabel('New state').selectOption('resolved');
    await page.getByRole('button', { name: 'Change state' }).click();
    await page.getByText('Resolution notes are required to resolve.').waitFor();
    await page.getByLabel(/Resolution notes/).fill('Licence server restarted; the tool works again.');
    await page.getByRole('button', { name: 'Change state' }).click();
    await page.locator('.facts .badge').getByText('Resolved').waitFor();
    const history = page.locator('.timeline');
    await history.getByText('Resolved').first().waitFor();
    await expect(history.textContent()).resolves.toContain('Assignee');
    await checkPage(page, 'workspace');
    await fitsIn360px(page, 'workspace');
  });
});

describe('the employee follows up', () => {
  it('sees the reply and the resolution, never the internal note (in the page or the API answer)', async () => {
    const { page } = employee;
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/tickets/${ticketId}`));
    await page.goto(`${cloud.urls.portal}/tickets/${ticketId}`);
    const body = await (await answer).text();
    await page.getByText(replyText).waitFor();
    await page.getByRole('heading', { name: 'Resolution' }).waitFor();
    await expect(page.locator('main').textContent()).resolves.not.toContain(noteText);
    expect(body).toContain(replyText);
    expect(body).not.toContain(noteText);
  });

  it('answers by mail; the reply reopens the ticket and shows in both portals, its HTML in a sandboxed frame', async () => {
    // Emma answers the notification Spoke mailed her about the agent's reply, as a mail client
    // would: to its Reply-To (the ticket's own address), with no ticket number in the subject.
    const outbox = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
      emails: { subject: string; replyTo?: string[]; destination: { to: string[] } }[];
    };
    const notification = outbox.emails.find(
      (mail) =>
        mail.subject.includes(ticketNumber) && mail.destination.to.includes('emma.employee@example.com'),
    );
    const replyAddress = notification?.replyTo?.[0] ?? '';
    expect(replyAddress).toMatch(/^support\+.+@spoke\.localhost$/);
    await sendMail({
      from: 'Emma Employee <emma.employee@example.com>',
      to: replyAddress,
      subject: 'Re: your answer',
      text: `${mailText}\n\nEmma`,
      html: `<p style="color: #1b5e20">${mailText}</p><p><b>Emma</b></p><img src="cid:sig@emma" alt="signature">`,
      attachments: [
        { filename: 'signature.png', content: Buffer.from(ONE_PIXEL_PNG, 'base64'), cid: 'sig@emma' },
      ],
    });
    const { page } = employee;
    await page.reload();
    await page.locator('.conversation').getByText('Plain text').first().waitFor();
    const frame = page.locator('.conversation iframe.mail-frame').first();
    expect(await frame.getAttribute('sandbox')).toBe('');
    const srcdoc = (await frame.getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toContain('<b>Emma</b>');
    expect(srcdoc).not.toContain('style=');
    await expect
      .poll(async () => (await frame.getAttribute('srcdoc')) ?? '', { timeout: 10_000 })
      .toContain('src="data:image/png;base64,');
    await page.locator('.badge').getByText('In progress').waitFor();

    await agent.page.reload();
    const agentFrame = agent.page.locator('.conversation iframe[sandbox=""]').last();
    await agentFrame.waitFor();
    expect(await agentFrame.getAttribute('srcdoc')).toContain(mailText);
  });

  it('replies in the portal', async () => {
    const { page } = employee;
    await page.getByLabel('Your reply to the service desk').fill('One more thing: it is slow to start.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Reply sent.').waitFor();
    await page.locator('.conversation').getByText('One more thing').waitFor();
    await fitsIn360px(page, 'ticket');
  });
});

describe('by keyboard alone', () => {
  /** Presses Tab until the focused element's accessible text matches, as a keyboard user would. */
  async function tabTo(page: Page, text: RegExp): Promise<void> {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate<string>(
        "(() => { const e = document.activeElement; return (e?.labels?.[0]?.textContent ?? '') + ' ' + (e?.textContent ?? '') + ' ' + (e?.getAttribute('aria-label') ?? ''); })()",
      );
      if (text.test(focused)) return;
    }
    throw new Error(`Tab never reached ${text}`);
  }

  it('lets an employee request something with Tab, Enter and typing only', async () => {
    const { page } = employee;
    await page.goto(cloud.urls.portal);
    await page.getByRole('heading', { name: /How can we help/ }).waitFor();
    await tabTo(page, /Request something/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Request something' }).waitFor();
    await tabTo(page, /Short description/);
    await page.keyboard.type('A second monitor');
    await tabTo(page, /^Description/);
    await page.keyboard.type('For the new desk on floor 2.');
    await tabTo(page, /Send request/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'A second monitor' }).waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/REQ\d{7}/);
  });
});

describe('an admin keeps groups, routing and the quarantine', () => {
  it('adds a group and a member', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Groups' }).waitFor();
    await page.getByRole('link', { name: /Network/ }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Field Services');
    await page.getByLabel('Id', { exact: true }).fill('field-services');
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.getByText('Group Field Services added.').waitFor();
    await checkPage(page, 'admin-groups');

    await page.getByRole('link', { name: /Field Services/ }).click();
    await page.getByRole('heading', { name: 'Field Services' }).waitFor();
    await page.getByText('Nobody is in this group yet.').waitFor();
    await page.getByLabel('Address').fill('alex.agent@example.com');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('alex.agent@example.com added.').waitFor();
    await page.getByLabel(/^Description/).fill('Engineers who go on site');
    await page.getByRole('button', { name: 'Save group' }).click();
    await page.getByText('Group saved.').waitFor();
    await page.locator('.lead').getByText('Engineers who go on site').waitFor();
    await checkPage(page, 'admin-group');
  });

  it('adds a routing rule and saves the list', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routing' }).click();
    await page.getByRole('heading', { name: 'Routing rules' }).waitFor();
    await page.locator('.rule-list strong', { hasText: 'Network trouble' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Site visits');
    await page.getByLabel('Words in the description').fill('on site, visit');
    await page.getByLabel('Route to group').selectOption('field-services');
    await page.getByRole('button', { name: 'Add rule to the list' }).click();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Routing rules saved.').waitFor();
    await checkPage(page, 'admin-routing');
    const saved = (await (await apiAs('admin', '/routing')).json()) as { rules: { id: string }[] };
    expect(saved.rules.map((rule) => rule.id)).toEqual(['network', 'hardware', 'site-visits']);
  });

  it('pages through a queue longer than a page with Load more', async () => {
    const token = await idToken(cloud, 'employee');
    for (let i = 1; i <= 52; i++) {
      const created = await fetch(`${cloud.urls.portal}/api/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ shortDescription: `VPN drops, report ${i}` }),
      });
      expect(created.status).toBe(201);
    }
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/work?view=queue&group=network&state=new`);
    const rows = page.locator('.queue-table tbody tr');
    await rows.nth(49).waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await rows.nth(51).waitFor();
    expect(await rows.count()).toBe(52);
    expect(new Set(await page.locator('.queue-table .ticket-number').allTextContents()).size).toBe(52);
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
  });

  it('lists quarantined mail and releases it', async () => {
    await sendMail({
      envelope: { from: 'relay@example.net', to: [LOCAL_SUPPORT_ADDRESS] },
      raw: 'From: undisclosed-recipients:;\r\nTo: support@spoke.localhost\r\nSubject: Who sent this\r\n\r\nNobody.\r\n',
    });
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quarantine' }).click();
    const item = page.getByRole('listitem').filter({ hasText: 'Who sent this' });
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('no usable sender address');
    await checkPage(page, 'admin-quarantine');
    await item.getByText('Preview the text').click();
    await item.getByText('Nobody.').waitFor();
    await item.getByRole('button', { name: /^Release/ }).click();
    // No sender still means no ticket: the page says so, with the reason, instead of "requested".
    await item.getByText('Not released: no usable sender address. It stays in quarantine.').waitFor();
    await item.getByRole('button', { name: /^Discard/ }).click();
    await item.getByText(/Discarded by ada\.admin@example\.com/).waitFor();
    expect(await item.getByRole('button', { name: /^Release/ }).count()).toBe(0);
  });
});

describe('throughout', () => {
  it('took a screenshot of every main page and kept the CSP without a single violation', () => {
    expect(screenshots).toEqual(
      expect.arrayContaining([
        'home',
        'new-ticket',
        'ticket',
        'my-tickets',
        'queue',
        'workspace',
        'admin-groups',
      ]),
    );
    expect([...employee.cspViolations, ...agent.cspViolations, ...admin.cspViolations]).toEqual([]);
  });
});

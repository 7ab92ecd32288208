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
 * Service levels in the portal (issue 15) on the whole local cloud: the SLA function follows the
 * tickets' events, its timers run in the local Scheduler, and the agent's "Due next" page shows
 * what breaches first across their groups with breached and at-risk markers; the admin edits a
 * business calendar, with each refusal shown at the field it names.
 */
let run: PortalRun;
let cloud: LocalCloud;
let agent: Person;
let admin: Person;

beforeAll(async () => {
  run = await startPortalRun('sla', ['agent', 'admin']);
  cloud = run.cloud;
  [agent, admin] = run.people as [Person, Person];
});

afterAll(async () => {
  await run?.stop();
});

const checkPage = (page: Page, name: string) => checkPortalPage(page, `sla-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `sla-${name}`);

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
}
interface SlaBody {
  clocks: { target: string; status: string; breached: boolean; warned: boolean }[];
}

const openPrinterTicket = async (shortDescription: string) => {
  const { status, body } = await api<TicketBody>('employee', '/tickets', {
    method: 'POST',
    body: { shortDescription, service: 'Printing' },
  });
  expect(status).toBe(201);
  return body;
};
const slaOf = async (id: string) => (await api<SlaBody>('agent', `/sla/records/${id}`)).body;

describe('service levels in the portal', () => {
  let first: TicketBody;

  it('starts a one-minute clock around the clock for printer incidents', async () => {
    const every = { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 };
    const created = await api('admin', '/sla/definitions', {
      method: 'POST',
      body: {
        id: 'printers-fast',
        name: 'Printers (fast)',
        conditions: { recordTypes: ['incident'], services: ['Printing'] },
        calendarId: '24x7',
        targets: { response: every, resolution: { ...every, '5': 600 } },
        warnAtPercent: 1,
      },
    });
    expect(created.status).toBe(201);
    first = await openPrinterTicket('Printer on floor 3 jams');
    await expect
      .poll(async () => (await slaOf(first.id))?.clocks?.[0]?.warned, { timeout: 20_000 })
      .toBe(true);
  });

  it('edits a business calendar, showing each refusal at the field it names', async () => {
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/admin/service-levels`);
    await page.getByRole('heading', { name: 'Business calendars' }).waitFor();
    await page.getByRole('button', { name: 'New calendar' }).click();
    const form = page.getByRole('form', { name: 'New calendar' });
    await form.getByLabel('Id', { exact: true }).fill('printing-hours');
    await form.getByLabel('Name', { exact: true }).fill('Printing hours');
    await form.getByLabel('Time zone (IANA)').fill('Europe/Atlantis');
    await form.getByLabel('Monday', { exact: true }).fill('08:00-12:00, 11:00-17:00');
    await form.getByLabel('Holidays (YYYY-MM-DD, one a line)').fill('2026-12-24\n2031-01-01');
    await form.getByLabel('Holidays cover from year').fill('2026');
    await form.getByLabel('to year', { exact: true }).fill('2027');
    await form.getByRole('button', { name: 'Create calendar' }).click();
    await form.getByText('Monday: has overlapping ranges').waitFor();
    await form.getByText('Time zone (IANA): is not an IANA time zone').waitFor();
    await form
      .getByText(/Holidays \(YYYY-MM-DD, one a line\): is outside the calendar's years 2026–2027/)
      .waitFor();
    expect(await form.getByLabel('Monday', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'calendar-errors');
    await fitsIn360px(page, 'calendar-errors');

    await form.getByLabel('Time zone (IANA)').fill('America/New_York');
    await form.getByLabel('Monday', { exact: true }).fill('08:00-12:00, 13:00-17:00');
    await form.getByLabel('Tuesday', { exact: true }).fill('08:00-17:00');
    await form.getByLabel('Holidays (YYYY-MM-DD, one a line)').fill('2026-12-24');
    await form.getByLabel('Services measured in it (comma-separated)').fill('Printing');
    await form.getByRole('button', { name: 'Create calendar' }).click();
    await page.getByText('Calendar printing-hours saved.').waitFor();
    const calendars = (
      await api<{
        items: { id: string; services: string[]; calendar: { timeZone: string; hours: unknown } }[];
      }>('admin', '/sla/calendars')
    ).body.items;
    expect(calendars.find((c) => c.id === 'printing-hours')).toMatchObject({
      services: ['Printing'],
      calendar: {
        timeZone: 'America/New_York',
        hours: { mon: ['08:00-12:00', '13:00-17:00'], tue: ['08:00-17:00'] },
      },
    });
  });

  it('shows the agent what breaches next across their groups, breached first, then at risk', async () => {
    const second = await openPrinterTicket('Printer on floor 4 prints blank pages');
    // The first ticket's minute runs out; its breach comes from the local Scheduler's timer.
    await expect
      .poll(async () => (await slaOf(first.id))?.clocks?.[0]?.breached, { timeout: 90_000, interval: 1000 })
      .toBe(true);
    await expect
      .poll(async () => (await slaOf(second.id))?.clocks?.[0]?.warned, { timeout: 20_000 })
      .toBe(true);

    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Due next' }).click();
    const list = page.getByRole('list', { name: 'Due next' });
    await list.waitFor();
    const rows = list.getByRole('listitem');
    const firstRow = rows.filter({ hasText: first.number });
    const secondRow = rows.filter({ hasText: second.number });
    await firstRow.getByText('Breached', { exact: true }).waitFor();
    await secondRow.getByText('At risk', { exact: true }).waitFor();
    const order = await rows.allInnerTexts();
    const at = (number: string) => order.findIndex((text) => text.includes(number));
    expect(at(first.number)).toBeLessThan(at(second.number));
    expect(order[at(first.number)]).toMatch(/overdue/);
    expect(order[at(second.number)]).toMatch(/\(in /);
    await checkPage(page, 'due');
    await fitsIn360px(page, 'due');
    await firstRow.getByRole('link', { name: first.number }).click();
    await page.getByRole('region', { name: 'Service levels' }).getByText('Breached').first().waitFor();
  }, 150_000);

  it('configures a breach to raise the priority and reassign, refusing a group that does not exist by name', async () => {
    const { page } = admin;
    await page.goto(`${cloud.urls.portal}/admin/service-levels`);
    const card = page.getByRole('form', { name: /Printers \(fast\)/ });
    await card.getByText('version 1').waitFor();
    const breach = card.getByRole('group', { name: 'On breach' });
    await breach.getByLabel('On breach: raise the priority to').selectOption('2');
    await breach.getByLabel('On breach: reassign to the group').fill('nowhere');
    await card.getByRole('button', { name: 'Save as version 2' }).click();
    await card.getByText(/escalations\[1\]\.reassignTo: nowhere is not a group/).waitFor();
    await checkPage(page, 'escalations');
    await fitsIn360px(page, 'escalations');
    await breach.getByLabel('On breach: reassign to the group').fill('network');
    await card.getByRole('button', { name: 'Save as version 2' }).click();
    await page.getByText('Saved as a new version').waitFor();
    const versions = (
      await api<{ items: { version: number; escalations: unknown[] }[] }>(
        'admin',
        '/sla/definitions/printers-fast/versions',
      )
    ).body.items;
    expect(versions[0]).toMatchObject({
      version: 2,
      escalations: [
        { on: 'warning', notify: ['assignee'] },
        { on: 'breach', notify: ['assignee', 'manager'], raisePriorityTo: 2, reassignTo: 'network' },
      ],
    });
  });
});

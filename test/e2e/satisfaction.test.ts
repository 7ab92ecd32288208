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
 * Satisfaction surveys in the portal (issue 17): the one-click link of the resolution mail opens
 * its confirmation page without signing in, the POST rates; the requester changes the rating on
 * the ticket's page. Axe-clean, and at 360 px.
 */
let run: PortalRun;
let cloud: LocalCloud;
let employee: Person;

beforeAll(async () => {
  run = await startPortalRun('satisfaction', ['employee']);
  cloud = run.cloud;
  [employee] = run.people as [Person];
});

afterAll(async () => {
  await run?.stop();
});

const checkPage = (page: Page, name: string) => checkPortalPage(page, `satisfaction-${name}`);
const fitsIn360px = (page: Page, name: string) => fitsNarrow(page, `satisfaction-${name}`);

async function call<T>(path: string, as: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await fetch(`${cloud.urls.portal}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${await idToken(cloud, as)}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return (await response.json()) as T;
}

/** The rating link (score 4) of the resolution mail to the requester, once it is in the outbox. */
async function ratingLink(number: string): Promise<string> {
  for (const until = Date.now() + 30_000; Date.now() < until; ) {
    const store = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
      emails: { subject: string; destination: { to: string[] }; body: { text: string } }[];
    };
    const mail = store.emails.find(
      (m) =>
        m.subject.startsWith(`[${number}] Resolved`) &&
        m.destination.to.includes('emma.employee@example.com'),
    );
    const link = /4 – good: (\S+)/.exec(mail?.body.text ?? '')?.[1];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No resolution mail with a rating link for ${number}`);
}

describe('satisfaction surveys in the portal', () => {
  it('rates from the mailed link without signing in, then changes the rating on the ticket page', async () => {
    const created = await call<{ id: string; number: string }>('/tickets', 'employee', 'POST', {
      shortDescription: 'Docking station flickers',
      description: 'Both screens go dark now and then.',
    });
    const { ticket } = await call<{ ticket: { version: number } }>(`/tickets/${created.id}`, 'agent');
    await call(`/tickets/${created.id}`, 'agent', 'PATCH', {
      version: ticket.version,
      state: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Firmware of the dock updated.',
    });
    const link = await ratingLink(created.number);
    expect(link).toMatch(/\/satisfaction\/[A-Za-z0-9_-]+~[A-Za-z0-9_-]+\?score=4$/);

    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    try {
      await page.goto(link);
      await page.getByRole('heading', { name: `Rate ${created.number}` }).waitFor();
      expect(await page.getByRole('radio', { name: '4 – Good' }).isChecked()).toBe(true);
      await checkPage(page, 'link');
      await fitsIn360px(page, 'link');
      await page.getByLabel('Comment (optional)').fill('Quick and friendly');
      await page.getByRole('button', { name: 'Send my rating' }).click();
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      await page.reload();
      await page.getByText('This ticket is rated already').waitFor();
    } finally {
      await context.close();
    }

    const { page: own } = employee;
    await own.setViewportSize({ width: 1280, height: 800 });
    await own.goto(`${cloud.urls.portal}/tickets/${created.id}`);
    await own.getByText('Rated 4 – Good: “Quick and friendly”').waitFor();
    await own.getByRole('radio', { name: '5 – Very good' }).check();
    await own.getByRole('button', { name: 'Change my rating' }).click();
    await own.getByText('Thank you: your rating is saved.').waitFor();
    await own.getByText('Rated 5 – Very good').waitFor();
    await checkPage(own, 'ticket');
    await fitsIn360px(own, 'ticket');
  });
});

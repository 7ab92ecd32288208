import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '#local/cloud.ts';
import {
  checkPage,
  fitsIn360px,
  idToken,
  type Person,
  type PortalRun,
  startPortalRun,
} from './portal-support.ts';

/**
 * Issue 16 in the browser: an article written and published by two agents is suggested while an
 * employee types a ticket's subject (the index follows the table's stream in the local cloud),
 * opens with "did this help?", and the agent's search finds a ticket of their queue by a word.
 */
let run: PortalRun;
let cloud: LocalCloud;
let employee: Person;
let agent: Person;

beforeAll(async () => {
  run = await startPortalRun('knowledge', ['employee', 'agent']);
  cloud = run.cloud;
  [employee, agent] = run.people as [Person, Person];
});

afterAll(async () => {
  await run?.stop();
});

async function api<T>(username: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const token = await idToken(cloud, username);
  const response = await fetch(`${cloud.urls.portal}/api${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

describe('knowledge and search in the portal', () => {
  it('suggests a published article while an employee types the subject, and takes "did this help?"', async () => {
    const { body: draft } = await api<{ id: string; number: string }>('agent', '/knowledge', {
      method: 'POST',
      body: { title: 'Reset a locked VPN token', body: '<p>Open the token app and press <b>reset</b>.</p>' },
    });
    await api('agent', `/knowledge/${draft.id}`, { method: 'PATCH', body: { version: 1, state: 'review' } });
    const published = await api<{ state: string }>('admin', `/knowledge/${draft.id}`, {
      method: 'PATCH',
      body: { version: 2, state: 'published' },
    });
    expect(published.body.state).toBe('published');

    const page = employee.page;
    await page.goto(`${cloud.urls.portal}/tickets/new?kind=incident`);
    const subject = page.getByLabel(/Short description/);
    const suggestions = page.getByRole('complementary', { name: 'Articles that may help' });
    // The index follows the stream within seconds: type again until the article is suggested.
    for (let attempt = 0; attempt < 20 && !(await suggestions.isVisible()); attempt++) {
      await subject.fill('');
      await subject.pressSequentially('vpn tok', { delay: 20 });
      await page.waitForTimeout(700);
    }
    await expect.poll(() => suggestions.isVisible(), { timeout: 5000 }).toBe(true);
    await checkPage(page, 'knowledge-suggestions');
    await suggestions.getByRole('link', { name: 'Reset a locked VPN token' }).click();
    await page.getByRole('heading', { name: 'Reset a locked VPN token' }).waitFor();
    expect(await page.getByText('press reset').isVisible()).toBe(true);
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByLabel(/Anything to add/).fill('Worked at once');
    await checkPage(page, 'knowledge-article');
    await fitsIn360px(page, 'knowledge-article');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you for your feedback.').waitFor();

    const { body: view } = await api<{ stats: Record<string, number> }>('agent', `/knowledge/${draft.id}`);
    expect(view.stats).toMatchObject({ helpful: 1, suggestionOpens: 1 });
    expect(view.stats.views).toBeGreaterThanOrEqual(1);
  });

  it("finds a ticket of the agent's queue by a word of its subject", async () => {
    const { body: opened } = await api<{ id: string; number: string }>('employee', '/tickets', {
      method: 'POST',
      body: { shortDescription: 'Outlook keeps asking for my password', description: 'Since Monday.' },
    });
    expect(opened.number).toMatch(/^INC/);

    const page = agent.page;
    for (let attempt = 0; attempt < 20; attempt++) {
      await page.goto(`${cloud.urls.portal}/search?q=outlook`);
      await page.getByRole('status').waitFor();
      if (await page.getByRole('link', { name: new RegExp(opened.number) }).isVisible()) break;
      await page.waitForTimeout(700);
    }
    await expect
      .poll(() => page.getByRole('link', { name: new RegExp(opened.number) }).isVisible())
      .toBe(true);
    expect(await page.locator('.search-results mark').first().textContent()).toMatch(/outlook/i);
    await checkPage(page, 'search-results');
    await fitsIn360px(page, 'search-results');
  });
});

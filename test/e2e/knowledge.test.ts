import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '#local/cloud.ts';
import { LOCAL_SUPPORT_ADDRESS } from '#local/cloud.ts';
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
let admin: Person;

beforeAll(async () => {
  run = await startPortalRun('knowledge', ['employee', 'agent', 'admin']);
  cloud = run.cloud;
  [employee, agent, admin] = run.people as [Person, Person, Person];
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
    await page.frameLocator('iframe[title^="Text of"]').getByText('press reset').waitFor();
    await page.getByRole('button', { name: 'This solved it' }).click();
    await page.getByText('Nothing was sent to the service desk').waitFor();
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByLabel(/Anything to add/).fill('Worked at once');
    await checkPage(page, 'knowledge-article');
    await fitsIn360px(page, 'knowledge-article');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you for your feedback.').waitFor();

    const { body: view } = await api<{ stats: Record<string, number> }>('agent', `/knowledge/${draft.id}`);
    expect(view.stats).toMatchObject({ helpful: 1, suggestionOpens: 1, deflections: 1 });
    expect(view.stats.views).toBeGreaterThanOrEqual(1);
  });

  it('lists the published article in the acknowledgement of a mailed-in ticket', async () => {
    const transport = createTransport({
      host: '127.0.0.1',
      port: Number(new URL(cloud.urls.smtp).port),
      ignoreTLS: true,
    });
    try {
      await transport.sendMail({
        from: 'Emma Employee <emma.employee@example.com>',
        to: LOCAL_SUPPORT_ADDRESS,
        subject: 'My VPN token is locked again',
        text: 'It says locked when I log in.',
      });
    } finally {
      transport.close();
      await cloud.mailIdle();
    }
    const acknowledgement = async () => {
      const store = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
        emails: { subject: string; body: { text?: string } }[];
      };
      return store.emails.find((m) => m.subject.includes('My VPN token is locked again'))?.body.text ?? '';
    };
    await expect
      .poll(acknowledgement, { timeout: 15_000 })
      .toContain('These articles may answer it already:');
    expect(await acknowledgement()).toMatch(
      /- KB\d{7} Reset a locked VPN token: http:\/\/[^\s]+\/knowledge\/[\w-]+\?from=suggestion/,
    );
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

  it('writes an article with a picture in the editor, sends it through review by another agent, compares revisions and retires it', async () => {
    const page = agent.page;
    await page.goto(`${cloud.urls.portal}/knowledge`);
    await page.getByRole('link', { name: 'New article' }).click();
    await page.getByLabel(/^Title/).fill('Connect the meeting-room display');
    const text = page.getByRole('textbox', { name: 'Text', exact: true });
    await text.click();
    await page.keyboard.type('Plug the cable into the wall port.');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('Press the input button twice.');
    await page.getByLabel(/^Category/).fill('Meeting rooms');
    await page.getByLabel(/^Review by/).fill('2027-06-30');
    await checkPage(page, 'knowledge-editor');
    await fitsIn360px(page, 'knowledge-editor');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('heading', { name: 'Connect the meeting-room display' }).waitFor();
    const articleUrl = page.url();

    await page.getByRole('link', { name: 'Edit' }).click();
    await page
      .getByLabel('Add picture')
      .setInputFiles({ name: 'display.png', mimeType: 'image/png', buffer: PNG });
    await page.getByText('display.png added at the end of the text.').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Connect the meeting-room display' }).waitFor();
    const frame = page.frameLocator('iframe[title^="Text of"]');
    await frame.getByText('Press the input button twice.').waitFor();
    expect(await frame.locator('b, strong').first().textContent()).toBe('Press the input button twice.');
    await expect
      .poll(() => frame.locator('img').getAttribute('src'), { timeout: 10_000 })
      .toMatch(/^data:image\/png;base64,/);
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('The article is now in review.').waitFor();
    expect(await page.getByRole('button', { name: 'Approve and publish' }).count()).toBe(0);

    const reviewer = admin.page;
    await reviewer.goto(articleUrl);
    await reviewer.getByRole('button', { name: 'Send back to the author' }).click();
    await reviewer.getByText('Say in the comment what the author should change.').waitFor();
    await reviewer.getByLabel(/^Comment/).fill('Say which wall port: the one under the screen.');
    await reviewer.getByRole('button', { name: 'Send back to the author' }).click();
    await reviewer.getByText('The article is now draft.').waitFor();

    await page.reload();
    await page.getByText('Say which wall port: the one under the screen.').waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    const box = page.getByRole('textbox', { name: 'Text', exact: true });
    await box.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Use the port under the screen.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('The article is now in review.').waitFor();

    await reviewer.reload();
    await reviewer.getByLabel(/^Comment/).fill('Clear now.');
    await reviewer.getByRole('button', { name: 'Approve and publish' }).click();
    await reviewer.getByText('The article is now published.').waitFor();

    await page.reload();
    await page.getByLabel('From', { exact: true }).selectOption('2');
    await page.getByLabel('To', { exact: true }).selectOption('3');
    await page.getByRole('button', { name: 'Show changes' }).click();
    const diff = page.getByRole('figure');
    await diff.getByText('Changes from revision 2 to 3').waitFor();
    const added = (await diff.locator('ins').allTextContents()).join('\n');
    expect(added, added).toContain('Use the port under the screen.');
    const removed = (await diff.locator('del').allTextContents()).join('\n');
    // The sentence went after the picture, the last line of the text.
    expect(removed, `${removed} / ${added}`).toContain('Removed: [display]');
    await checkPage(page, 'knowledge-review');
    await fitsIn360px(page, 'knowledge-review');

    await reviewer.reload();
    await reviewer.getByRole('button', { name: 'Retire' }).click();
    await reviewer.getByText('The article is now retired.').waitFor();
    const { body: view } = await api<{
      article: { state: string; approver: { email: string }; revision: number; body: string };
    }>('agent', `/knowledge/${articleUrl.split('/').pop()}`);
    expect(view.article).toMatchObject({
      state: 'retired',
      revision: 3,
      approver: { email: 'ada.admin@example.com' },
      // The picture survived both edits as the article's own file.
      body: expect.stringMatching(/<img alt="display" src="\/inline\/[\w-]+">/),
    });

    await page.goto(`${cloud.urls.portal}/knowledge?list=retired`);
    await page.getByRole('link', { name: /Connect the meeting-room display/ }).waitFor();
    await checkPage(page, 'knowledge-home');
    await fitsIn360px(page, 'knowledge-home');
  });

  it('drafts an article from a resolved ticket, and inserts a published article and its link into a reply', async () => {
    const { body: solved } = await api<{ id: string; version: number }>('employee', '/tickets', {
      method: 'POST',
      body: { shortDescription: 'Docking station shows no picture', description: 'The screen stays black.' },
    });
    const resolved = await api<{ state: string }>('agent', `/tickets/${solved.id}`, {
      method: 'PATCH',
      body: {
        version: solved.version,
        state: 'resolved',
        resolutionCode: 'solved',
        resolutionNotes: 'Updated the dock firmware, then replugged the USB-C cable.',
      },
    });
    expect(resolved.status).toBe(200);

    const page = agent.page;
    await page.goto(`${cloud.urls.portal}/work/tickets/${solved.id}`);
    await page.getByRole('button', { name: 'Turn into a knowledge article' }).click();
    await page.getByRole('heading', { name: /^Edit KB/ }).waitFor();
    expect(await page.getByLabel(/^Title/).inputValue()).toBe('Docking station shows no picture');
    expect(await page.getByRole('textbox', { name: 'Text', exact: true }).textContent()).toContain(
      'Updated the dock firmware',
    );

    const { body: open } = await api<{ id: string }>('employee', '/tickets', {
      method: 'POST',
      body: { shortDescription: 'My VPN token is locked', description: 'It says locked.' },
    });
    await page.goto(`${cloud.urls.portal}/work/tickets/${open.id}`);
    await page.getByText('Insert a knowledge article').click();
    await page.getByLabel('Search the published articles').fill('vpn token');
    await page.getByRole('button', { name: 'Find articles' }).click();
    await page
      .getByRole('button', { name: /Insert link to KB/ })
      .first()
      .click();
    await page
      .getByRole('button', { name: /Insert text of KB/ })
      .first()
      .click();
    const reply = page.getByLabel(/^Reply to/);
    await expect.poll(() => reply.inputValue()).toContain('press reset');
    expect(await reply.inputValue()).toMatch(/Reset a locked VPN token: http:\/\/[^\s]+\/knowledge\/\w+/);
    await checkPage(page, 'knowledge-insert');
    await page.getByRole('button', { name: /Send public reply/ }).click();
    await page.getByText(/Public reply sent/).waitFor();
  });
});

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

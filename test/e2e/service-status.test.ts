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
 * The service status banner and "me too" (issue 13): an agent's P1 incident linked to the Email
 * service makes Email an outage through the local bus (the synthesized status rule); the
 * employee sees "Email is down — we know, INC… — next update 14:00" on the portal home and
 * presses "Me too" once, which makes them a watcher and counts one press however often they press.
 */
let run: PortalRun;
let cloud: LocalCloud;
let employee: Person;
let agent: Person;

beforeAll(async () => {
  run = await startPortalRun('status', ['employee', 'agent']);
  cloud = run.cloud;
  [employee, agent] = run.people as [Person, Person];
}, 600_000);

afterAll(async () => {
  await run?.stop();
});

async function call<T>(user: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const token = await idToken(cloud, user);
  const response = await fetch(`${cloud.urls.portal}/api${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

/** 14:00 today in Berlin (the employee's tab runs in Europe/Berlin), as an ISO instant. */
function twoPmInBerlin(): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
  for (const offset of ['+01:00', '+02:00']) {
    const at = new Date(`${day}T14:00:00${offset}`);
    const shown = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', timeStyle: 'short' }).format(
      at,
    );
    if (shown === '14:00') return at.toISOString();
  }
  throw new Error('no 14:00 in Berlin today');
}

describe('service status banner and "me too"', () => {
  let incident: { id: string; number: string };
  let email: { id: string };

  it('an open P1 incident linked to Email shows as an outage on the employee home, with the next update', async () => {
    const opened = await call<{ id: string; number: string }>('agent', '/tickets', {
      method: 'POST',
      body: { shortDescription: 'Nobody receives mail', impact: 1, urgency: 1 },
    });
    expect(opened.status).toBe(201);
    incident = opened.body;
    const services = await call<{ items: { id: string; name: string }[] }>(
      'agent',
      '/cis?class=business_service',
    );
    email = services.body.items.find((ci) => ci.name === 'Email') as { id: string };
    const linked = await call('agent', `/records/incident/${incident.id}/cis`, {
      method: 'POST',
      body: { ciId: email.id },
    });
    expect(linked.status).toBe(201);
    await expect
      .poll(
        async () =>
          (await call<{ items: { status: string }[] }>('employee', '/service-status/outages')).body.items,
        {
          timeout: 20_000,
        },
      )
      .toMatchObject([
        { service: { name: 'Email' }, status: 'outage', incident: { number: incident.number } },
      ]);
    const said = await call('agent', `/service-status/${email.id}/override`, {
      method: 'PUT',
      body: { message: 'Mail is not delivered; the vendor is on it', nextUpdateAt: twoPmInBerlin() },
    });
    expect(said.status).toBe(200);
    const refused = await call('employee', `/service-status/${email.id}/override`, {
      method: 'PUT',
      body: { message: 'All good' },
    });
    expect(refused.status).toBe(403);

    const { page } = employee;
    await page.goto(cloud.urls.portal);
    const banner = page.getByRole('region', { name: 'Current outages' });
    await banner.getByText(incident.number, { exact: false }).first().waitFor();
    expect(await banner.textContent()).toContain(
      `Email is down — we know, ${incident.number} — next update 14:00`,
    );
    await expect.poll(() => banner.textContent()).toContain('Mail is not delivered; the vendor is on it');
    await checkPage(page, 'status-banner');
    await fitsIn360px(page, 'status-banner');
  });

  it('"Me too" follows the incident instead of a duplicate, counted once however often pressed', async () => {
    const { page } = employee;
    await page.getByRole('button', { name: /^Me too/ }).click();
    const followed = page.getByRole('status').filter({ hasText: `You follow ${incident.number}` });
    await followed.waitFor();
    expect(await followed.textContent()).toContain('1 person is affected');

    await page.reload();
    await page
      .getByRole('status')
      .filter({ hasText: `You follow ${incident.number}` })
      .waitFor();
    expect(await page.getByRole('button', { name: /^Me too/ }).count()).toBe(0);
    const again = await call<{ presses: number }>('employee', `/service-status/${email.id}/me-too`, {
      method: 'POST',
      body: { incidentId: incident.id },
    });
    expect(again.body.presses).toBe(1);
    const ticket = await call<{ ticket: { watchers: string[] } }>('employee', `/tickets/${incident.id}`);
    expect(ticket.status).toBe(200);
    expect(ticket.body.ticket.watchers).toContain('emma.employee@example.com');

    await page.getByRole('link', { name: 'Service status' }).click();
    await page.getByRole('heading', { name: 'Service status' }).waitFor();
    await expect
      .poll(() => page.getByRole('listitem').filter({ hasText: 'Email' }).first().textContent())
      .toContain('Outage');
    await checkPage(page, 'status-page');
    await fitsIn360px(page, 'status-page');
  });

  it('the agent picks CIs for the incident with the type-ahead (keyboard only); the link is a reference', async () => {
    const { page } = agent;
    await page.goto(`${cloud.urls.portal}/work/tickets/${incident.id}`);
    const panel = page.getByRole('region', { name: 'Services and configuration items' });
    await panel.getByRole('link', { name: 'Email' }).first().waitFor();
    // The blast radius: Email itself, owned by the admin (seed).
    const blast = panel.getByRole('list', { name: 'Business services affected by this record' });
    await expect.poll(() => blast.textContent()).toContain('Email');
    await expect.poll(() => panel.textContent()).toContain('ada.admin@example.com (owns Email)');
    const combobox = panel.getByRole('combobox', { name: 'Add a service or configuration item' });
    await combobox.fill('Exch');
    await panel.getByRole('option', { name: /Exchange Online/ }).waitFor();
    expect(await combobox.getAttribute('aria-expanded')).toBe('true');
    await checkPage(page, 'status-ci-picker');
    await combobox.press('ArrowDown');
    await combobox.press('Enter');
    await panel.getByRole('link', { name: 'Exchange Online' }).first().waitFor();
    const cis = await call<{ items: { ci: { name: string } }[] }>(
      'agent',
      `/records/incident/${incident.id}/cis`,
    );
    expect(cis.body.items.map((i) => i.ci.name).sort()).toEqual(['Email', 'Exchange Online']);
    await fitsIn360px(page, 'status-ci-picker');

    await panel.getByRole('link', { name: 'Exchange Online' }).first().click();
    const related = page.getByRole('list', { name: 'Related records' });
    await related.getByRole('link', { name: incident.number }).waitFor();
    await checkPage(page, 'status-ci-records');
  });
});

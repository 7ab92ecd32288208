import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * The monthly report mail through the whole local product: the function and its daily
 * schedule come from the synthesized template (the local config names the demo manager as
 * recipient), the figures from the counters the demo's events made, the mail lands in the
 * local SES outbox.
 */
interface Mail {
  subject: string;
  destination: { to: string[] };
  body: { text: string; html?: string };
}
const MANAGER = 'morgan.manager@example.com';
let cloud: LocalCloud;
let dataDir: string;
let adminToken: string;

const outbox = async () =>
  ((await (await fetch(`${cloud.urls.outbox}/store`)).json()) as { emails: Mail[] }).emails.filter((m) =>
    m.subject.startsWith('Service desk report for'),
  );
const scheduled = (time: string) => ({
  version: '0',
  id: `tick-${time}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  time,
  resources: [],
  detail: {},
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-monthly-'));
  cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  const { body } = await signIn({
    issuer: cloud.urls.identity,
    clientId: LOCAL_CLIENT_ID,
    redirectUri: `${cloud.urls.portal}/auth/callback`,
    username: 'admin',
  });
  adminToken = body.id_token ?? '';
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the monthly report mail', () => {
  it('runs daily by the template, mails last month’s figures from the counters once in a month’s first week', async () => {
    const fn = Object.values(cloud.template.functions).find(
      (f) => f.entry === 'functions/handlers/monthly-report.ts',
    );
    expect(fn).toBeDefined();
    expect(
      cloud.template.schedules.find((s) => s.functionIds.includes(fn?.logicalId ?? ''))?.everySeconds,
    ).toBe(86_400);
    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 2, 9)).toISOString();

    // The figures the report API reads from the counters for that month, once the demo's events are counted.
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0))
      .toISOString()
      .slice(0, 10);
    const read = async () => {
      const response = await fetch(
        `${cloud.urls.api}/api/reports?from=${month}-01&to=${last}&granularity=month`,
        {
          headers: { authorization: `Bearer ${adminToken}` },
        },
      );
      return (await response.json()) as { total: { tickets: { opened: number; resolved: number } } };
    };
    await cloud.mailIdle();
    let report = await read();
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const again = await read();
      if (JSON.stringify(again) === JSON.stringify(report)) break;
      report = again;
    }

    // Mid-month: nothing; in the first week of next month: this month's report, once.
    await cloud.functions.invoke(
      fn?.logicalId ?? '',
      scheduled(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 12)).toISOString()),
    );
    expect(await outbox()).toHaveLength(0);
    await cloud.functions.invoke(fn?.logicalId ?? '', scheduled(next));
    await cloud.functions.invoke(fn?.logicalId ?? '', scheduled(next));
    const mails = await outbox();
    expect(mails.map((m) => [m.subject, m.destination.to])).toEqual([
      [`Service desk report for ${month}`, [MANAGER]],
    ]);
    const [mail] = mails;

    expect(report.total.tickets.opened).toBeGreaterThan(0);
    expect(mail?.body.text).toContain(`Tickets opened: ${report.total.tickets.opened}`);
    expect(mail?.body.text).toContain(`Tickets resolved: ${report.total.tickets.resolved}`);
    expect(mail?.body.html).toContain(
      `<th scope="row">Tickets opened</th><td>${report.total.tickets.opened}</td>`,
    );
    expect(mail?.body.html).not.toMatch(/<script/i);
  });
});

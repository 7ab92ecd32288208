import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, LOCAL_SUPPORT_ADDRESS, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { demoUsers } from '#local/demo-users.ts';
import { signIn } from '../support/sign-in.ts';

let cloud: LocalCloud;
let dataDir: string;
const tokens: Record<string, string> = {};
const employee = demoUsers.find((u) => u.username === 'employee') as (typeof demoUsers)[number];

async function tokenFor(username: string): Promise<string> {
  const { body } = await signIn({
    issuer: cloud.urls.identity,
    clientId: LOCAL_CLIENT_ID,
    redirectUri: `${cloud.urls.portal}/auth/callback`,
    username,
  });
  if (!body.id_token) throw new Error(`No ID token for ${username}: ${body.error}`);
  return body.id_token;
}

/** What the tests read from API responses. */
interface TicketJson {
  id: string;
  number: string;
  shortDescription: string;
}
type Body = {
  items: TicketJson[];
  ticket: TicketJson;
  id: string;
  error: { code: string; message: string; fields: { path: string; message: string }[] };
};
const read = async (response: Response) => (await response.json()) as Body & TicketJson;

function api(path: string, init: RequestInit & { as?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.as) headers.set('authorization', `Bearer ${tokens[init.as]}`);
  return fetch(`${cloud.urls.api}${path}`, { ...init, headers });
}

const postJson = (path: string, body: unknown, as = 'employee', headers: Record<string, string> = {}) =>
  api(path, {
    method: 'POST',
    as,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function sendMail(message: Record<string, unknown>) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: Number(new URL(cloud.urls.smtp).port),
    ignoreTLS: true,
  });
  try {
    return await transport.sendMail({ to: LOCAL_SUPPORT_ADDRESS, ...message });
  } finally {
    transport.close();
    await cloud.mailIdle();
  }
}

async function outbox(): Promise<{ subject: string; destination: { to: string[] } }[]> {
  return ((await (await fetch(`${cloud.urls.outbox}/store`)).json()) as { emails: never[] }).emails;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-cloud-'));
  cloud = await startLocalCloud({
    dataDir,
    seed: false,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  for (const user of ['employee', 'agent', 'approver', 'admin']) tokens[user] = await tokenFor(user);
});

afterAll(async () => {
  await cloud?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local API behind the API Gateway emulator', () => {
  it('answers health without a token and everything else only with a valid one', async () => {
    expect(await read(await api('/api/health'))).toEqual({ status: 'ok' });
    expect((await api('/api/tickets')).status).toBe(401);
    const forged = `${(tokens.employee ?? '').slice(0, -4)}AAAA`;
    expect((await api('/api/tickets', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect(await read(await api('/api/me', { as: 'agent' }))).toMatchObject({
      email: 'alex.agent@example.com',
      groups: ['agents'],
      assignmentGroups: [],
    });
  });

  it('lets an employee open an incident and find it under their tickets', async () => {
    const created = await postJson('/api/tickets', {
      shortDescription: 'Wi-Fi drops in room 4',
      impact: 2,
      urgency: 1,
    });
    const ticket = await read(created);

    expect(created.status).toBe(201);
    expect(ticket).toMatchObject({
      number: expect.stringMatching(/^INC\d{7}$/),
      priority: 2,
      state: 'new',
      channel: 'portal',
    });
    const mine = await read(await api('/api/tickets?view=mine', { as: 'employee' }));
    expect(mine.items.map((t) => t.id)).toContain(ticket.id);
    const opened = await read(await api(`/api/tickets/${ticket.id}`, { as: 'employee' }));
    expect(opened.ticket.number).toBe(ticket.number);
  });

  it('attaches service levels through the SLA function the template routes record events to, with its timer in the local Scheduler', async () => {
    const ticket = await read(
      await postJson('/api/tickets', { shortDescription: 'Monitor flickers', impact: 2, urgency: 2 }),
    );
    let sla: Response | undefined;
    for (let i = 0; i < 100 && sla?.status !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      sla = await api(`/api/sla/records/${ticket.id}`, { as: 'employee' });
    }
    const view = (await sla?.json()) as {
      clocks: { name: string; target: string; status: string; dueAt: string }[];
    };
    expect(view.clocks.map((c) => `${c.target}:${c.status}`)).toEqual([
      'response:running',
      'resolution:running',
    ]);
    const schedule = cloud.scheduler.list().find((s) => s.Name === `sla-${ticket.id}`);
    expect(schedule).toMatchObject({
      GroupName: cloud.template.scheduler.groupNames[0],
      Target: { Arn: expect.stringContaining(':function:') },
    });
    expect(Object.keys(cloud.template.scheduler.roles)).toContain(schedule?.Target.RoleArn);
    expect((await api(`/api/sla/records/${ticket.id}`, { as: 'approver' })).status).toBe(404);
  });

  it('hides a ticket from someone who is neither its requester nor an agent (404, not 403)', async () => {
    const ticket = await read(await postJson('/api/tickets', { shortDescription: 'Private matter' }));

    const approver = await api(`/api/tickets/${ticket.id}`, { as: 'approver' });
    expect(approver.status).toBe(404);
    expect((await api(`/api/tickets/${ticket.id}`, { as: 'agent' })).status).toBe(200);
    const approverList = await read(await api('/api/tickets', { as: 'approver' }));
    expect(approverList.items).toEqual([]);
  });

  it('answers 404 to reading, changing or replying to someone else’s ticket by id', async () => {
    const ticket = await read(await postJson('/api/tickets', { shortDescription: 'Salary question' }));

    const change = await api(`/api/tickets/${ticket.id}`, {
      method: 'PATCH',
      as: 'approver',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, shortDescription: 'hijacked' }),
    });
    expect(change.status).toBe(404);
    expect((await postJson(`/api/tickets/${ticket.id}/articles`, { body: 'hi' }, 'approver')).status).toBe(
      404,
    );
    expect((await api(`/api/tickets/${ticket.id}/history`, { as: 'approver' })).status).toBe(404);
    expect((await api(`/api/tickets/by-number/${ticket.number}`, { as: 'approver' })).status).toBe(404);
    expect((await api(`/api/tickets/${ticket.id}/attachments`, { as: 'approver' })).status).toBe(404);
    expect(
      (await read(await api(`/api/tickets/${ticket.id}`, { as: 'employee' }))).ticket.shortDescription,
    ).toBe('Salary question');
  });

  it('describes itself in OpenAPI 3.1 without a token', async () => {
    const document = (await (await api('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, object>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/tickets',
        '/api/tickets/{id}',
        '/api/tickets/{id}/articles',
        '/api/groups',
        '/api/routing',
      ]),
    );
  });

  it('returns the first ticket again for a retried create with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'retry-test-0001' };
    const first = await postJson('/api/tickets', { shortDescription: 'Once only' }, 'employee', headers);
    const second = await postJson('/api/tickets', { shortDescription: 'Once only' }, 'employee', headers);

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect((await read(second)).id).toBe((await read(first)).id);
  });

  it('answers bad input with a status and a message that names the problem, and keeps serving', async () => {
    const unknownRoute = await api('/api/nothing-here', { as: 'employee' });
    expect(unknownRoute.status).toBe(404);
    expect((await read(unknownRoute)).error.code).toBe('not_found');

    const wrongMethod = await api('/api/tickets', { method: 'DELETE', as: 'employee' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');

    const malformed = await api('/api/tickets', {
      method: 'POST',
      as: 'employee',
      headers: { 'content-type': 'application/json' },
      body: '{"shortDescription": ',
    });
    expect(malformed.status).toBe(400);
    expect((await read(malformed)).error.message).toMatch(/not valid JSON/);

    const invalid = await read(
      await postJson('/api/tickets', { shortDescription: '', impact: 7, color: 'red' }),
    );
    expect(invalid.error.fields.map((f) => f.path).sort()).toEqual([
      '(request)',
      'impact',
      'shortDescription',
    ]);
    expect(invalid.error.fields.find((f) => f.path === '(request)')?.message).toMatch(/color/);

    const tooLarge = await postJson('/api/tickets', {
      shortDescription: 'x',
      description: 'y'.repeat(300 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    const overGateway = await postJson('/api/tickets', { description: 'z'.repeat(11 * 1024 * 1024) });
    expect(overGateway.status).toBe(413);

    expect((await api('/api/health')).status).toBe(200);
  });
});

describe('the local SES inbound through SMTP', () => {
  it('turns a mail into a ticket for the sender and acknowledges it through the SES outbox', async () => {
    await sendMail({
      from: `Emma <${employee.email}>`,
      subject: 'Cannot print',
      text: 'The printer says offline.',
    });

    const mine = await read(await api('/api/tickets', { as: 'employee' }));
    const ticket = mine.items.find((t) => t.shortDescription === 'Cannot print');
    expect(ticket).toMatchObject({ channel: 'email', requester: { email: employee.email } });
    const sent = await outbox();
    expect(
      sent.some(
        (m) => m.subject === `[${ticket?.number}] Cannot print` && m.destination.to.includes(employee.email),
      ),
    ).toBe(true);
  });

  it('never lets a Message-ID with a hidden line break into the headers of the acknowledgement', async () => {
    const injected = Buffer.from(
      '<a@b>\r\nBcc: attacker@evil.test\r\nContent-Type: text/html\r\n\r\n<h1>phish</h1>',
    ).toString('base64');
    await sendMail({
      envelope: { from: employee.email, to: [LOCAL_SUPPORT_ADDRESS] },
      raw: `From: ${employee.email}\r\nTo: ${LOCAL_SUPPORT_ADDRESS}\r\nSubject: Injection attempt\r\nMessage-ID: =?UTF-8?B?${injected}?=\r\n\r\nHello\r\n`,
    });

    const sent = (await outbox()) as unknown as {
      subject: string;
      destination: { bcc: string[] };
      body: { html?: string };
    }[];
    const ack = sent.find((m) => m.subject.endsWith('Injection attempt'));
    expect(ack?.destination.bcc).toEqual([]);
    expect(ack?.body.html).toBeUndefined();
  });

  it('opens a ticket for an out-of-office reply but never answers it', async () => {
    const before = (await outbox()).length;
    await sendMail({
      from: employee.email,
      subject: 'Automatic reply: out of office',
      text: 'I am away until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });

    expect((await outbox()).length).toBe(before);
  });

  it('quarantines a mail it cannot attribute to a sender, with the reason, listed for admins only', async () => {
    await sendMail({
      envelope: { from: 'relay@example.net', to: [LOCAL_SUPPORT_ADDRESS] },
      raw: 'From: undisclosed-recipients:;\r\nTo: support@spoke.localhost\r\nSubject: Who am I\r\n\r\nNobody.\r\n',
    });

    const listed = (await (await api('/api/quarantine', { as: 'admin' })).json()) as {
      items: { subject?: string; reason: string }[];
    };
    expect(listed.items.find((q) => q.subject === 'Who am I')?.reason).toBe('no usable sender address');
    expect((await api('/api/quarantine', { as: 'agent' })).status).toBe(403);
    const entry = listed.items.find((q) => q.subject === 'Who am I') as unknown as { id: string };
    expect((await postJson(`/api/quarantine/${entry.id}/release`, {}, 'agent')).status).toBe(403);
    expect((await postJson('/api/quarantine/no-such-entry/release', {}, 'admin')).status).toBe(404);
    const release = await postJson(`/api/quarantine/${entry.id}/release`, {}, 'admin');
    expect(release.status).toBe(202);
  });

  it('refuses recipients the receipt rule does not cover, as SES does', async () => {
    const transport = createTransport({
      host: '127.0.0.1',
      port: Number(new URL(cloud.urls.smtp).port),
      ignoreTLS: true,
    });
    await expect(
      transport.sendMail({ from: employee.email, to: 'someone@elsewhere.example', subject: 'x', text: 'y' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    transport.close();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { demoUsers } from '#local/demo-users.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * The service catalog driven through the whole local product: the HTTP API, DynamoDB Local, the
 * catalog request state machine synthesized from infra/catalog.ts on the local runner, and the
 * SES outbox. An employee orders a phone; the manager approves from the mailed link; two teams
 * close their tasks; the employee sees it done.
 */
let cloud: LocalCloud;
let dataDir: string;
let timeouts: 'declared' | 'one-second' = 'declared';
const tokens: Record<string, string> = {};
const email = (username: string) => demoUsers.find((u) => u.username === username)?.email as string;

interface Mail {
  subject: string;
  destination: { to: string[] };
  body: { text: string };
}
interface RequestJson {
  id: string;
  number: string;
  state: string;
  version: number;
  approval: { status: string; reason?: string };
  items: { itemId: string; itemVersion: number; answers: Record<string, unknown> }[];
}
interface Progress {
  request: RequestJson;
  approvals: { index: number; kind: string; status: string; approvers: string[] }[];
  tasks: { id: string; number: string; step: string; title: string; group: string; state: string }[];
  next: string;
}
interface TaskJson {
  id: string;
  number: string;
  version: number;
  state: string;
  group: string;
}

function api(path: string, init: RequestInit & { as?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.as) headers.set('authorization', `Bearer ${tokens[init.as]}`);
  return fetch(`${cloud.urls.api}${path}`, { ...init, headers });
}
const send = (method: string, path: string, body: unknown, as?: string) =>
  api(path, {
    method,
    ...(as ? { as } : {}),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const json = async <T>(pending: Response | Promise<Response>): Promise<T> => {
  const response = await pending;
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};
const mailsAbout = async (number: string) =>
  ((await (await fetch(`${cloud.urls.outbox}/store`)).json()) as { emails: Mail[] }).emails.filter((m) =>
    m.subject.startsWith(`[${number}]`),
  );

async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const progress = (id: string, as = 'employee') => json<Progress>(api(`/api/requests/${id}`, { as }));
const linkIn = (mail: Mail, label: 'Approve' | 'Reject') =>
  new RegExp(`${label}:\\s+\\S+/requests/approve/(\\S+)`).exec(mail.body.text)?.[1] as string;

const phone = {
  itemId: 'mobile-phone',
  answers: { model: 'pixel-9', keep_number: true, number: '+49 30 1234567' },
};

/** The automation hooks' other side: `groups` adds to a group, `broken` always fails. */
let hookServer: Server;
const hookCalls: { hook: string; key: string; body: { task: string; answers: Record<string, unknown> } }[] =
  [];

beforeAll(async () => {
  hookServer = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const hook = request.url?.slice(1) ?? '';
      hookCalls.push({ hook, key: String(request.headers['idempotency-key']), body: JSON.parse(text) });
      if (hook === 'groups')
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"result":"added to vpn-users"}');
      else response.writeHead(500).end('directory unavailable');
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  const hookBase = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-catalog-'));
  cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    settings: {
      CATALOG_AUTOMATION_HOOKS: JSON.stringify({
        groups: `${hookBase}/groups`,
        broken: `${hookBase}/broken`,
      }),
    },
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    taskTimeoutSeconds: (_state, declared) => (timeouts === 'one-second' ? 1 : declared),
  });
  for (const username of ['employee', 'agent', 'manager', 'admin']) {
    const { body } = await signIn({
      issuer: cloud.urls.identity,
      clientId: LOCAL_CLIENT_ID,
      redirectUri: `${cloud.urls.portal}/auth/callback`,
      username,
    });
    if (!body.id_token) throw new Error(`No ID token for ${username}`);
    tokens[username] = body.id_token;
  }
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await new Promise((resolve) => hookServer?.close(resolve));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('catalog requests through the synthesized state machine', () => {
  it('an employee orders a phone, the manager approves from the mailed link, two teams close their tasks, the employee sees it done', async () => {
    const catalog = await json<{ items: { id: string }[] }>(api('/api/catalog', { as: 'employee' }));
    expect(catalog.items.map((i) => i.id)).toContain('mobile-phone');
    expect(catalog.items.map((i) => i.id)).not.toContain('new-employee'); // people managers only

    const ordered = await json<RequestJson>(send('POST', '/api/requests', { items: [phone] }, 'employee'));
    expect(ordered.number).toMatch(/^REQ\d{7}$/);
    expect(ordered.items[0]).toMatchObject({ itemId: 'mobile-phone', itemVersion: 1 });

    const [request] = await eventually(async () => {
      const mails = await mailsAbout(ordered.number);
      return mails.length > 0 && mails;
    }, 'the approval mail');
    expect(request?.destination.to).toEqual([email('manager')]);
    expect(request?.subject).toBe(`[${ordered.number}] Approval requested: New mobile phone`);
    const token = linkIn(request as Mail, 'Approve');
    // Opening the link decides nothing; the POST does, once.
    const preview = await json<{ status: string; request: { number: string } }>(
      api(`/api/request-approval-links/${token}`),
    );
    expect(preview).toMatchObject({ status: 'pending', request: { number: ordered.number } });
    await json(send('POST', `/api/request-approval-links/${token}`, {}));
    expect((await send('POST', `/api/request-approval-links/${token}`, {})).status).toBe(409);

    const working = await eventually(async () => {
      const p = await progress(ordered.id);
      return p.tasks.length === 2 && p;
    }, 'both tasks');
    expect(working.request.state).toBe('in_fulfilment');
    expect(working.approvals).toMatchObject([{ index: 1, kind: 'manager', status: 'approved' }]);
    expect(working.tasks.map((t) => `${t.group}: ${t.title}`).sort()).toEqual([
      'service-desk: Mail and SIM',
      'workplace: Phone from stock',
    ]);
    expect(working.next).toMatch(/^Being worked on: /);
    // The employee sees progress but cannot work tasks; the agent of the groups can.
    expect((await api(`/api/tasks/${working.tasks[0]?.id}`, { as: 'employee' })).status).toBe(404);

    for (const summary of working.tasks) {
      const task = await json<TaskJson>(api(`/api/tasks/${summary.id}`, { as: 'agent' }));
      const closeWithoutNote = await send(
        'PATCH',
        `/api/tasks/${task.id}`,
        { version: task.version, state: 'closed' },
        'agent',
      );
      expect(closeWithoutNote.status).toBe(400);
      await json(
        send(
          'PATCH',
          `/api/tasks/${task.id}`,
          { version: task.version, state: 'closed', closeNote: 'Done.', assignee: 'me' },
          'agent',
        ),
      );
    }

    const done = await eventually(async () => {
      const p = await progress(ordered.id);
      return p.request.state === 'fulfilled' && p;
    }, 'the request to be fulfilled');
    expect(done.next).toBe('Everything you ordered was delivered');
    expect(done.tasks.every((t) => t.state === 'closed')).toBe(true);
    const fulfilled = await eventually(
      async () => (await mailsAbout(ordered.number)).find((m) => m.subject.includes('Fulfilled')),
      'the fulfilled mail',
    );
    expect(fulfilled.destination.to).toEqual([email('employee')]);
    const mine = await json<{ items: RequestJson[] }>(api('/api/requests', { as: 'employee' }));
    expect(mine.items.find((r) => r.id === ordered.id)?.state).toBe('fulfilled');
  }, 90_000);

  it('answers that do not fit the form are a 400 naming each field, and nothing is ordered', async () => {
    const response = await send(
      'POST',
      '/api/requests',
      {
        items: [
          {
            itemId: 'mobile-phone',
            answers: { model: 'nokia', keep_number: false, number: '1', colour: 'red' },
          },
        ],
      },
      'employee',
    );
    const body = (await response.json()) as { error: { fields: { path: string; message: string }[] } };

    expect(response.status).toBe(400);
    expect(body.error.fields).toEqual([
      { path: 'items[0].answers.number', message: 'is not shown for these answers; leave it out' },
      { path: 'items[0].answers.colour', message: 'is not a field of this form' },
      { path: 'items[0].answers.model', message: 'must be one of iphone-15, pixel-9' },
    ]);
  });

  it('a rejection ends the request and mails the reason to the requester', async () => {
    const ordered = await json<RequestJson>(send('POST', '/api/requests', { items: [phone] }, 'employee'));
    await eventually(async () => (await progress(ordered.id)).approvals.length === 1, 'the approval step');
    // Someone who is not involved learns nothing; the approver may read what they decide on.
    expect(
      (await send('POST', `/api/requests/${ordered.id}/approvals/1`, { decision: 'approved' }, 'agent'))
        .status,
    ).toBe(404);
    expect((await api(`/api/requests/${ordered.id}`, { as: 'agent' })).status).toBe(404);
    expect((await api(`/api/requests/${ordered.id}`, { as: 'manager' })).status).toBe(200);
    // The employee may not approve their own order; the manager rejects in the portal.
    expect(
      (await send('POST', `/api/requests/${ordered.id}/approvals/1`, { decision: 'approved' }, 'employee'))
        .status,
    ).toBe(403);
    await json(
      send(
        'POST',
        `/api/requests/${ordered.id}/approvals/1`,
        { decision: 'rejected', comment: 'You got one in March.' },
        'manager',
      ),
    );

    const rejected = await eventually(async () => {
      const p = await progress(ordered.id);
      return p.request.state === 'rejected' && p;
    }, 'the rejection');
    expect(rejected.request.approval).toMatchObject({ status: 'rejected', reason: 'You got one in March.' });
    expect(rejected.tasks).toEqual([]);
    const mail = await eventually(
      async () => (await mailsAbout(ordered.number)).find((m) => m.subject.includes('Rejected')),
      'the rejection mail',
    );
    expect(mail.body.text).toContain('You got one in March.');
  }, 60_000);

  it('editing an item stores a new version; a request in flight keeps the version it was ordered under', async () => {
    const ordered = await json<RequestJson>(send('POST', '/api/requests', { items: [phone] }, 'employee'));
    const current = await json<{ version: number } & Record<string, unknown>>(
      api('/api/catalog/items/mobile-phone', { as: 'admin' }),
    );
    const {
      id: _,
      version,
      createdAt: _c,
      updatedAt: _u,
      updatedBy: _b,
      ...body
    } = current as Record<string, unknown>;
    const edited = await json<{ version: number }>(
      send(
        'PUT',
        '/api/catalog/items/mobile-phone',
        {
          ...body,
          version,
          form: [
            {
              id: 'model',
              label: 'Model',
              type: 'choice',
              required: true,
              options: [{ value: 'pixel-10', label: 'Pixel 10' }],
            },
          ],
        },
        'admin',
      ),
    );
    expect(edited.version).toBe((version as number) + 1);

    // The old request still reads its own version and goes on; a new order must fit the new form.
    const old = await json<{ form: { id: string }[] }>(
      api(`/api/catalog/items/mobile-phone?version=${version}`, { as: 'employee' }),
    );
    expect(old.form.map((f) => f.id)).toEqual(['model', 'keep_number', 'number']);
    expect((await send('POST', '/api/requests', { items: [phone] }, 'employee')).status).toBe(400);
    await eventually(
      async () => (await progress(ordered.id)).approvals.length === 1,
      'the old request to ask for approval',
    );
    await json(send('POST', `/api/requests/${ordered.id}/approvals/1`, { decision: 'approved' }, 'manager'));
    const fulfilling = await eventually(async () => {
      const p = await progress(ordered.id);
      return p.tasks.length === 2 && p;
    }, 'its tasks, from version 1 of the plan');
    expect(fulfilling.request.items[0]?.itemVersion).toBe(version);
  }, 60_000);

  it('an approval nobody decides is reminded, escalated to the escalation group, then expires and ends the request', async () => {
    timeouts = 'one-second';
    try {
      // VPN access: the manager approves (the phone's form changed in the test before).
      const vpn = { itemId: 'vpn-access', answers: {} };
      const ordered = await json<RequestJson>(send('POST', '/api/requests', { items: [vpn] }, 'employee'));
      const ended = await eventually(
        async () => {
          const p = await progress(ordered.id);
          return p.request.state === 'rejected' && p;
        },
        'the approval to expire',
        30_000,
      );
      expect(ended.request.approval).toMatchObject({
        status: 'expired',
        reason: 'Nobody approved it in time',
      });
      expect(ended.approvals).toMatchObject([{ kind: 'manager', status: 'expired' }]);
      // The mail that the request ended is sent by the workflow's last task, after the state is stored.
      await expect
        .poll(async () => (await mailsAbout(ordered.number)).map((m) => m.subject.split(':')[0]), {
          timeout: 15_000,
        })
        .toEqual(
          expect.arrayContaining([
            `[${ordered.number}] Approval requested`,
            `[${ordered.number}] Reminder`,
            `[${ordered.number}] Escalated`,
            `[${ordered.number}] Rejected`,
          ]),
        );
    } finally {
      timeouts = 'declared';
    }
  }, 60_000);
  it('an agent orders several items for a caller as one request; a bad line is a 400 naming its item and field', async () => {
    const laptop = { itemId: 'laptop', answers: { reason: 'new' } };
    // Items no other test of this file edits (the phone's form changes in one of them).
    const vpn = { itemId: 'vpn-access', answers: {} };
    const badVpn = { itemId: 'vpn-access', answers: { until: 'soon' } };
    const refused = await send(
      'POST',
      '/api/requests/check',
      { requestedFor: email('employee'), items: [laptop, badVpn] },
      'agent',
    );
    const problem = (await refused.json()) as { error: { message: string; fields: unknown[] } };
    expect(refused.status).toBe(400);
    expect(problem.error.fields).toEqual([
      { path: 'items[1].answers.until', message: 'must be a date (YYYY-MM-DD)' },
    ]);
    expect(problem.error.message).toContain('items[1].answers.until (VPN access) must be a date');
    // An employee may not order for someone else.
    expect(
      (await send('POST', '/api/requests', { requestedFor: email('agent'), items: [phone] }, 'employee'))
        .status,
    ).toBe(403);

    const ordered = await json<
      RequestJson & { requester: { email: string }; requestedFor: { email: string } }
    >(send('POST', '/api/requests', { requestedFor: email('employee'), items: [laptop, vpn] }, 'agent'));
    expect(ordered.items.map((i) => i.itemId)).toEqual(['laptop', 'vpn-access']);
    expect(ordered.requester.email).toBe(email('agent'));
    expect(ordered.requestedFor.email).toBe(email('employee'));
    // The caller sees it among their requests, and the manager is asked once for both items.
    const mine = await json<{ items: RequestJson[] }>(api('/api/requests', { as: 'employee' }));
    expect(mine.items.map((r) => r.id)).toContain(ordered.id);
    const waiting = await eventually(async () => {
      const p = await progress(ordered.id);
      return p.approvals.length > 0 && p;
    }, 'the approval step');
    expect(waiting.approvals.map((a) => a.kind)).toEqual(['manager']);
    const inbox = await eventually(async () => {
      const page = await json<{ items: { requestId: string; index: number }[] }>(
        api('/api/request-approvals', { as: 'manager' }),
      );
      return page.items.find((entry) => entry.requestId === ordered.id);
    }, 'the manager inbox entry');
    expect(inbox.index).toBe(1);
  }, 60_000);

  it('automated tasks: a hook that works closes its task with its result; one that keeps failing is retried, then left open for a person with the error', async () => {
    await json(
      send(
        'POST',
        '/api/catalog/items',
        {
          id: 'group-access',
          name: 'Group access',
          category: 'access',
          form: [{ id: 'why', label: 'Why', type: 'text', required: true }],
          plan: {
            stages: [
              {
                tasks: [
                  {
                    title: 'Add to the VPN group',
                    group: 'network',
                    automation: { hook: 'groups', input: { group: 'vpn-users' } },
                  },
                  { title: 'Create the ERP account', group: 'service-desk', automation: { hook: 'broken' } },
                ],
              },
            ],
          },
        },
        'admin',
      ),
    );
    const ordered = await json<RequestJson>(
      send(
        'POST',
        '/api/requests',
        { items: [{ itemId: 'group-access', answers: { why: 'travel' } }] },
        'employee',
      ),
    );
    const handedOver = await eventually(
      async () => {
        const p = await progress(ordered.id);
        const erp = p.tasks.find((t) => t.title === 'Create the ERP account');
        if (!erp) return false;
        const task = await json<TaskJson & { automationError?: string }>(
          api(`/api/tasks/${erp.id}`, { as: 'agent' }),
        );
        return task.automationError !== undefined && { p, task };
      },
      'the failed automation to be handed to a person',
      60_000,
    );
    const vpn = handedOver.p.tasks.find((t) => t.title === 'Add to the VPN group');
    expect(vpn?.state).toBe('closed');
    const vpnTask = await json<{ closeNote: string }>(api(`/api/tasks/${vpn?.id}`, { as: 'agent' }));
    expect(vpnTask.closeNote).toBe('Done by automation groups: added to vpn-users');
    expect(handedOver.task.state).toBe('open');
    expect(handedOver.task.automationError).toBe('Hook broken answered 500: directory unavailable');
    // One call, then two retries, each with the task as idempotency key; the answers went along.
    const broken = hookCalls.filter((c) => c.hook === 'broken');
    expect(broken.map((c) => c.key)).toEqual([handedOver.task.id, handedOver.task.id, handedOver.task.id]);
    expect(hookCalls.find((c) => c.hook === 'groups')?.body.answers).toEqual({ why: 'travel' });
    const history = await json<{ items: { field: string; newValue?: unknown; reason?: string }[] }>(
      api(`/api/tasks/${handedOver.task.id}/history`, { as: 'agent' }),
    );
    expect(history.items.filter((h) => h.field === 'automation' && h.newValue === 'failed')).toHaveLength(3);

    // The person does it by hand; the request is fulfilled.
    await json(
      send(
        'PATCH',
        `/api/tasks/${handedOver.task.id}`,
        { version: handedOver.task.version, state: 'closed', closeNote: 'Created by hand.', assignee: 'me' },
        'agent',
      ),
    );
    await eventually(async () => (await progress(ordered.id)).request.state === 'fulfilled', 'fulfilment');
  }, 120_000);
});

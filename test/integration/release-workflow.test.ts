import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { demoUsers } from '#local/demo-users.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * A release's go/no-go through the whole local product: the HTTP API, DynamoDB Local, the
 * go/no-go state machine synthesized from infra/release.ts on the local runner (token rounds of
 * infra/approval-rounds.ts), mailed single-use links in the SES outbox; and the pipeline gate's
 * token-authenticated routes.
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
interface ReleaseJson {
  id: string;
  number: string;
  version: number;
  stage: string;
  goNoGo: { status: string; attempt: number };
}

function api(path: string, init: RequestInit & { as?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.as) headers.set('authorization', `Bearer ${tokens[init.as]}`);
  return fetch(`${cloud.urls.api}${path}`, { ...init, headers });
}
const send = (
  method: string,
  path: string,
  body: unknown,
  as?: string,
  headers: Record<string, string> = {},
) =>
  api(path, {
    method,
    ...(as ? { as } : {}),
    headers: { 'content-type': 'application/json', ...headers },
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
  ms = 30_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const linkIn = (mail: Mail, label: 'Go' | 'No-go') =>
  new RegExp(`${label}:\\s+\\S+/releases/approve/(\\S+)`).exec(mail.body.text)?.[1] as string;

async function releaseInTest(name: string, manager?: string): Promise<ReleaseJson> {
  let release = await json<ReleaseJson>(
    send(
      'POST',
      '/api/releases',
      {
        name,
        plannedStart: '2026-12-20T08:00:00Z',
        plannedEnd: '2026-12-21T08:00:00Z',
        ...(manager ? { manager } : {}),
      },
      'admin',
    ),
  );
  for (const to of ['build', 'test'])
    release = await json<ReleaseJson>(
      send('POST', `/api/releases/${release.id}/transitions`, { version: release.version, to }, 'admin'),
    );
  return release;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-release-'));
  cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    taskTimeoutSeconds: (_state, declared) => (timeouts === 'one-second' ? 1 : declared),
  });
  for (const username of ['employee', 'agent', 'approver', 'admin']) {
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
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('go/no-go through the synthesized state machine', () => {
  it('the CAB is mailed links, one member says go through a link, and only then the release deploys', async () => {
    const release = await releaseInTest('Holiday release');
    const early = await send(
      'POST',
      `/api/releases/${release.id}/transitions`,
      { version: release.version, to: 'deploy' },
      'admin',
    );
    expect(early.status).toBe(400);
    expect(JSON.stringify(await early.json())).toContain('go/no-go');

    const asked = await json<ReleaseJson>(
      send('POST', `/api/releases/${release.id}/go-no-go`, { version: release.version }, 'admin'),
    );
    expect(asked.goNoGo).toMatchObject({ status: 'pending', attempt: 1 });
    const mails = await eventually(async () => {
      const found = await mailsAbout(release.number);
      return found.length >= 3 && found;
    }, 'the go/no-go mails');
    expect(mails.flatMap((m) => m.destination.to).sort()).toEqual(
      [email('approver'), email('approver2'), email('manager')].sort(),
    );
    expect(mails[0]?.subject).toBe(`[${release.number}] Go/no-go requested: Holiday release`);
    const mine = mails.find((m) => m.destination.to.includes(email('approver'))) as Mail;
    const token = linkIn(mine, 'Go');
    const preview = await json<{ status: string; release: { number: string } }>(
      api(`/api/release-approval-links/${token}`),
    );
    expect(preview).toMatchObject({ status: 'pending', release: { number: release.number } });
    await json(send('POST', `/api/release-approval-links/${token}`, { comment: 'Looks good' }));
    expect((await send('POST', `/api/release-approval-links/${token}`, {})).status).toBe(409);

    const approved = await eventually(async () => {
      const view = await json<{ release: ReleaseJson }>(api(`/api/releases/${release.id}`, { as: 'agent' }));
      return view.release.goNoGo.status === 'approved' && view.release;
    }, 'the go decision on the release');
    const deployed = await json<ReleaseJson>(
      send(
        'POST',
        `/api/releases/${release.id}/transitions`,
        { version: approved.version, to: 'deploy' },
        'admin',
      ),
    );
    expect(deployed.stage).toBe('deploy');
    const execution = cloud.releaseWorkflows.executions().at(-1);
    expect(execution?.status).toBe('SUCCEEDED');
  }, 90_000);

  it('a decision nobody makes is reminded, escalated to the change managers, and expires', async () => {
    // Morgan manages this one, so the escalation goes to the other change manager, the admin.
    const release = await releaseInTest('Quiet release', email('manager'));
    timeouts = 'one-second';
    try {
      await json(send('POST', `/api/releases/${release.id}/go-no-go`, { version: release.version }, 'admin'));
      const expired = await eventually(async () => {
        const view = await json<{ release: ReleaseJson }>(
          api(`/api/releases/${release.id}`, { as: 'agent' }),
        );
        return view.release.goNoGo.status === 'expired' && view.release;
      }, 'the go/no-go to expire');
      expect(expired.stage).toBe('test');
      const subjects = (await mailsAbout(release.number)).map((m) => m.subject);
      expect(subjects.some((s) => s.includes('Reminder: go/no-go requested'))).toBe(true);
      const escalation = (await mailsAbout(release.number)).find((m) => m.subject.includes('Escalated'));
      expect(escalation?.destination.to).toEqual([email('admin')]);
    } finally {
      timeouts = 'declared';
    }
  }, 90_000);

  it('employees see no releases, and the gate routes want a pipeline token', async () => {
    expect((await api('/api/releases', { as: 'employee' })).status).toBe(403);
    const anonymous = await send('POST', '/api/pipeline-gate/web-deploy/runs', { executionId: 'x' });
    expect(anonymous.status).toBe(401);
    const badBody = await send('POST', '/api/releases', { name: '', plannedStart: 'soon' }, 'admin');
    expect(badBody.status).toBe(400);
    const fields = JSON.stringify(await badBody.json());
    expect(fields).toContain('plannedStart');
    expect(fields).toContain('plannedEnd');
  });
});

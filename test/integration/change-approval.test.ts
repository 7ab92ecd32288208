import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { LOCAL_CLIENT_ID, LOCAL_TABLE_PREFIX, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { demoUsers } from '#local/demo-users.ts';
import { mediumRiskAnswers } from '#local/seed-changes.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * Every path of the change approval workflow, driven through the whole local product: the
 * HTTP API, DynamoDB Local, the state machine synthesized from infra/workflows.ts on the
 * local runner, and the SES outbox. Timeouts run at their declared length (hours) except in
 * the tests that switch `timeouts` to a second, which turns days of waiting into moments.
 */
let cloud: LocalCloud;
let dataDir: string;
let documents: DynamoDBDocumentClient;
let timeouts: 'declared' | 'one-second' = 'declared';
const tokens: Record<string, string> = {};
const email = (username: string) => demoUsers.find((u) => u.username === username)?.email as string;

interface StepJson {
  step: string;
  status: string;
  round: string;
  approvers: string[];
  escalationApprovers: string[];
  decisions: { by: { email: string }; decision: string; comment: string; via: string; at: string }[];
}
interface ChangeJson {
  id: string;
  number: string;
  state: string;
  version: number;
  approval: { status: string; route?: string; executionId?: string };
  freezeJustification?: string;
}
interface Mail {
  subject: string;
  destination: { to: string[] };
  body: { text: string };
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

async function outbox(): Promise<Mail[]> {
  return ((await (await fetch(`${cloud.urls.outbox}/store`)).json()) as { emails: Mail[] }).emails;
}
const mailsAbout = async (number: string) =>
  (await outbox()).filter((m) => m.subject.startsWith(`[${number}]`));

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
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const view = (id: string, as = 'agent') =>
  json<{ change: ChangeJson; steps: StepJson[]; conflicts: { number: string; shared: string[] }[] }>(
    api(`/api/changes/${id}`, { as }),
  );

const inFuture = (days: number, hours = 2) => {
  const start = new Date(Date.now() + days * 86_400_000);
  start.setUTCMinutes(0, 0, 0);
  return {
    plannedStart: start.toISOString(),
    plannedEnd: new Date(start.getTime() + hours * 3_600_000).toISOString(),
  };
};

/** Far beyond the demo freeze (20–30 days out), so no test window falls into it. */
let dayOffset = 400;
/** A normal change, its risk answered, in its own window (so tests never conflict by accident). */
async function draftChange(overrides: Record<string, unknown> = {}): Promise<ChangeJson> {
  dayOffset += 1;
  return json<ChangeJson>(
    await send(
      'POST',
      '/api/changes',
      {
        type: 'normal',
        shortDescription: 'Upgrade the file server',
        justification: 'Out of support.',
        implementationPlan: 'Install the upgrade.',
        backoutPlan: 'Restore the snapshot.',
        testPlan: 'Open a share.',
        ...inFuture(dayOffset),
        services: [`File-${dayOffset}`],
        assignmentGroup: 'workplace',
        riskAnswers: mediumRiskAnswers,
        ...overrides,
      },
      'agent',
    ),
  );
}

async function move(change: ChangeJson, to: string, extra: Record<string, unknown> = {}, as = 'agent') {
  return json<ChangeJson>(
    await send(
      'POST',
      `/api/changes/${change.id}/transitions`,
      { version: change.version, to, ...extra },
      as,
    ),
  );
}

/** Drafts, assesses and submits a change; resolves once its first approval step is waiting. */
async function submitted(overrides: Record<string, unknown> = {}, firstStep = 'cab'): Promise<ChangeJson> {
  let change = await draftChange(overrides);
  if (change.state === 'new' && overrides.type !== 'emergency') change = await move(change, 'assess');
  change = await move(change, 'authorize');
  await eventually(
    async () => (await view(change.id)).steps.find((s) => s.step === firstStep),
    `${firstStep} step`,
  );
  return change;
}

const decide = (change: ChangeJson, step: string, as: string, decision: string, comment?: string) =>
  send(
    'POST',
    `/api/changes/${change.id}/approvals/${step}/decisions`,
    { decision, ...(comment ? { comment } : {}) },
    as,
  );

const settledState = (change: ChangeJson, state: string) =>
  eventually(async () => {
    const current = await view(change.id);
    return current.change.state === state && current;
  }, `${change.number} to become ${state}`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-changes-'));
  cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    taskTimeoutSeconds: (_state, declared) => (timeouts === 'one-second' ? 1 : declared),
  });
  for (const username of ['employee', 'agent', 'approver', 'approver2', 'manager', 'admin']) {
    const { body } = await signIn({
      issuer: cloud.urls.identity,
      clientId: LOCAL_CLIENT_ID,
      redirectUri: `${cloud.urls.portal}/auth/callback`,
      username,
    });
    if (!body.id_token) throw new Error(`No ID token for ${username}`);
    tokens[username] = body.id_token;
  }
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud.urls.dynamodb,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('change approval through the synthesized state machine', () => {
  it('approves a medium-risk change when 2 of the 3 CAB members approve (N of M), then schedules it', async () => {
    const change = await submitted();
    const requestMails = await eventually(async () => {
      const mails = await mailsAbout(change.number);
      return mails.length >= 3 && mails;
    }, 'three approval requests');
    expect(
      requestMails
        .filter((m) => m.subject.includes('Approval requested'))
        .flatMap((m) => m.destination.to)
        .sort(),
    ).toEqual([email('approver'), email('approver2'), email('manager')].sort());
    expect(requestMails.some((m) => m.destination.to.includes(email('agent')))).toBe(false);

    const first = await json<{ settled: boolean }>(
      await decide(change, 'cab', 'approver', 'approved', 'Looks fine'),
    );
    expect(first.settled).toBe(false);
    expect((await view(change.id)).change.state).toBe('authorize');
    const second = await json<{ settled: boolean }>(await decide(change, 'cab', 'approver2', 'approved'));
    expect(second.settled).toBe(true);

    const done = await settledState(change, 'scheduled');
    expect(done.change.approval.status).toBe('approved');
    const cab = done.steps.find((s) => s.step === 'cab');
    expect(cab?.status).toBe('approved');
    expect(cab?.decisions.map((d) => [d.by.email, d.decision, d.comment, d.via])).toEqual([
      [email('approver'), 'approved', 'Looks fine', 'portal'],
      [email('approver2'), 'approved', '', 'portal'],
    ]);
    const stored = await documents.send(
      new GetCommand({
        TableName: tableName(LOCAL_TABLE_PREFIX, domainTable),
        Key: { pk: `CHANGE#${change.id}`, sk: 'APPROVAL#001#cab' },
      }),
    );
    expect(stored.Item?.status).toBe('approved');
    expect(typeof stored.Item?.taskToken).toBe('string');
    expect(JSON.stringify(done)).not.toContain(String(stored.Item?.taskToken));
    await eventually(
      async () =>
        (await mailsAbout(change.number)).find(
          (m) => m.subject.includes('Approved') && m.destination.to.includes(email('agent')),
        ),
      'the approval mail to the requester',
    );
    const inbox = await json<{ items: { changeId: string }[] }>(
      await api('/api/approvals', { as: 'manager' }),
    );
    expect(inbox.items.some((i) => i.changeId === change.id)).toBe(false);
    const late = await decide(change, 'cab', 'manager', 'rejected');
    expect(late.status).toBe(409);

    const history = await json<{ items: { field: string; newValue: unknown; actor: { email: string } }[] }>(
      await api(`/api/changes/${change.id}/history`, { as: 'agent' }),
    );
    expect(history.items.filter((e) => e.field === 'approval.cab').map((e) => e.actor.email)).toEqual([
      email('approver'),
      email('approver2'),
    ]);
    expect(
      history.items.some(
        (e) => e.field === 'state' && e.newValue === 'scheduled' && e.actor.email === 'system@spoke.invalid',
      ),
    ).toBe(true);

    // …and on through the rest of its life.
    let current = done.change;
    current = await move(current, 'implement');
    current = await move(current, 'review');
    const unclosed = await send(
      'POST',
      `/api/changes/${change.id}/transitions`,
      { version: current.version, to: 'closed' },
      'agent',
    );
    expect(unclosed.status).toBe(400);
    expect(JSON.stringify(await unclosed.json())).toContain('closeCode');
    current = await move(current, 'closed', {
      closeCode: 'successful',
      closeNotes: 'Upgraded without incident.',
    });
    expect(current.state).toBe('closed');
  });

  it('rejects through a mailed link: the link opens a confirmation, decides on POST, and works once', async () => {
    const change = await submitted(
      {
        assignmentGroup: 'network',
        riskAnswers: { ...mediumRiskAnswers, reach: 'one_team', backout: 'minutes' },
      },
      'manager',
    );
    expect((await view(change.id)).change.approval.route).toBe('manager');
    const request = await eventually(
      async () => (await mailsAbout(change.number)).find((m) => m.destination.to.includes(email('manager'))),
      'the approval request to the manager',
    );
    const rejectLink = /Reject:\s+\S+\/approvals\/link\/(\S+)/.exec(request.body.text)?.[1] as string;
    expect(rejectLink).toBeTruthy();

    const preview = await fetch(`${cloud.urls.api}/api/approval-links/${rejectLink}`);
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({
      link: { decision: 'rejected' },
      change: { number: change.number },
      status: 'pending',
    });
    expect((await view(change.id)).change.state).toBe('authorize');

    const forged = `${rejectLink.slice(0, -4)}AAAA`;
    expect(
      (
        await fetch(`${cloud.urls.api}/api/approval-links/${forged}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(404);

    const decided = await fetch(`${cloud.urls.api}/api/approval-links/${rejectLink}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ comment: 'Not during quarter end' }),
    });
    expect(decided.status).toBe(200);
    const again = await fetch(`${cloud.urls.api}/api/approval-links/${rejectLink}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(again.status).toBe(409);

    const done = await settledState(change, 'rejected');
    expect(done.change.approval.status).toBe('rejected');
    expect(done.steps[0]?.decisions).toMatchObject([
      {
        by: { email: email('manager') },
        decision: 'rejected',
        via: 'mail_link',
        comment: 'Not during quarter end',
      },
    ]);
    await eventually(
      async () =>
        (await mailsAbout(change.number)).find(
          (m) => m.subject.includes('Rejected') && m.destination.to.includes(email('agent')),
        ),
      'the rejection mail',
    );
  });

  it('times out into a reminder, then an escalation, then expiry — and a late decision is gone (410)', async () => {
    timeouts = 'one-second';
    try {
      const change = await submitted();
      const done = await settledState(change, 'assess');
      expect(done.change.approval.status).toBe('expired');
      expect(done.steps.find((s) => s.step === 'cab')).toMatchObject({
        status: 'expired',
        round: 'escalation',
        escalationApprovers: [email('admin')],
      });

      const subjects = (await mailsAbout(change.number)).map((m) => [
        m.subject.split(': ')[0],
        m.destination.to[0],
      ]);
      const cab = [email('approver'), email('approver2'), email('manager')];
      for (const member of cab) {
        expect(subjects).toContainEqual([`[${change.number}] Approval requested`, member]);
        expect(subjects).toContainEqual([`[${change.number}] Reminder`, member]);
      }
      expect(subjects).toContainEqual([`[${change.number}] Escalated`, email('admin')]);
      await eventually(
        async () =>
          (await mailsAbout(change.number)).find(
            (m) => m.subject.includes('Approval expired') && m.destination.to.includes(email('agent')),
          ),
        'the expiry mail',
      );
      expect((await decide(change, 'cab', 'approver', 'approved')).status).toBe(410);
    } finally {
      timeouts = 'declared';
    }
  });

  it('lets the escalation contact decide an overdue approval on the approvers’ behalf', async () => {
    timeouts = 'one-second';
    let change: ChangeJson;
    try {
      change = await submitted();
    } finally {
      timeouts = 'declared';
    }
    // The timeouts of this execution were fixed at its start: wait for the escalation round.
    await eventually(
      async () => (await view(change.id)).steps.find((s) => s.round === 'escalation'),
      'the escalation',
    );
    const decided = await decide(change, 'cab', 'admin', 'approved', 'Approved for the CAB');
    if (decided.status === 410) return; // the last second ran out first: the expiry path is covered above
    expect(decided.status).toBe(200);
    const done = await settledState(change, 'scheduled');
    expect(done.steps[0]?.decisions).toMatchObject([{ by: { email: email('admin') }, decision: 'approved' }]);
  });

  it('stops the execution when the change is cancelled mid-approval', async () => {
    const change = await submitted();
    const current = (await view(change.id)).change;
    expect(
      (
        await send(
          'POST',
          `/api/changes/${change.id}/transitions`,
          { version: current.version, to: 'cancelled' },
          'agent',
        )
      ).status,
    ).toBe(400);
    const cancelled = await move(current, 'cancelled', { reason: 'Vendor postponed the upgrade' });
    expect(cancelled.approval.status).toBe('cancelled');

    const execution = await cloud.workflows.finished(current.approval.executionId as string);
    expect(execution.status).toBe('ABORTED');
    const after = await view(change.id);
    expect(after.change.state).toBe('cancelled');
    expect(after.steps[0]?.status).toBe('cancelled');
    expect((await decide(change, 'cab', 'approver', 'approved')).status).toBe(410);
    const inbox = await json<{ items: { changeId: string }[] }>(
      await api('/api/approvals', { as: 'approver' }),
    );
    expect(inbox.items.some((i) => i.changeId === change.id)).toBe(false);
    expect((await mailsAbout(change.number)).some((m) => m.destination.to.includes(email('agent')))).toBe(
      false,
    );
  });

  it('sends an emergency change to the emergency CAB, where one approval schedules it', async () => {
    const change = await submitted({ type: 'emergency', riskAnswers: undefined }, 'ecab');
    const step = (await view(change.id)).steps[0];
    expect(step).toMatchObject({ step: 'ecab', approvers: [email('approver'), email('manager')].sort() });
    await json(await decide(change, 'ecab', 'manager', 'approved'));
    const done = await settledState(change, 'scheduled');
    expect(done.change.approval).toMatchObject({ status: 'approved', route: 'ecab' });
  });

  it('needs both the CAB (all) and the service owner for a high-risk change; one rejection ends both', async () => {
    const high = {
      reach: 'company',
      experience: 'never',
      backout: 'impossible',
      outage: 'business_hours',
      testing: 'untested',
    };
    const approved = await submitted({ services: ['VPN'], riskAnswers: high });
    await eventually(async () => (await view(approved.id)).steps.length === 2, 'both steps');
    for (const who of ['approver', 'approver2', 'manager'])
      await json(await decide(approved, 'cab', who, 'approved'));
    expect((await view(approved.id)).change.state).toBe('authorize');
    await json(await decide(approved, 'service_owner', 'manager', 'approved'));
    await settledState(approved, 'scheduled');

    const rejected = await submitted({ services: ['VPN'], riskAnswers: high, ...inFuture(490) });
    await eventually(async () => (await view(rejected.id)).steps.length === 2, 'both steps');
    await json(
      await decide(rejected, 'service_owner', 'manager', 'rejected', 'Not before the VPN migration'),
    );
    const done = await settledState(rejected, 'rejected');
    expect(done.steps.find((s) => s.step === 'cab')?.status).toBe('cancelled');
    expect(
      (
        await cloud.workflows.finished(
          rejected.approval.executionId ?? (done.change.approval.executionId as string),
        )
      ).status,
    ).toBe('SUCCEEDED');
  });

  it('lets exactly one of two concurrent approvals settle the step', async () => {
    const change = await submitted({ type: 'emergency', riskAnswers: undefined }, 'ecab');
    const answers = await Promise.all([
      decide(change, 'ecab', 'approver', 'approved'),
      decide(change, 'ecab', 'manager', 'approved'),
      decide(change, 'ecab', 'manager', 'approved'),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    const done = await settledState(change, 'scheduled');
    expect(done.steps[0]?.decisions).toHaveLength(1);
    const approvedMails = async () =>
      (await mailsAbout(change.number)).filter((m) => m.subject.includes('Approved'));
    await eventually(async () => (await approvedMails()).length > 0, 'the approval mail');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await approvedMails()).toHaveLength(1);
  });

  it('refuses a decision from someone who is not an approver of the step, and from the requester', async () => {
    const change = await submitted();
    expect((await decide(change, 'cab', 'admin', 'approved')).status).toBe(403);
    expect((await decide(change, 'cab', 'employee', 'approved')).status).toBe(404);
    expect((await decide(change, 'cab', 'agent', 'approved')).status).toBe(403);
    await move((await view(change.id)).change, 'cancelled', { reason: 'cleanup' });
  });
});

describe('approval cannot be bypassed (review findings)', () => {
  it('takes a standard change whole from its template: no plan, service or item of the requester’s own', async () => {
    const window = inFuture(700);
    const smuggled = await send(
      'POST',
      '/api/changes',
      {
        type: 'standard',
        templateId: 'wifi-firmware',
        ...window,
        shortDescription: 'Drop the payments database',
        configurationItems: ['payments-db-primary'],
      },
      'agent',
    );
    expect(smuggled.status).toBe(400);
    expect(JSON.stringify(await smuggled.json())).toContain('configurationItems');
    const standard = await json<ChangeJson>(
      await send(
        'POST',
        '/api/changes',
        { type: 'standard', templateId: 'wifi-firmware', ...window },
        'agent',
      ),
    );
    const edit = await send(
      'PATCH',
      `/api/changes/${standard.id}`,
      { version: standard.version, implementationPlan: 'DROP DATABASE payments;' },
      'agent',
    );
    expect(edit.status).toBe(400);
    expect(JSON.stringify(await edit.json())).toContain('implementationPlan');
  });

  it('decides a resubmitted change afresh: old approvals and old links count for nothing', async () => {
    timeouts = 'one-second';
    let change: ChangeJson;
    try {
      change = await submitted();
    } finally {
      timeouts = 'declared';
    }
    const firstLink = await eventually(async () => {
      const mail = (await mailsAbout(change.number)).find((m) =>
        m.destination.to.includes(email('approver')),
      );
      return /Approve:\s+\S+\/approvals\/link\/(\S+)/.exec(mail?.body.text ?? '')?.[1];
    }, 'the first approval mail');
    const expired = await settledState(change, 'assess');
    const again = await move(expired.change, 'authorize');
    expect(again.state).toBe('authorize');
    await eventually(
      async () => (await view(change.id)).steps.find((s) => s.step === 'cab'),
      'the new cab step',
    );
    const fresh = await view(change.id);
    expect(fresh.change.approval.status).toBe('pending');
    expect(fresh.steps[0]).toMatchObject({ status: 'pending', decisions: [] });
    const stale = await fetch(`${cloud.urls.api}/api/approval-links/${firstLink}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(stale.status).toBe(410);
    expect((await view(change.id)).change.state).toBe('authorize');
    await move((await view(change.id)).change, 'cancelled', { reason: 'cleanup' });
  });

  it('keeps everyone who wrote or submitted a change from approving it', async () => {
    // Morgan works changes of the workplace group (only its members may), and also sits on the ECAB.
    await json(await send('POST', '/api/groups/workplace/members', { email: email('manager') }, 'admin'));
    const draft = await draftChange({ type: 'emergency', riskAnswers: undefined });
    const edited = await json<ChangeJson>(
      await send(
        'PATCH',
        `/api/changes/${draft.id}`,
        { version: draft.version, testPlan: 'Ping it twice.' },
        'manager',
      ),
    );
    await move(edited, 'authorize', {}, 'manager');
    const step = await eventually(
      async () => (await view(draft.id)).steps.find((s) => s.step === 'ecab'),
      'the ecab step',
    );
    expect(step.approvers).toEqual([email('approver')]);
    expect((await decide(draft, 'ecab', 'manager', 'approved')).status).toBe(403);
    await json(await decide(draft, 'ecab', 'approver', 'approved'));
    await settledState(draft, 'scheduled');
    const left = await api(`/api/groups/workplace/members/${encodeURIComponent(email('manager'))}`, {
      method: 'DELETE',
      as: 'admin',
    });
    expect(left.status).toBe(204);
  });

  it('lets only the change’s group, its requester and the change managers work it', async () => {
    const draft = await draftChange();
    const outsider = await send(
      'PATCH',
      `/api/changes/${draft.id}`,
      { version: draft.version, testPlan: 'x' },
      'manager',
    );
    expect(outsider.status).toBe(403);
    expect(JSON.stringify(await outsider.json())).toContain('workplace');
    const moved = await send(
      'POST',
      `/api/changes/${draft.id}/transitions`,
      { version: draft.version, to: 'cancelled', reason: 'no' },
      'manager',
    );
    expect(moved.status).toBe(403);
    expect((await view(draft.id)).change.version).toBe(draft.version);
    const byAdmin = await send(
      'PATCH',
      `/api/changes/${draft.id}`,
      { version: draft.version, testPlan: 'Ping.' },
      'admin',
    );
    expect(byAdmin.status).toBe(200);
    await move((await view(draft.id)).change, 'cancelled', { reason: 'cleanup' });
  });

  it('lets an approver who left the CAB decide no more', async () => {
    const change = await submitted();
    const removed = await api(`/api/groups/cab/members/${encodeURIComponent(email('approver2'))}`, {
      method: 'DELETE',
      as: 'admin',
    });
    expect(removed.status).toBe(204);
    try {
      expect((await decide(change, 'cab', 'approver2', 'approved')).status).toBe(403);
      expect((await decide(change, 'cab', 'approver', 'approved')).status).toBe(200);
    } finally {
      await send('POST', '/api/groups/cab/members', { email: email('approver2') }, 'admin');
      await move((await view(change.id)).change, 'cancelled', { reason: 'cleanup' });
    }
  });

  it('schedules nothing on a bare answer to a task token: the approvers’ decisions must be stored', async () => {
    const change = await submitted();
    const stored = await documents.send(
      new GetCommand({
        TableName: tableName(LOCAL_TABLE_PREFIX, domainTable),
        Key: { pk: `CHANGE#${change.id}`, sk: 'APPROVAL#001#cab' },
      }),
    );
    await cloud.workflows.changeWorkflow.answer(String(stored.Item?.taskToken), { decision: 'approved' });
    const done = await settledState(change, 'assess');
    expect(done.change.approval.status).toBe('expired');
    const history = await json<{ items: { field: string; newValue: unknown; reason?: string }[] }>(
      await api(`/api/changes/${change.id}/history`, { as: 'agent' }),
    );
    expect(history.items).toContainEqual(
      expect.objectContaining({
        field: 'state',
        newValue: 'assess',
        reason: 'the workflow reported an approval its steps do not show',
      }),
    );
  });

  it('refuses a decision on a cancelled change (410), whichever comes first', async () => {
    const change = await submitted();
    await move((await view(change.id)).change, 'cancelled', { reason: 'Postponed' });
    const late = await decide(change, 'cab', 'approver', 'approved');
    expect(late.status).toBe(410);
    expect((await view(change.id)).steps[0]?.decisions).toEqual([]);
  });
});

describe('change calendar, conflicts and freeze windows', () => {
  it('flags two overlapping changes on the same service on both, in the change and the calendar', async () => {
    const window = inFuture(520, 3);
    const a = await draftChange({ ...window, services: ['Payroll'] });
    const b = await draftChange({
      ...window,
      plannedStart: new Date(Date.parse(window.plannedStart) + 3_600_000).toISOString(),
      services: ['Payroll', 'HR'],
    });
    const c = await draftChange({ ...window, services: ['Unrelated'] });

    expect((await view(a.id)).conflicts.map((x) => x.number)).toEqual([b.number]);
    expect((await view(b.id)).conflicts).toMatchObject([{ number: a.number, shared: ['service:Payroll'] }]);
    expect((await view(c.id)).conflicts).toEqual([]);
    const from = new Date(Date.parse(window.plannedStart) - 86_400_000).toISOString();
    const to = new Date(Date.parse(window.plannedStart) + 86_400_000).toISOString();
    const calendar = await json<{ changes: { number: string; conflicts: { number: string }[] }[] }>(
      await api(`/api/change-calendar?from=${from}&to=${to}`, { as: 'approver' }),
    );
    const byNumber = new Map(calendar.changes.map((x) => [x.number, x.conflicts.map((y) => y.number)]));
    // Lists and the calendar carry summaries: a page stays small whatever the plans hold.
    expect(calendar.changes[0]).not.toHaveProperty('implementationPlan');
    const mine = await json<{ items: Record<string, unknown>[] }>(
      await api('/api/changes?list=mine', { as: 'agent' }),
    );
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items[0]).toHaveProperty('number');
    expect(mine.items[0]).not.toHaveProperty('backoutPlan');
    expect(byNumber.get(a.number)).toEqual([b.number]);
    expect(byNumber.get(b.number)).toEqual([a.number]);
    expect(byNumber.get(c.number)).toEqual([]);
    expect((await api(`/api/change-calendar?from=${from}&to=${to}`, { as: 'employee' })).status).toBe(403);
  });

  it('blocks normal changes in a freeze window and lets an emergency change in with a recorded justification', async () => {
    const window = inFuture(550, 4);
    expect(
      (
        await send(
          'POST',
          '/api/freeze-windows',
          { name: 'Audit', start: window.plannedStart, end: window.plannedEnd },
          'agent',
        )
      ).status,
    ).toBe(403);
    const freeze = await json<{ id: string }>(
      await send(
        'POST',
        '/api/freeze-windows',
        { name: 'Audit week', start: window.plannedStart, end: window.plannedEnd },
        'admin',
      ),
    );
    const blocked = await send(
      'POST',
      '/api/changes',
      {
        type: 'normal',
        shortDescription: 'x',
        justification: 'x',
        implementationPlan: 'x',
        backoutPlan: 'x',
        testPlan: 'x',
        ...window,
        assignmentGroup: 'workplace',
      },
      'agent',
    );
    expect(blocked.status).toBe(400);
    expect(((await blocked.json()) as { error: { fields: unknown } }).error.fields).toMatchObject([
      {
        path: 'plannedStart',
        message: expect.stringMatching(/only an emergency change may be planned in a freeze$/),
      },
    ]);
    const unjustified = await send(
      'POST',
      '/api/changes',
      {
        type: 'emergency',
        shortDescription: 'x',
        justification: 'x',
        implementationPlan: 'x',
        backoutPlan: 'x',
        testPlan: 'x',
        ...window,
        assignmentGroup: 'workplace',
      },
      'agent',
    );
    expect(((await unjustified.json()) as { error: { fields: unknown } }).error.fields).toMatchObject([
      { path: 'freezeJustification' },
    ]);

    const emergency = await draftChange({
      type: 'emergency',
      riskAnswers: undefined,
      ...window,
      freezeJustification: 'Security patch for an exploited flaw',
    });
    expect(emergency.freezeJustification).toBe('Security patch for an exploited flaw');
    const history = await json<{ items: { field: string }[] }>(
      await api(`/api/changes/${emergency.id}/history`, { as: 'agent' }),
    );
    expect(history.items.map((e) => e.field)).toContain('freezeJustification');

    expect((await api(`/api/freeze-windows/${freeze.id}`, { method: 'DELETE', as: 'admin' })).status).toBe(
      204,
    );
    expect((await draftChange({ ...window })).state).toBe('new');
  });

  it('creates a standard change from a template, pre-approved, straight to scheduled', async () => {
    const templates = await json<{ id: string }[]>(await api('/api/change-templates', { as: 'agent' }));
    expect(templates.map((t) => t.id)).toContain('wifi-firmware');
    const change = await json<ChangeJson>(
      await send(
        'POST',
        '/api/changes',
        { type: 'standard', templateId: 'wifi-firmware', ...inFuture(600) },
        'agent',
      ),
    );
    expect(change.approval.status).toBe('approved');
    expect(
      (
        await send(
          'POST',
          `/api/changes/${change.id}/transitions`,
          { version: change.version, to: 'assess' },
          'agent',
        )
      ).status,
    ).toBe(400);
    expect((await move(change, 'scheduled')).state).toBe('scheduled');
    expect((await send('POST', '/api/changes', { type: 'standard', ...inFuture(601) }, 'agent')).status).toBe(
      400,
    );
  });

  it('keeps a risk override with its reason in the history, and hides changes from employees', async () => {
    const change = await draftChange();
    const overridden = await json<
      ChangeJson & { risk: { assessed: string; override: { level: string; reason: string } } }
    >(
      await send(
        'PATCH',
        `/api/changes/${change.id}`,
        { version: change.version, riskOverride: { level: 'high', reason: 'Touches payroll at month end' } },
        'agent',
      ),
    );
    expect(overridden.risk).toMatchObject({
      assessed: 'medium',
      override: { level: 'high', reason: 'Touches payroll at month end' },
    });
    const history = await json<{
      items: { field: string; oldValue: unknown; newValue: unknown; reason?: string }[];
    }>(await api(`/api/changes/${change.id}/history`, { as: 'agent' }));
    expect(history.items).toContainEqual(
      expect.objectContaining({
        field: 'risk',
        oldValue: 'medium',
        newValue: 'high',
        reason: 'Touches payroll at month end',
      }),
    );
    expect((await api(`/api/changes/${change.id}`, { as: 'employee' })).status).toBe(404);
    expect((await send('POST', '/api/changes', { type: 'normal' }, 'employee')).status).toBe(403);
    const stale = await send(
      'PATCH',
      `/api/changes/${change.id}`,
      { version: change.version, shortDescription: 'Stale' },
      'agent',
    );
    expect(stale.status).toBe(409);
  });
});

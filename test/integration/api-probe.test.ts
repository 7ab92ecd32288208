import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * What a black-box probe of the API found, each case as an attacker or a careless script
 * would send it: forged list cursors, a flood of creates, outsiders added as watchers.
 */
let cloud: LocalCloud;
let dataDir: string;
const tokens: Record<string, string> = {};
const OPEN_LIMIT = 4;

function api(path: string, as: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${tokens[as]}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${cloud.urls.api}${path}`, { ...init, headers });
}
const post = (path: string, as: string, body: unknown) =>
  api(path, as, { method: 'POST', body: JSON.stringify(body) });
type ErrorJson = { error: { code: string; fields?: { path: string; message: string }[] } };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-probe-'));
  cloud = await startLocalCloud({
    dataDir,
    seed: true,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    settings: { TICKET_OPEN_LIMIT_PER_MINUTE: String(OPEN_LIMIT), TICKET_OPEN_LIMIT_PER_HOUR: '100' },
  });
  for (const username of ['employee', 'agent', 'admin']) {
    const { body } = await signIn({
      issuer: cloud.urls.identity,
      clientId: LOCAL_CLIENT_ID,
      redirectUri: `${cloud.urls.portal}/auth/callback`,
      username,
    });
    tokens[username] = body.id_token ?? '';
  }
});

afterAll(async () => {
  await cloud?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a forged list cursor', () => {
  /** A real cursor of the list with one key attribute blanked: what DynamoDB refuses with a 500 if let through. */
  async function forged(path: string, as: string): Promise<string[]> {
    const page = (await (await api(`${path}&limit=1`, as)).json()) as { cursor?: string };
    expect(page.cursor, `${path} must have a second page for this probe`).toBeTruthy();
    const key = JSON.parse(Buffer.from(page.cursor ?? '', 'base64url').toString('utf8')) as Record<
      string,
      string
    >;
    return Object.keys(key).map((attribute) =>
      Buffer.from(JSON.stringify({ ...key, [attribute]: '' }), 'utf8').toString('base64url'),
    );
  }

  it('is answered 400 "invalid cursor" on every list, never 500', async () => {
    // Two of everything, so that every list has a second page.
    for (const n of [1, 2]) {
      expect((await post('/api/tickets', 'admin', { shortDescription: `Need help ${n}` })).status).toBe(201);
      const start = new Date(Date.now() + (500 + n) * 86_400_000);
      const change = await post('/api/changes', 'admin', {
        type: 'normal',
        shortDescription: `Patch the print server ${n}`,
        justification: 'Security fix.',
        implementationPlan: 'Install.',
        backoutPlan: 'Uninstall.',
        testPlan: 'Print.',
        plannedStart: start.toISOString(),
        plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
        assignmentGroup: 'workplace',
      });
      expect(change.status).toBe(201);
    }
    const lists: [string, string][] = [
      ['/api/tickets?view=mine', 'admin'],
      ['/api/tickets?view=queue&group=service-desk&state=new', 'admin'],
      ['/api/tickets?view=unassigned&group=service-desk', 'admin'],
      ['/api/changes?list=mine', 'admin'],
      ['/api/changes?list=state&state=new', 'admin'],
    ];
    for (const [path, as] of lists) {
      for (const cursor of await forged(path, as)) {
        const response = await api(`${path}&limit=1&cursor=${cursor}`, as);
        expect(response.status, `${path} with ${cursor}`).toBe(400);
        const body = (await response.json()) as ErrorJson;
        expect(body.error.fields?.[0]?.path).toBe('cursor');
      }
    }
  });
});

describe('opening tickets', () => {
  it('stops one person at the per-minute limit with 429 and Retry-After, and no one else', async () => {
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let n = 0; n < OPEN_LIMIT + 2; n++) {
      const response = await post('/api/tickets', 'employee', { shortDescription: `Flood ${n}` });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(OPEN_LIMIT);
    expect(statuses.slice(OPEN_LIMIT)).toEqual([429, 429]);
    if (!refused) throw new Error('no request was refused');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as ErrorJson).error.code).toBe('too_many_requests');
    const mine = (await (await api('/api/tickets?view=mine&limit=100', 'employee')).json()) as {
      items: { shortDescription: string }[];
    };
    expect(mine.items.filter((t) => t.shortDescription.startsWith('Flood'))).toHaveLength(OPEN_LIMIT);
    expect((await post('/api/tickets', 'agent', { shortDescription: 'Someone else' })).status).toBe(201);
  });
});

describe('watchers', () => {
  it('lets an employee add colleagues but not outside addresses; agents may add a vendor', async () => {
    const outsider = await post('/api/tickets', 'admin', {
      shortDescription: 'Mouse broken',
      requester: { email: 'emma.employee@example.com' },
    });
    const ticket = (await outsider.json()) as { id: string; version: number };
    const refused = await api(`/api/tickets/${ticket.id}`, 'employee', {
      method: 'PATCH',
      body: JSON.stringify({
        version: ticket.version,
        watchers: ['colleague@example.com', 'someone@attacker.test'],
      }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorJson).error.fields).toEqual([
      expect.objectContaining({ path: 'watchers[1]' }),
    ]);
    const colleague = await api(`/api/tickets/${ticket.id}`, 'employee', {
      method: 'PATCH',
      body: JSON.stringify({ version: ticket.version, watchers: ['colleague@example.com'] }),
    });
    expect(colleague.status).toBe(200);
    const vendor = await api(`/api/tickets/${ticket.id}`, 'admin', {
      method: 'PATCH',
      body: JSON.stringify({
        version: ticket.version + 1,
        watchers: ['colleague@example.com', 'support@vendor.test'],
      }),
    });
    expect(vendor.status).toBe(200);
  });
});

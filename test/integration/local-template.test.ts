import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrl } from '#http/sign-in-urls.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { functionByEntry } from '#local/local-template.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * The local cloud as `npm start` runs it (seeded), checked against what the synthesized template
 * declares, and the README's "Try it" walk through the API the portal uses.
 */

let cloud: LocalCloud;
let dataDir: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-template-'));
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  for (const username of ['employee', 'agent']) {
    const { body } = await signIn({
      issuer: cloud.urls.identity,
      clientId: cloud.template.portalClient.clientId,
      redirectUri: callbackUrl(cloud.urls.portal),
      username,
    });
    tokens[username] = body.id_token ?? '';
  }
});

afterAll(async () => {
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const api = (path: string, as?: string, init: RequestInit = {}) =>
  fetch(`${cloud.urls.api}${path}`, {
    ...init,
    headers: {
      ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}),
      'content-type': 'application/json',
      ...init.headers,
    },
  });

describe('the README’s Try it walk on the seeded demo', () => {
  it('puts the employee’s VPN problem in a queue the demo agent works, where the agent finds it', async () => {
    const reported = await api('/api/tickets', 'employee', {
      method: 'POST',
      body: JSON.stringify({ shortDescription: 'VPN drops every hour', description: 'Since this morning.' }),
    });
    const ticket = (await reported.json()) as { id: string; assignmentGroup?: string };
    const me = (await (await api('/api/me', 'agent')).json()) as { assignmentGroups: string[] };
    const queue = (await (
      await api(`/api/tickets?view=unassigned&group=${ticket.assignmentGroup}`, 'agent')
    ).json()) as { items: { id: string }[] };

    expect(reported.status).toBe(201);
    expect(ticket.assignmentGroup).toBe('network');
    expect(me.assignmentGroups).toContain(ticket.assignmentGroup);
    expect(queue.items.map((item) => item.id)).toContain(ticket.id);
  });
});

describe('the local cloud follows the synthesized template', () => {
  it('signs in only with the callback URL the Cognito app client registers', async () => {
    expect(cloud.template.portalClient.callbackUrls).toEqual([callbackUrl(cloud.urls.portal)]);
    expect(tokens.employee).toMatch(/^ey/);
    // What the app client registered before issue 11 (the bare portal URL) is refused, as Cognito would.
    await expect(
      signIn({
        issuer: cloud.urls.identity,
        clientId: cloud.template.portalClient.clientId,
        redirectUri: cloud.urls.portal,
        username: 'employee',
      }),
    ).rejects.toThrow();
  });

  it('serves only the HTTP API’s routes, public ones without a token', async () => {
    const health = await api('/api/health');
    const outside = await api('/not-an-api-route', 'employee');
    const guarded = await api('/api/tickets');

    expect(health.status).toBe(200);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toEqual({ message: 'Not Found' });
    expect(guarded.status).toBe(401);
  });

  it('throttles the approval-link routes by the stage’s route settings, and nothing else', async () => {
    const { burstLimit } = cloud.template.httpApi.routeThrottles['GET /api/approval-links/{token}'] ?? {
      burstLimit: Number.NaN,
    };
    const answers = await Promise.all(
      Array.from({ length: burstLimit + 5 }, () => api('/api/approval-links/not-a-token')),
    );
    const statuses = answers.map((answer) => answer.status);

    expect(burstLimit).toBe(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(4);
    expect((await api('/api/health')).status).toBe(200);
  });

  it('runs each function with the Environment of its own Lambda resource, on local values', () => {
    const apiFunction = functionByEntry(cloud.template, 'functions/handlers/api.ts');
    const inbound = functionByEntry(cloud.template, 'functions/handlers/inbound-email.ts');
    const apiEnv = cloud.functions.environment(apiFunction.logicalId);
    const inboundEnv = cloud.functions.environment(inbound.logicalId);

    expect(apiEnv).toMatchObject(apiFunction.environment);
    expect(apiEnv).not.toHaveProperty('RAW_MAIL_BUCKET');
    expect(
      JSON.parse(cloud.template.parameters[String(apiEnv.CHANGE_SETTINGS_PARAMETER)] ?? '{}'),
    ).toMatchObject({
      serviceOwners: { Email: 'morgan.manager@example.com', VPN: 'morgan.manager@example.com' },
    });
    expect(inboundEnv.RAW_MAIL_BUCKET).toBe(cloud.template.receiptRule.bucket);
    expect(inboundEnv.PORTAL_URL).toBe(cloud.urls.portal);
    expect(inboundEnv).not.toHaveProperty('CHANGE_APPROVAL_ARN');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * Changes and the CMDB through the whole local product (API, DynamoDB Local, the synthesized
 * approval workflow, the SES outbox): a change whose CI supports a critical business service
 * scores higher and goes to the CAB, whose mail names the service; two changes whose CIs reach
 * the same service in overlapping windows conflict, with no label in common.
 */
let cloud: LocalCloud;
let dataDir: string;
const tokens: Record<string, string> = {};

/** One team, never done, minutes to back out, no outage, fully tested: 3 points, low. */
const lowRiskAnswers = {
  reach: 'one_team',
  experience: 'never',
  backout: 'minutes',
  outage: 'none',
  testing: 'fully',
};

const call = async <T>(method: string, path: string, as: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${cloud.urls.api}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[as]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

interface ChangeJson {
  id: string;
  number: string;
  version: number;
  state: string;
  risk: { score?: number; assessed?: string };
  cmdb?: { cis: string[]; services: { name: string; criticality: string }[]; riskWeight: number };
  approval: { route?: string };
}

let ciIds: Record<string, string> = {};
let day = 300;
async function draft(service: string, ci: string): Promise<ChangeJson> {
  day += 1;
  const start = new Date(Date.now() + day * 86_400_000);
  start.setUTCHours(10, 0, 0, 0);
  const change = await call<ChangeJson>('POST', '/changes', 'agent', {
    type: 'normal',
    shortDescription: `Patch ${ci}`,
    justification: 'Security fix.',
    implementationPlan: 'Apply the patch.',
    backoutPlan: 'Roll back.',
    testPlan: 'Send a mail.',
    plannedStart: start.toISOString(),
    plannedEnd: new Date(start.getTime() + 2 * 3_600_000).toISOString(),
    services: [service],
    assignmentGroup: 'workplace',
    riskAnswers: lowRiskAnswers,
  });
  await call('POST', `/records/change/${change.id}/cis`, 'agent', { ciId: ciIds[ci] });
  return change;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-change-cmdb-'));
  cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  for (const username of ['agent', 'admin']) {
    const { body } = await signIn({
      issuer: cloud.urls.identity,
      clientId: LOCAL_CLIENT_ID,
      redirectUri: `${cloud.urls.portal}/auth/callback`,
      username,
    });
    tokens[username] = body.id_token as string;
  }
  const page = await call<{ items: { id: string; name: string }[] }>('GET', '/cis?limit=100', 'agent');
  ciIds = Object.fromEntries(page.items.map((ci) => [ci.name, ci.id]));
}, 300_000);

afterAll(async () => {
  await cloud?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('changes and the CMDB', () => {
  it('a CI supporting a critical service raises the risk score by the weight; the CAB mail names the service', async () => {
    let change = await draft('Mail relay', 'Exchange Online');
    expect(change.risk).toMatchObject({ score: 3, assessed: 'low' });
    change = await call<ChangeJson>('POST', `/changes/${change.id}/transitions`, 'agent', {
      version: change.version,
      to: 'assess',
    });
    change = await call<ChangeJson>('POST', `/changes/${change.id}/transitions`, 'agent', {
      version: change.version,
      to: 'authorize',
    });
    expect(change.risk).toMatchObject({ score: 5, assessed: 'medium' });
    expect(change.cmdb).toMatchObject({
      cis: ['Exchange Online'],
      services: [{ name: 'Email', criticality: 'critical' }],
      riskWeight: 2,
    });
    expect(change.approval.route).toBe('cab');
    const until = Date.now() + 60_000;
    let mail: { body: { text: string } } | undefined;
    while (!mail && Date.now() < until) {
      const { emails } = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
        emails: { subject: string; body: { text: string } }[];
      };
      mail = emails.find((m) => m.subject.startsWith(`[${change.number}]`));
      if (!mail) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(mail?.body.text).toContain(
      'Business services its CIs support (CMDB): Email (critical); a critical service added 2 to the risk score',
    );
  });

  it('changes conflict when their CIs reach the same business service, with no label in common', async () => {
    day += 10;
    const first = await draft('Mail relay', 'Exchange Online');
    day -= 1;
    const second = await draft('Messaging', 'Email');
    const view = await call<{ conflicts: { number: string; shared: string[] }[] }>(
      'GET',
      `/changes/${second.id}`,
      'agent',
    );
    expect(view.conflicts).toEqual([{ changeId: first.id, number: first.number, shared: ['service:Email'] }]);
  });
});

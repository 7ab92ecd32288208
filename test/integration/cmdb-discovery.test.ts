import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { ciHistory, findCiByExternalId, listCis, viewCi } from '#core/cmdb/cmdb-service.ts';
import { applyConfigChange, type DiscoveryDeps } from '#core/cmdb/discovery-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/** Discovery from AWS Config event fixtures, against DynamoDB Local. */
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'events', 'config');
const fixture = async (name: string) => JSON.parse(await readFile(join(fixtures, name), 'utf8'));
const detailOf = async (name: string) => (await fixture(name)).detail;
const agent: Actor = { id: 'u-a', email: 'alex.agent@example.com', groups: ['agents'] };
const fnArn = 'arn:aws:lambda:eu-west-1:123456789012:function:payroll-api';
const published: DomainEvent[] = [];
const s3Reads: string[] = [];
let deps: DiscoveryDeps;

beforeAll(async () => {
  const tables = await freshTables();
  deps = {
    cis: new DynamoCmdbStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }),
    groups: new DynamoGroupStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      cacheTtlMs: 0,
    }),
    events: { publish: async (events) => void published.push(...events) },
    clock: { now: () => new Date() },
    ids: ulids,
    managerGroup: 'configuration-managers',
    oversized: {
      read: async (location) => {
        s3Reads.push(location);
        return fixture('instance-oversized.s3.json');
      },
    },
  };
});

describe('AWS Config discovery', () => {
  it('upserts CIs by ARN with class attributes, and relates them as each side of a relationship arrives', async () => {
    const subnet = await applyConfigChange(deps, await detailOf('subnet.json'));
    const fn = await applyConfigChange(deps, await detailOf('lambda.json'));
    const vpc = await applyConfigChange(deps, await detailOf('vpc.json'));
    const fnView = await viewCi(deps, agent, fn.ci.id);
    const vpcView = await viewCi(deps, agent, vpc.ci.id);

    expect(subnet).toMatchObject({ outcome: 'created', related: 0, pending: 1 });
    expect(subnet.ci).toMatchObject({
      name: 'private-a',
      class: 'aws_subnet',
      source: 'aws-config',
      environment: 'production',
      attributes: { cidrBlock: '10.0.1.0/24', availabilityZone: 'eu-west-1a', accountId: '123456789012' },
    });
    expect(fn).toMatchObject({ outcome: 'created', related: 1, pending: 1 });
    expect(fn.ci).toMatchObject({
      class: 'aws_lambda_function',
      externalId: fnArn,
      attributes: { runtime: 'nodejs24.x', memoryMb: 512 },
      tags: { team: 'payroll' },
    });
    expect(vpc).toMatchObject({ outcome: 'created', related: 1, pending: 0 });
    expect(fnView.outgoing.map((r) => [r.type, r.to.name, r.source])).toEqual([
      ['runs_on', 'private-a', 'aws-config'],
    ]);
    expect(vpcView.incoming.map((r) => [r.type, r.from.name])).toEqual([['runs_on', 'private-a']]);
  });

  it('is idempotent: the same event again, or twice at once for a new ARN, leaves one CI', async () => {
    const again = await applyConfigChange(deps, await detailOf('lambda.json'));
    const vpcAgain = await applyConfigChange(deps, await detailOf('vpc.json'));
    const detail = await detailOf('lambda.json');
    detail.configurationItem.ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:twice';
    detail.configurationItem.resourceName = 'twice';
    const [one, two] = await Promise.all([applyConfigChange(deps, detail), applyConfigChange(deps, detail)]);
    const functions = await listCis(deps, agent, { class: 'aws_lambda_function' });

    expect(again).toMatchObject({ outcome: 'unchanged', related: 0 });
    expect(vpcAgain).toMatchObject({ outcome: 'unchanged', related: 0 });
    expect(one.ci.id).toBe(two.ci.id);
    expect(functions.items.map((c) => c.name).sort()).toEqual(['payroll-api', 'twice']);
  });

  it('retires the CI of a deleted resource, keeping it and its relations, and brings it back when seen again', async () => {
    const deleted = await applyConfigChange(deps, await detailOf('lambda-deleted.json'));
    const kept = await findCiByExternalId(deps, agent, fnArn);
    const view = await viewCi(deps, agent, kept.id);
    const back = await applyConfigChange(deps, await detailOf('lambda.json'));
    const history = await ciHistory(deps, agent, kept.id);

    expect(deleted).toMatchObject({
      outcome: 'updated',
      ci: { status: 'retired', retiredAt: expect.any(String) },
    });
    expect(view.outgoing).toHaveLength(1);
    expect(back.ci.status).toBe('in_service');
    expect(published.filter((e) => e.type === 'ci.retired').map((e) => e.detail.ciId)).toEqual([kept.id]);
    expect(history.items.filter((e) => e.field === 'status').map((e) => [e.newValue, e.reason])).toEqual([
      ['in_service', undefined],
      ['retired', 'AWS Config'],
      ['in_service', 'AWS Config'],
    ]);
  });

  it('reads an oversized item from its S3 location, and refuses a detail that does not parse', async () => {
    const oversized = await applyConfigChange(deps, await detailOf('instance-oversized.json'));
    const broken = await applyConfigChange(deps, await detailOf('broken.json')).catch((e: unknown) => e);

    expect(s3Reads).toEqual([expect.stringMatching(/^config-bucket-123456789012\/AWSLogs\/.+\.json\.gz$/)]);
    expect(oversized).toMatchObject({
      outcome: 'created',
      related: 1,
      ci: {
        name: 'batch-runner',
        class: 'aws_ec2_instance',
        attributes: { instanceType: 'm7g.large', privateIp: '10.0.1.17' },
      },
    });
    expect(broken).toMatchObject({ name: 'ZodError' });
  });
});

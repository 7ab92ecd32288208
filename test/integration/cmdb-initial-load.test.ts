import {
  ConfigServiceClient,
  SelectResourceConfigCommand,
  type SelectResourceConfigCommandOutput,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsConfigInventory, initialLoadQuery } from '#adapters/aws-config/config-inventory.ts';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoInitialLoadStore } from '#adapters/dynamodb/initial-load-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { type InitialLoadDeps, runInitialLoad } from '#core/cmdb/initial-load.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * The initial load from AWS Config against DynamoDB Local. AWS Config has no emulator: its
 * client is mocked (aws-sdk-client-mock) with answers typed from the SDK's own output type,
 * rows shaped as the advanced query returns them (JSON strings).
 */
const account = '123456789012';
const region = 'eu-west-1';
const row = (value: Record<string, unknown>) =>
  JSON.stringify({ accountId: account, awsRegion: region, ...value });
const vpc = row({
  arn: `arn:aws:ec2:${region}:${account}:vpc/vpc-0a1b2c3d`,
  resourceType: 'AWS::EC2::VPC',
  resourceId: 'vpc-0a1b2c3d',
  configuration: { cidrBlock: '10.0.0.0/16' },
  tags: [{ key: 'Name', value: 'main' }],
  relationships: [],
});
const subnet = row({
  arn: `arn:aws:ec2:${region}:${account}:subnet/subnet-0e1f2a3b`,
  resourceType: 'AWS::EC2::Subnet',
  resourceId: 'subnet-0e1f2a3b',
  availabilityZone: 'eu-west-1a',
  configuration: { cidrBlock: '10.0.1.0/24' },
  tags: [
    { key: 'Name', value: 'private-a' },
    { key: 'environment', value: 'production' },
  ],
  relationships: [
    { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-0a1b2c3d', name: 'Is contained in Vpc' },
    // No relationship name: left to the change events.
    { resourceType: 'AWS::EC2::RouteTable', resourceId: 'rtb-1' },
  ],
});
const broken = JSON.stringify({ resourceType: 'AWS::Lambda::Function', resourceId: 'no-arn' });
const lambda = row({
  arn: `arn:aws:lambda:${region}:${account}:function:payroll`,
  resourceType: 'AWS::Lambda::Function',
  resourceId: 'payroll',
  resourceName: 'payroll',
  configuration: { runtime: 'nodejs24.x', memorySize: 512 },
  tags: [],
});
const pages: Record<string, SelectResourceConfigCommandOutput> = {
  first: {
    $metadata: {},
    Results: [vpc, subnet, broken],
    NextToken: 'page-2',
    QueryInfo: { SelectFields: [{ Name: 'arn' }] },
  },
  'page-2': { $metadata: {}, Results: [lambda], NextToken: 'page-3' },
  'page-3': { $metadata: {}, Results: [] },
};

const config = mockClient(ConfigServiceClient);
let deps: InitialLoadDeps;
let cis: DynamoCmdbStore;

beforeAll(async () => {
  const tables = await freshTables();
  const table = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  cis = new DynamoCmdbStore(table);
  deps = {
    cis,
    groups: new DynamoGroupStore({ ...table, cacheTtlMs: 0 }),
    events: { publish: async () => undefined },
    clock: { now: () => new Date() },
    ids: ulids,
    managerGroup: 'configuration-managers',
    oversized: { read: async () => ({}) },
    inventory: new AwsConfigInventory(new ConfigServiceClient({ region })),
    cursors: new DynamoInitialLoadStore(table),
  };
});

beforeEach(() => {
  config.reset();
  config
    .on(SelectResourceConfigCommand)
    .callsFake((input: { NextToken?: string }) => pages[input.NextToken ?? 'first']);
});

const tokensAsked = () =>
  config.commandCalls(SelectResourceConfigCommand).map((call) => call.args[0].input.NextToken ?? 'first');

describe('the initial load from AWS Config', () => {
  it('asks Config for the types the CMDB knows, keeps its place after each page, and resumes there', async () => {
    const stopped = await runInitialLoad(deps, { accountId: account, region, maxPages: 1 });
    expect(stopped).toMatchObject({ pages: 1, items: 3, created: 2, failed: 1, nextToken: 'page-2' });
    expect(stopped.finishedAt).toBeUndefined();
    expect(stopped.failures).toEqual([{ reason: expect.stringContaining('arn') }]);
    const expression = config.commandCalls(SelectResourceConfigCommand)[0]?.args[0].input.Expression;
    expect(expression).toBe(initialLoadQuery);
    expect(expression).toContain("'AWS::Lambda::Function'");

    const resumed = await runInitialLoad(deps, { accountId: account, region });
    expect(tokensAsked()).toEqual(['first', 'page-2', 'page-3']);
    expect(resumed).toMatchObject({ pages: 3, items: 4, created: 3, failed: 1 });
    expect(resumed.finishedAt).toBeDefined();
    expect(resumed.nextToken).toBeUndefined();

    const subnetCi = await cis.findByExternalId(`arn:aws:ec2:${region}:${account}:subnet/subnet-0e1f2a3b`);
    expect(subnetCi).toMatchObject({
      name: 'private-a',
      class: 'aws_subnet',
      environment: 'production',
      source: 'aws-config',
      attributes: { cidrBlock: '10.0.1.0/24', availabilityZone: 'eu-west-1a', accountId: account },
    });
    const relations = await cis.outgoing(subnetCi?.id ?? '');
    expect(relations.map((r) => [r.type, r.to.name])).toEqual([['runs_on', 'main']]);
    expect(await cis.findByExternalId(`arn:aws:lambda:${region}:${account}:function:payroll`)).toMatchObject({
      class: 'aws_lambda_function',
      attributes: { runtime: 'nodejs24.x', memoryMb: 512 },
    });
  });

  it('does not run a finished load again unless asked, and a restart makes no second CI of an ARN', async () => {
    const finished = await runInitialLoad(deps, { accountId: account, region });
    expect(tokensAsked()).toEqual([]);
    expect(finished.pages).toBe(3);

    const again = await runInitialLoad(deps, { accountId: account, region, restart: true });
    expect(tokensAsked()).toEqual(['first', 'page-2', 'page-3']);
    expect(again).toMatchObject({ pages: 3, created: 0, unchanged: 3, failed: 1 });
    expect(again.version).toBeGreaterThan(finished.version);
  });

  it('refuses a second load of the same account and region running at the same time', async () => {
    const other = { accountId: '210987654321', region };
    const both = await Promise.allSettled([
      runInitialLoad(deps, { ...other, maxPages: 1 }),
      runInitialLoad(deps, { ...other, maxPages: 1 }),
    ]);
    expect(both.filter((r) => r.status === 'rejected').map((r) => (r.reason as Error).name)).toEqual([
      'ConflictError',
    ]);
  });
});

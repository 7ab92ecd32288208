import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

describe('re-pointing Spoke at a restored table (docs/restore.md)', () => {
  it('gives every function the restored table and grants exactly it, keeping the created tables', () => {
    const restored = 'spoke-dev-domain-restored-20261128';
    const { stack } = createSpokeApp({
      config: { ...loadConfig('infra/configs/minimal.json'), restoredTables: { domain: restored } },
      nag: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const template = Template.fromStack(stack);
    const json = template.toJSON() as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };

    template.resourcePropertiesCountIs('AWS::DynamoDB::GlobalTable', { TableName: 'spoke-dev-domain' }, 1);
    for (const fn of [stack.api.handler, stack.email.handler, stack.housekeeping.handler]) {
      const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      const variables = (
        json.Resources[id]?.Properties.Environment as { Variables: Record<string, unknown> } | undefined
      )?.Variables;
      expect(variables?.DOMAIN_TABLE).toBe(restored);
      expect(variables?.IDEMPOTENCY_TABLE).toEqual(expect.objectContaining({ Ref: expect.any(String) }));
    }
    const createdDomain = stack.getLogicalId(stack.data.created.domain.node.defaultChild as never);
    const apiRole = stack.getLogicalId(stack.api.handler.executionRole.node.defaultChild as never);
    const apiTableResources = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(apiRole))
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'))
      .map((statement) => JSON.stringify(statement.Resource));

    expect(apiTableResources.some((resources) => resources.includes(`:table/${restored}"`))).toBe(true);
    expect(apiTableResources.some((resources) => resources.includes(`:table/${restored}/index/`))).toBe(true);
    expect(apiTableResources.join()).not.toContain(createdDomain);
  });
});

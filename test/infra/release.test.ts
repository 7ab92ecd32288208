import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

/**
 * The deployment gate across accounts in the template: the pipeline rule on the default bus
 * matches the recorded execution events of the configured pipelines only, the trusted tooling
 * account may invoke the gate and put CodePipeline events on the bus (nothing else), the gate may
 * answer jobs, and cdk-nag stays clean with the acknowledgements' reasons.
 */
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const TOOLING = '222233334444';
const withPipelines = (): SpokeConfig => {
  const base = loadConfig('infra/configs/example.json');
  return {
    ...base,
    release: {
      goNoGoGroup: 'cab',
      trustedAccounts: [TOOLING],
      pipelines: [{ name: 'web-deploy', account: TOOLING, template: 'web-deploy', windowMinutes: 30 }],
    },
  };
};
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', 'events', 'codepipeline', name), 'utf8'),
  ) as Record<string, unknown> & { detail: Record<string, unknown> };

describe('the deployment gate in the template', () => {
  const { app, stack } = createSpokeApp({
    config: withPipelines(),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const gateId = stack.getLogicalId(stack.release.gate.node.defaultChild as never);

  it('routes the configured pipelines’ final execution states from the default bus, with dead letters', () => {
    const [[, rule] = []] = ofType('AWS::Events::Rule').filter(([id]) =>
      id.startsWith('ReleasePipelineExecutions'),
    );
    const pattern = rule?.Properties.EventPattern as {
      source: string[];
      'detail-type': string[];
      detail: { pipeline: string[]; state: string[] };
    };
    const matches = (event: ReturnType<typeof fixture>) =>
      pattern.source.includes(String(event.source)) &&
      pattern['detail-type'].includes(String(event['detail-type'])) &&
      pattern.detail.pipeline.includes(String(event.detail.pipeline)) &&
      pattern.detail.state.includes(String(event.detail.state));

    expect(rule?.Properties.EventBusName).toBeUndefined();
    expect(matches(fixture('execution-succeeded.json'))).toBe(true);
    expect(matches(fixture('execution-failed.json'))).toBe(true);
    expect(matches(fixture('execution-started.json'))).toBe(false);
    expect(
      matches({ ...fixture('execution-succeeded.json'), detail: { pipeline: 'other', state: 'SUCCEEDED' } }),
    ).toBe(false);
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('DeadLetterConfig');
  });

  it('lets the trusted account invoke the gate and put only CodePipeline events on the bus', () => {
    const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) =>
      JSON.stringify(p.Properties.FunctionName).includes(gateId),
    );
    expect(permissions.map(([, p]) => p.Properties.Principal)).toEqual([TOOLING]);
    const policies = ofType('AWS::Events::EventBusPolicy').map(([, p]) => p.Properties);
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({
      EventBusName: 'default',
      Statement: {
        Action: 'events:PutEvents',
        Principal: { AWS: expect.stringContaining(TOOLING) },
        Condition: { StringEquals: { 'events:source': 'aws.codepipeline' } },
      },
    });
  });

  it('lets the gate answer jobs and nothing more of CodePipeline, and passes cdk-nag', () => {
    const actions = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('ReleasePipelineGate'))
      .flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((s) => ([] as string[]).concat(s.Action))
      .filter((a) => a.startsWith('codepipeline:'));
    expect(actions.sort()).toEqual(['codepipeline:PutJobFailureResult', 'codepipeline:PutJobSuccessResult']);
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
    expect(findings).toEqual([]);
  });
});

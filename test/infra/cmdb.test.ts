import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

/** The opt-in CMDB discovery: its rule, its least privilege, its dead letters, cdk-nag clean. */
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const withDiscovery = (): SpokeConfig => {
  const base = loadConfig('infra/configs/example.json');
  return {
    ...base,
    cmdb: {
      ...base.cmdb,
      managerGroup: 'cmdb-team',
      discovery: { enabled: true, configBucket: 'config-bucket-123456789012' },
    },
  };
};
const synth = (config: SpokeConfig) => {
  const { stack } = createSpokeApp({ config, context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(stack).toJSON().Resources as Resources;
};
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** EventBridge's matching for the pattern's fields: every listed field's value is one of the listed ones. */
const matches = (pattern: Record<string, unknown>, event: Record<string, unknown>) =>
  Object.entries(pattern).every(([field, allowed]) => (allowed as unknown[]).includes(event[field]));

describe('CMDB discovery in the template', () => {
  it('is absent unless the config turns it on', () => {
    const resources = synth(loadConfig('infra/configs/example.json'));

    expect(ofType(resources, 'AWS::Events::Rule').filter(([id]) => id.startsWith('CmdbDiscovery'))).toEqual(
      [],
    );
  });

  it('routes Config item changes from the default bus to the function, with dead letters and least privilege, cdk-nag clean', async () => {
    const resources = synth(withDiscovery());
    const [[, rule] = []] = ofType(resources, 'AWS::Events::Rule').filter(([id]) =>
      id.startsWith('CmdbDiscovery'),
    );
    const [fnId, fn] =
      ofType(resources, 'AWS::Lambda::Function').find(([id]) => id.startsWith('CmdbDiscoveryHandler')) ?? [];
    const policies = ofType(resources, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('CmdbDiscoveryHandler'))
      .flatMap(
        ([, p]) =>
          (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
            .Statement,
      );
    const actions = policies.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const fixtures = join(import.meta.dirname, '..', 'fixtures', 'events', 'config');
    const events = await Promise.all(
      (await readdir(fixtures))
        .filter((f) => f.endsWith('.json') && !f.endsWith('.s3.json'))
        .map(async (f) => JSON.parse(await readFile(join(fixtures, f), 'utf8')) as Record<string, unknown>),
    );
    const pattern = rule?.Properties.EventPattern as Record<string, unknown>;

    expect(rule?.Properties.EventBusName).toBeUndefined(); // the default bus, where AWS services send
    expect(pattern).toEqual({ source: ['aws.config'], 'detail-type': ['Config Configuration Item Change'] });
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((event) => matches(pattern, event))).toBe(true);
    expect(matches(pattern, { source: 'aws.config', 'detail-type': 'Config Rules Compliance Change' })).toBe(
      false,
    );
    expect(fn?.Properties.DeadLetterConfig).toBeDefined();
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('DeadLetterConfig');
    expect(JSON.stringify(fn?.Properties.Environment)).toContain('cmdb-team');
    expect(actions).toContain('s3:GetObject');
    expect(JSON.stringify(policies)).toContain('arn:aws:s3:::config-bucket-123456789012/AWSLogs/');
    expect(actions.filter((a) => a === '*' || a.startsWith('config:') || a === 's3:*')).toEqual([]);
    expect(fnId).toBeDefined();
  });
});

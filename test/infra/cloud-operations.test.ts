import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { compileEventPattern } from '#local/event-pattern.ts';

/** Cloud operations in the template: its rules on the default bus, their patterns against the fixtures, trusted accounts, cdk-nag. */
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const base = loadConfig('infra/configs/example.json');
const withOperations = (): SpokeConfig => ({
  ...base,
  cloudOperations: {
    ...base.cloudOperations,
    cloudTrail: { ...base.cloudOperations.cloudTrail, enabled: true },
    trustedAccounts: ['111122223333', '444455556666'],
  },
});
// cdk-nag runs in createSpokeApp: an unacknowledged finding makes the synth throw.
const synth = (config: SpokeConfig) => {
  const { stack } = createSpokeApp({ config, context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(stack).toJSON().Resources as Resources;
};
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'events');
const eventsOf = async (kind: string) =>
  Promise.all(
    (await readdir(join(fixtures, kind)))
      .filter((f) => f.endsWith('.json'))
      .map(
        async (f) => JSON.parse(await readFile(join(fixtures, kind, f), 'utf8')) as Record<string, unknown>,
      ),
  );

describe('cloud operations in the template', () => {
  it('routes alarm, Health and (opted-in) CloudTrail events from the default bus to one function with dead letters; each fixture matches its rule and no other', async () => {
    const resources = synth(withOperations());
    const rules = ofType(resources, 'AWS::Events::Rule').filter(([id]) => id.startsWith('CloudOperations'));
    const matcher = (id: string) => {
      const rule = rules.find(([ruleId]) => ruleId.startsWith(`CloudOperations${id}`))?.[1];
      return compileEventPattern(rule?.Properties.EventPattern);
    };
    const alarms = matcher('AlarmStateChanges');
    const health = matcher('HealthEvents');
    const trail = matcher('CloudTrailCalls');
    const [alarmEvents = [], healthEvents = [], trailEvents = []] = await Promise.all(
      ['alarm', 'health', 'cloudtrail'].map(eventsOf),
    );
    const readOnlyCall = {
      ...trailEvents[0],
      detail: { ...(trailEvents[0]?.detail as object), readOnly: true },
    };
    const insufficient = {
      ...alarmEvents[0],
      detail: { ...(alarmEvents[0]?.detail as object), state: { value: 'INSUFFICIENT_DATA' } },
    };

    expect(rules).toHaveLength(3);
    expect(rules.every(([, r]) => r.Properties.EventBusName === undefined)).toBe(true);
    expect(rules.every(([, r]) => JSON.stringify(r.Properties.Targets).includes('DeadLetterConfig'))).toBe(
      true,
    );
    expect(alarmEvents.length).toBeGreaterThan(4);
    expect(alarmEvents.every((e) => alarms(e) && !health(e) && !trail(e))).toBe(true);
    expect(healthEvents.every((e) => health(e) && !alarms(e) && !trail(e))).toBe(true);
    expect(trailEvents.every((e) => trail(e) && !alarms(e) && !health(e))).toBe(true);
    expect(trail(readOnlyCall)).toBe(false);
    expect(alarms(insufficient)).toBe(false);
  });

  it('has no CloudTrail rule and no bus policy unless the config asks', () => {
    const resources = synth(base);

    expect(
      ofType(resources, 'AWS::Events::Rule').filter(([id]) => id.startsWith('CloudOperationsCloudTrail')),
    ).toEqual([]);
    expect(ofType(resources, 'AWS::Events::EventBusPolicy')).toEqual([]);
  });

  it('lets exactly the trusted accounts put events on the Spoke bus', () => {
    const resources = synth(withOperations());
    const policies = ofType(resources, 'AWS::Events::EventBusPolicy');
    const text = JSON.stringify(policies);

    expect(policies).toHaveLength(1);
    expect(text).toContain('events:PutEvents');
    expect(text).toContain('111122223333');
    expect(text).toContain('444455556666');
    expect(text).not.toContain('"*"');
  });
});

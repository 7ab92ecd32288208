import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

/**
 * Automated fulfilment tasks in the synthesized catalog state machine: an automated step runs
 * its hook with retries before its wait rounds, and any failure after the retries goes to the
 * fallback that hands the task to a person, then into the same wait rounds.
 */
type States = Record<string, Record<string, unknown>>;
const minimal = JSON.parse(readFileSync('infra/configs/minimal.json', 'utf8')) as Record<string, unknown>;
const hooks = { 'directory-groups': 'https://hooks.example.com/groups' };
let states: States;
let environment: Record<string, unknown>;

beforeAll(() => {
  const config = parseConfig({ ...minimal, catalog: { automationHooks: hooks } }, 'test');
  const { stack } = createSpokeApp({ config, nag: false });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const machine = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::StepFunctions::StateMachine' &&
      JSON.stringify(r.Properties.StateMachineName).includes('catalog-request'),
  );
  if (!machine) throw new Error('No catalog state machine');
  const parts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const definition = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ref')).join('')) as {
    States: States;
  };
  states = {};
  const visit = (all: States) => {
    for (const [name, state] of Object.entries(all)) {
      states[name] = state;
      const inner = state.ItemProcessor as { States: States } | undefined;
      if (inner) visit(inner.States);
    }
  };
  visit(definition.States);
  const taskFunction = stack.getLogicalId(stack.catalog.task.node.defaultChild as never);
  const fn = resources[taskFunction];
  if (!fn) throw new Error('No catalog task function');
  environment = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}, 120_000);

describe('automated fulfilment tasks in the catalog state machine', () => {
  it('runs an automated step before its wait rounds, retrying Automation.Failed, then hands it to a person', () => {
    expect(states.TaskAutomated).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.automated', BooleanEquals: true, Next: 'TaskAutomate' }],
      Default: 'TaskRequest',
    });
    const automate = states.TaskAutomate as { Retry: unknown[]; Catch: unknown[]; Next: string };
    expect(automate.Retry).toContainEqual({
      ErrorEquals: ['Automation.Failed'],
      IntervalSeconds: 2,
      MaxAttempts: 2,
      BackoffRate: 5,
    });
    expect(automate.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.automationError', Next: 'TaskAutomationFailed' },
    ]);
    expect(automate.Next).toBe('TaskRequest');
    expect(states.TaskAutomationFailed).toMatchObject({
      Next: 'TaskRequest',
      Parameters: { Payload: { action: 'automation-failed', 'cause.$': '$.automationError.Cause' } },
    });
  });

  it('gives the workflow task the configured hooks, and refuses a hook that is not HTTPS', () => {
    expect(JSON.parse(String(environment.CATALOG_AUTOMATION_HOOKS))).toEqual(hooks);
    expect(() =>
      parseConfig(
        { ...minimal, catalog: { automationHooks: { plain: 'http://hooks.example.com' } } },
        'test',
      ),
    ).toThrow(/catalog\.automationHooks\.plain.*https/s);
  });
});

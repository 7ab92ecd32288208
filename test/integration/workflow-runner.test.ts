import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { type LocalFunctions, startLocalFunctions } from '#local/lambda-runtime.ts';
import { functionByEntry, type LocalTemplate, loadLocalTemplate } from '#local/local-template.ts';
import { localConfig } from '#local/template-synth.ts';
import { createLocalWorkflows, type LocalWorkflows, TaskTokenRegistry } from '#local/workflow-runner.ts';

let template: LocalTemplate;
let functions: LocalFunctions;
let workflows: LocalWorkflows;

beforeAll(async () => {
  template = await loadLocalTemplate();
  // Nothing these tests run reaches a store: the endpoints are never called.
  const unused = 'http://127.0.0.1:9';
  functions = await startLocalFunctions({
    functions: Object.values(template.functions),
    region: template.region,
    endpoints: { dynamodb: unused, s3: unused, ses: unused },
    services: { publish: async () => undefined, workflow: () => workflows.changeWorkflow },
  });
  workflows = createLocalWorkflows({
    workflow: template.workflow,
    invoke: (functionId, event) => functions.invoke(functionId, event),
  });
});

afterAll(() => functions?.close());

describe('local change approval workflow', () => {
  it('fails the execution when the task rejects its input', async () => {
    const { executionId } = await workflows.changeWorkflow.start({ changeId: '' });

    const execution = await workflows.finished(executionId);

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('ZodError');
    expect(executionId).toMatch(
      /^arn:aws:states:us-east-1:000000000000:execution:spoke-local-change-approval:/,
    );
    expect(workflows.executions().map((e) => e.executionId)).toContain(executionId);
  });

  it('stops a running execution and refuses answers to its tokens', async () => {
    const { executionId } = await workflows.changeWorkflow.start({ changeId: '' });

    await workflows.changeWorkflow.stop(executionId, 'test');
    const execution = await workflows.finished(executionId);

    expect(['ABORTED', 'FAILED']).toContain(execution.status);
    await expect(
      workflows.changeWorkflow.answer('unknown-token', { decision: 'approved' }),
    ).rejects.toMatchObject({
      name: 'TaskTokenGoneError',
    });
  });

  it('runs the definition synthesized from infra/workflows.ts, not a copy', () => {
    const { stack } = createSpokeApp({
      config: localConfig,
      nag: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const machine = Template.fromStack(stack).toJSON().Resources[workflows.source.logicalId];
    const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    const literals = parts.filter((part): part is string => typeof part === 'string');
    const ran = JSON.stringify(workflows.definition);

    expect(workflows.source.stackName).toBe(stack.stackName);
    let from = 0;
    for (const literal of literals) {
      const at = ran.indexOf(literal, from);
      expect(at, literal).toBeGreaterThanOrEqual(from);
      from = at + literal.length;
    }
    const task = functionByEntry(template, 'functions/handlers/change-workflow.ts').logicalId;
    expect(Object.keys(workflows.taskFunctions)).toEqual(
      expect.arrayContaining([
        'Plan',
        'CabRequest',
        'CabReminder',
        'CabEscalation',
        'CabExpire',
        'FinishApproved',
      ]),
    );
    expect(new Set(Object.values(workflows.taskFunctions))).toEqual(new Set([task]));
  });
});

describe('task token registry', () => {
  it('resolves a waiting task with the answer sent for its token', async () => {
    const registry = new TaskTokenRegistry();
    const { token, answer } = registry.wait('exec-1', 'Approve', 60);

    registry.succeed(token, { decision: 'approved' });

    await expect(answer).resolves.toEqual({ decision: 'approved' });
    expect(registry.pending()).toEqual([]);
  });

  it('rejects with the error name a Catch matches on failure', async () => {
    const registry = new TaskTokenRegistry();
    const { token, answer } = registry.wait('exec-1', 'Approve', 60);

    registry.fail(token, 'ChangeRejected', 'CAB said no');

    await expect(answer).rejects.toMatchObject({ name: 'ChangeRejected', message: 'CAB said no' });
  });

  it('refuses answers once the execution ended', async () => {
    const registry = new TaskTokenRegistry();
    const { token, answer } = registry.wait('exec-1', 'Approve', 60);

    registry.endExecution('exec-1');

    expect(registry.pending()).toEqual([]);
    expect(() => registry.succeed(token, {})).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    await expect(Promise.race([answer, Promise.resolve('still waiting')])).resolves.toBe('still waiting');
  });

  it('answers a late token with TaskTimedOut and an unknown one with TaskDoesNotExist', async () => {
    const registry = new TaskTokenRegistry();
    const { token, answer } = registry.wait('exec-1', 'Approve', 0.01);

    await expect(answer).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(() => registry.succeed(token, {})).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(() => registry.succeed('nope', {})).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  type PutJobFailureResultCommandOutput,
  PutJobSuccessResultCommand,
  type PutJobSuccessResultCommandOutput,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CodePipelineJobs } from '#adapters/codepipeline/pipeline-jobs.codepipeline.ts';
import type { ReleaseFunctionServices } from '#config/release.ts';
import { createTemplate } from '#core/change/change-service.ts';
import { createFreeze, deleteFreeze } from '#core/change/schedule-service.ts';
import type { PipelineConfig } from '#core/release/pipeline.ts';
import {
  askGate,
  authenticatePipeline,
  type GateDeps,
  hashToken,
  issuePipelineToken,
  recordOutcome,
  revokePipelineToken,
} from '#core/release/pipeline-gate.ts';
import { createRelease, moveRelease, viewRelease } from '#core/release/release-service.ts';
import { ForbiddenError, UnauthorizedError } from '#core/shared/errors.ts';
import { handlePipelineEvent } from '#handlers/pipeline-events.ts';
import { handleGateJob } from '#handlers/pipeline-gate.ts';
import { people, type ReleaseWorld, releaseWorld } from '../support/release-world.ts';

/**
 * The deployment gate against DynamoDB Local: go records a standard change from the pipeline's
 * template (scheduled → implement, linked to its release); freeze windows, conflicting changes
 * and a release not yet in deploy make it wait; whatever it cannot decide waits too (fail
 * closed). The CodePipeline job handler answers through the CodePipeline API (mocked: AWS
 * itself), and the recorded execution events close or fail the change.
 */
const fixtures = join(import.meta.dirname, '../fixtures/events/codepipeline');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as Record<string, unknown>;
const jobEvent = fixture('lambda-invoke-job.json');
const EXECUTION = '2f1e5a6c-8d4b-4a57-9a51-0f6f1c0d9e21';

let world: ReleaseWorld;
let gate: GateDeps;
const { admin, manager, agent } = people;
const codepipeline = mockClient(CodePipelineClient);

const pipelines: PipelineConfig[] = [
  { name: 'web-deploy', account: '111111111111', template: 'web-deploy', windowMinutes: 30 },
  { name: 'api-deploy', template: 'api-deploy', windowMinutes: 30 },
  { name: 'no-template', template: 'missing-template', windowMinutes: 30 },
];

const services = (deps: GateDeps): ReleaseFunctionServices => ({
  release: world.release,
  gate: deps,
  jobs: new CodePipelineJobs(codepipeline as unknown as CodePipelineClient),
  mailer: { send: async () => ({ providerMessageId: 'x' }) },
  suppressions: { suppressed: async () => new Set<string>(), suppress: async () => undefined },
  portalUrl: 'https://portal.example.com',
  supportAddress: 'support@example.com',
});

beforeAll(async () => {
  world = await releaseWorld();
  world.setNow('2026-12-03T10:00:00.000Z');
  for (const [id, service] of [
    ['web-deploy', 'Web'],
    ['api-deploy', 'API'],
  ] as const)
    await createTemplate(world.change, admin, {
      id,
      name: `Deploy ${service}`,
      shortDescription: `Deploy ${service} from its pipeline`,
      justification: 'Continuous delivery',
      implementationPlan: 'The pipeline deploys',
      backoutPlan: 'The pipeline rolls back',
      testPlan: 'Smoke tests in the pipeline',
      assignmentGroup: 'web',
      services: [service],
      configurationItems: [`${id}-stack`],
    });
  gate = world.gate(pipelines);
});

beforeEach(() => {
  codepipeline.reset();
  codepipeline
    .on(PutJobSuccessResultCommand)
    .resolves({ $metadata: {} } satisfies PutJobSuccessResultCommandOutput);
  codepipeline
    .on(PutJobFailureResultCommand)
    .resolves({ $metadata: {} } satisfies PutJobFailureResultCommandOutput);
});

describe('the gate decides', () => {
  it('says go and records a standard change in implement from the template, once per execution', async () => {
    const answer = await askGate(gate, {
      pipeline: 'api-deploy',
      executionId: 'e-1',
      via: 'api',
      commit: 'abc123',
    });
    expect(answer).toMatchObject({ decision: 'go', change: { number: expect.stringMatching(/^CHG\d{7}$/) } });
    const change = await world.change.changes.get(answer.change?.id ?? '');
    expect(change).toMatchObject({
      type: 'standard',
      templateId: 'api-deploy',
      state: 'implement',
      services: ['API'],
      configurationItems: ['api-deploy-stack'],
      plannedStart: '2026-12-03T10:00:00.000Z',
      plannedEnd: '2026-12-03T10:30:00.000Z',
    });
    expect(change?.description).toContain('commit abc123');
    const again = await askGate(gate, { pipeline: 'api-deploy', executionId: 'e-1', via: 'api' });
    expect(again).toEqual(answer);
    await recordOutcome(gate, 'api-deploy', 'e-1', 'succeeded');
  });

  it('waits in a freeze window on its services, naming the freeze', async () => {
    const freeze = await createFreeze(world.change, admin, {
      name: 'Black Friday',
      start: '2026-12-03T00:00:00Z',
      end: '2026-12-04T00:00:00Z',
      services: ['API'],
    });
    const answer = await askGate(gate, { pipeline: 'api-deploy', executionId: 'e-freeze', via: 'api' });
    expect(answer.decision).toBe('wait');
    expect(answer.reason).toContain('Black Friday');
    expect(answer.change).toBeUndefined();
    await deleteFreeze(world.change, admin, freeze.id);
  });

  it('waits while another change on the same service is planned, naming it', async () => {
    const first = await askGate(gate, { pipeline: 'api-deploy', executionId: 'e-a', via: 'api' });
    expect(first.decision).toBe('go');
    const second = await askGate(gate, { pipeline: 'api-deploy', executionId: 'e-b', via: 'api' });
    expect(second).toMatchObject({ decision: 'wait' });
    expect(second.reason).toContain(first.change?.number);
    expect(second.reason).toContain('API');
    await recordOutcome(gate, 'api-deploy', 'e-a', 'failed');
    const change = await world.change.changes.get(first.change?.id ?? '');
    expect(change?.state).toBe('failed');
    await expect(
      askGate(gate, { pipeline: 'api-deploy', executionId: 'e-b', via: 'api' }),
    ).resolves.toMatchObject({
      decision: 'go',
    });
    await recordOutcome(gate, 'api-deploy', 'e-b', 'succeeded');
  });

  it('fails closed: an unknown pipeline, a missing template, a job from another account, a broken store', async () => {
    const unknown = await askGate(gate, { pipeline: 'nobody', executionId: 'x', via: 'api' });
    expect(unknown).toMatchObject({ decision: 'wait', reason: expect.stringContaining('not configured') });
    const noTemplate = await askGate(gate, { pipeline: 'no-template', executionId: 'x', via: 'api' });
    expect(noTemplate).toMatchObject({
      decision: 'wait',
      reason: expect.stringContaining('missing-template'),
    });
    const foreign = await askGate(gate, {
      pipeline: 'web-deploy',
      executionId: 'x',
      via: 'codepipeline',
      account: '999999999999',
    });
    expect(foreign).toMatchObject({ decision: 'wait', reason: expect.stringContaining('999999999999') });
    const broken: GateDeps = {
      ...gate,
      pipelines: { ...gate.pipelines, getRun: () => Promise.reject(new Error('DynamoDB is unreachable')) },
    };
    const down = await askGate(broken, { pipeline: 'api-deploy', executionId: 'x', via: 'api' });
    expect(down).toMatchObject({
      decision: 'wait',
      reason: expect.stringMatching(/fail closed.*unreachable/),
    });
  });

  it('holds a release’s deployments until the release is in deploy, then links the change to it', async () => {
    let release = await createRelease(world.release, manager, {
      name: 'Web December',
      plannedStart: '2026-12-03T00:00:00Z',
      plannedEnd: '2026-12-05T00:00:00Z',
    });
    const bound = world.gate([
      ...pipelines.filter((p) => p.name !== 'web-deploy'),
      { ...(pipelines[0] as PipelineConfig), release: release.number },
    ]);
    const early = await askGate(bound, {
      pipeline: 'web-deploy',
      executionId: 'r-1',
      via: 'codepipeline',
      account: '111111111111',
    });
    expect(early).toMatchObject({
      decision: 'wait',
      reason: expect.stringContaining(`${release.number} is in plan`),
    });
    for (const to of ['build', 'test'] as const)
      release = await moveRelease(world.release, manager, release.id, { version: release.version, to });
    const current = (await world.release.releases.get(release.id))?.release ?? release;
    await world.release.releases.update(
      { ...current, goNoGo: { status: 'approved', attempt: 1 }, version: current.version + 1 },
      current.version,
      [],
    );
    release = await moveRelease(world.release, manager, release.id, {
      version: current.version + 1,
      to: 'deploy',
    });
    const go = await askGate(bound, {
      pipeline: 'web-deploy',
      executionId: 'r-1',
      via: 'codepipeline',
      account: '111111111111',
    });
    expect(go).toMatchObject({ decision: 'go', release: { number: release.number } });
    const view = await viewRelease(world.release, agent, release.id);
    expect(view.changes.map((c) => c.number)).toEqual([go.change?.number]);
    await recordOutcome(bound, 'web-deploy', 'r-1', 'succeeded');
  });
});

describe('pipeline tokens (CI/CD other than CodePipeline)', () => {
  it('issues a token once (admins), keeps only its hash, and opens only its own pipeline’s gate', async () => {
    await expect(issuePipelineToken(gate, manager, 'api-deploy', { label: 'GitHub' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const { token, stored } = await issuePipelineToken(gate, admin, 'api-deploy', {
      label: 'GitHub Actions',
    });
    expect(token).toMatch(/^spk_/);
    expect(stored.hash).toBe(hashToken(token));
    expect(JSON.stringify(await gate.pipelines.tokens('api-deploy'))).not.toContain(token);
    await expect(authenticatePipeline(gate, 'api-deploy', `Bearer ${token}`)).resolves.toMatchObject({
      name: 'api-deploy',
    });
    await expect(authenticatePipeline(gate, 'web-deploy', `Bearer ${token}`)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(authenticatePipeline(gate, 'api-deploy', undefined)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(
      authenticatePipeline(gate, 'api-deploy', `Bearer ${token.slice(0, -2)}xx`),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await revokePipelineToken(gate, admin, 'api-deploy', stored.hash);
    await expect(authenticatePipeline(gate, 'api-deploy', `Bearer ${token}`)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });
});

describe('CodePipeline: the Lambda invoke action and the execution events (recorded fixtures)', () => {
  it('answers go with PutJobSuccessResult and the change number; the SUCCEEDED event closes the change', async () => {
    const result = await handleGateJob(services(gate), jobEvent);
    expect(result).toMatchObject({ jobId: '11111111-abcd-1111-abcd-111111abcdef', decision: 'go' });
    const calls = codepipeline.commandCalls(PutJobSuccessResultCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      jobId: '11111111-abcd-1111-abcd-111111abcdef',
      outputVariables: { CHANGE_NUMBER: result.change },
    });
    expect(codepipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);

    await expect(
      handlePipelineEvent(services(gate), fixture('execution-started.json')),
    ).resolves.toMatchObject({
      skipped: expect.stringContaining('STARTED'),
    });
    await expect(
      handlePipelineEvent(services(gate), fixture('execution-succeeded.json')),
    ).resolves.toMatchObject({
      change: result.change,
      outcome: 'succeeded',
    });
    const run = await gate.pipelines.getRun('web-deploy', EXECUTION);
    const change = await world.change.changes.get(run?.changeId ?? '');
    expect(change).toMatchObject({ state: 'closed', closeCode: 'successful' });
    // Delivered again (EventBridge delivers at least once): nothing changes.
    await expect(
      handlePipelineEvent(services(gate), fixture('execution-failed.json')),
    ).resolves.toMatchObject({
      skipped: expect.stringContaining('already'),
    });
  });

  it('answers wait with PutJobFailureResult naming the reason, and fails closed on unreadable parameters', async () => {
    const job = structuredClone(jobEvent) as {
      'CodePipeline.job': { data: { actionConfiguration: { configuration: { UserParameters: string } } } };
    };
    job['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters =
      '{"pipeline":"web-deploy"}';
    const result = await handleGateJob(services(gate), job);
    expect(result.decision).toBe('wait');
    const [call] = codepipeline.commandCalls(PutJobFailureResultCommand);
    expect(call?.args[0].input.failureDetails).toMatchObject({
      type: 'JobFailed',
      message: expect.stringContaining('executionId'),
    });
    expect(codepipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  });

  it('throws on an event that is no CodePipeline job (no job id to answer): retried, then dead-lettered', async () => {
    await expect(handleGateJob(services(gate), { hello: 'world' })).rejects.toThrow();
    await expect(handlePipelineEvent(services(gate), { 'detail-type': 'Something else' })).rejects.toThrow();
    expect(codepipeline.calls()).toHaveLength(0);
  });
});

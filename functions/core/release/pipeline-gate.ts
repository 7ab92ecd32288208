import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { PipelineStore } from '#ports/release-store.ts';
import { type ChangeDeps, createChange, moveChange } from '../change/change-service.ts';
import { conflictsOf, freezesHit } from '../change/schedule.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { Label, type Page, type RecordRef } from '../record/record.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../shared/errors.ts';
import {
  type GateDecision,
  type PipelineConfig,
  PipelineName,
  type PipelineOutcome,
  type PipelineRun,
  type PipelineToken,
} from './pipeline.ts';
import { addReleaseChange, type ReleaseDeps } from './release-service.ts';

/**
 * The deployment gate: a pipeline asks before it deploys (CodePipeline through a Lambda invoke
 * action, any other CI/CD through the API with its token). The gate records a standard change
 * from the pipeline's template for the next `windowMinutes`, but only when nothing stands in
 * the way: a freeze window on its services, a conflicting change on its services or CIs, or
 * (for a pipeline bound to a release) a release not yet in deploy. It FAILS CLOSED: whatever
 * it cannot decide — an unknown pipeline, a job from another account, a missing template, any
 * error — is `wait` with the reason, never `go`. The execution's outcome later closes the
 * change (succeeded) or fails it (failed, stopped).
 */
export interface GateDeps {
  readonly change: ChangeDeps;
  readonly release: ReleaseDeps;
  readonly pipelines: PipelineStore;
  readonly config: readonly PipelineConfig[];
}

export interface GateQuestion {
  readonly pipeline: string;
  readonly executionId: string;
  readonly via: 'codepipeline' | 'api';
  readonly commit?: string | undefined;
  readonly requestedBy?: string | undefined;
  /** The account the CodePipeline job came from (checked against the pipeline's). */
  readonly account?: string | undefined;
}

export interface GateAnswer {
  readonly decision: GateDecision;
  readonly reason: string;
  readonly change?: RecordRef;
  readonly release?: RecordRef;
}

export const GateQuestionInput = z.strictObject({
  executionId: z.string().trim().min(1, 'is required').max(128),
  commit: z.string().trim().max(100).optional(),
  requestedBy: z.string().trim().max(254).optional(),
});

export const GateOutcomeInput = z.strictObject({
  outcome: z.enum(['succeeded', 'failed', 'stopped']),
});

const wait = (reason: string): GateAnswer => ({ decision: 'wait', reason });

/** The change record's author: the pipeline, as an agent of the template's group would be. */
export const pipelineActor = (pipeline: string): Actor => ({
  id: `pipeline:${pipeline}`,
  email: `${pipeline.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}@pipelines.spoke.invalid`,
  name: `Pipeline ${pipeline}`,
  groups: ['agents'],
});

const answerOf = (run: PipelineRun): GateAnswer => ({
  decision: run.decision,
  reason: run.reason,
  ...(run.changeId && run.changeNumber
    ? { change: { kind: 'change', id: run.changeId, number: run.changeNumber } }
    : {}),
  ...(run.releaseId && run.releaseNumber
    ? { release: { kind: 'release', id: run.releaseId, number: run.releaseNumber } }
    : {}),
});

/** Asks the gate. Never throws for a decision it cannot make: that is `wait` with the reason. */
export async function askGate(deps: GateDeps, question: GateQuestion): Promise<GateAnswer> {
  try {
    return await decide(deps, question);
  } catch (error) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return wait(`Spoke could not decide, so the deployment waits (fail closed): ${what}`.slice(0, 2000));
  }
}

async function decide(deps: GateDeps, q: GateQuestion): Promise<GateAnswer> {
  const config = deps.config.find((p) => p.name === q.pipeline);
  if (!config) return wait(`Pipeline ${q.pipeline} is not configured in Spoke (config release.pipelines)`);
  if (q.via === 'codepipeline' && config.account && q.account !== config.account)
    return wait(
      `The job came from account ${q.account ?? 'unknown'}, but ${config.name} is configured for account ${config.account}`,
    );
  const asked = await deps.pipelines.getRun(config.name, q.executionId);
  if (asked) return answerOf(asked);
  const template = await deps.change.changes.getTemplate(config.template);
  if (!template) return wait(`The change template ${config.template} of ${config.name} does not exist`);
  const now = deps.change.clock.now();
  const window = {
    plannedStart: now.toISOString(),
    plannedEnd: new Date(now.getTime() + config.windowMinutes * 60_000).toISOString(),
  };
  const freezes = freezesHit(
    { ...window, services: template.services },
    await deps.change.changes.freezes(window.plannedStart, window.plannedEnd),
  );
  const [freeze] = freezes;
  if (freeze)
    return wait(
      `The freeze window “${freeze.name}” (until ${freeze.end}) covers ${freeze.services.length > 0 ? freeze.services.join(', ') : 'every service'}`,
    );
  const conflicts = conflictsOf(
    {
      id: '-',
      state: 'implement',
      ...window,
      services: template.services,
      configurationItems: template.configurationItems,
    },
    await deps.change.changes.inWindow(window.plannedStart, window.plannedEnd),
  );
  const [conflict] = conflicts;
  if (conflict)
    return wait(
      `${conflict.number} is planned at the same time on ${conflict.shared.map((s) => s.replace(/^\w+:/, '')).join(', ')}`,
    );
  const release = config.release ? await deps.release.releases.findByNumber(config.release) : undefined;
  if (config.release && !release)
    return wait(`The release ${config.release} of ${config.name} does not exist`);
  if (release && release.stage !== 'deploy')
    return wait(
      `${release.number} is in ${release.stage}; its deployments wait until it is in deploy (an approved go/no-go)`,
    );
  return record(deps, config, q, window, release);
}

async function record(
  deps: GateDeps,
  config: PipelineConfig,
  q: GateQuestion,
  window: { plannedStart: string; plannedEnd: string },
  release: { id: string; number: string } | undefined,
): Promise<GateAnswer> {
  const actor = pipelineActor(config.name);
  const what = [q.commit && `commit ${q.commit}`, q.requestedBy && `by ${q.requestedBy}`].filter(Boolean);
  const created = await createChange(deps.change, actor, {
    type: 'standard',
    templateId: config.template,
    ...window,
    description: `Deployment by pipeline ${config.name}, execution ${q.executionId}${what.length > 0 ? ` (${what.join(', ')})` : ''}.`,
  });
  const scheduled = await moveChange(deps.change, actor, created.id, {
    version: created.version,
    to: 'scheduled',
  });
  const implementing = await moveChange(deps.change, actor, created.id, {
    version: scheduled.version,
    to: 'implement',
  });
  if (release) await addReleaseChange(deps.release, actor, release.id, { id: created.id }, { system: true });
  const run: PipelineRun = {
    pipeline: config.name,
    executionId: q.executionId,
    decision: 'go',
    reason: `${implementing.number} recorded; no freeze window or conflicting change in the next ${config.windowMinutes} minutes`,
    via: q.via,
    ...(q.commit ? { commit: q.commit } : {}),
    ...(q.requestedBy ? { requestedBy: q.requestedBy } : {}),
    changeId: implementing.id,
    changeNumber: implementing.number,
    ...(release ? { releaseId: release.id, releaseNumber: release.number } : {}),
    decidedAt: deps.change.clock.now().toISOString(),
  };
  if (!(await deps.pipelines.putRun(run))) {
    // The same execution asked twice at once: the first answer stands, this change is withdrawn.
    const first = await deps.pipelines.getRun(config.name, q.executionId);
    await moveChange(deps.change, actor, implementing.id, {
      version: implementing.version,
      to: 'backed_out',
      reason: `duplicate question of execution ${q.executionId}`,
    });
    return first ? answerOf(first) : wait('The same execution asked twice at once; ask again');
  }
  return answerOf(run);
}

/**
 * The execution's outcome: succeeded closes the change (review → closed, successful); failed
 * or stopped fails it. Safe to repeat (events arrive at least once); an execution that never
 * asked the gate is no error (it stopped before its gate, or another pipeline's).
 */
export async function recordOutcome(
  deps: GateDeps,
  pipeline: string,
  executionId: string,
  outcome: PipelineOutcome,
): Promise<{ change?: string; outcome?: PipelineOutcome; skipped?: string }> {
  const run = await deps.pipelines.getRun(pipeline, executionId);
  if (!run) return { skipped: `execution ${executionId} of ${pipeline} never asked the gate` };
  if (run.outcome) return { skipped: `the outcome was recorded already (${run.outcome})` };
  if (!run.changeId) return { skipped: 'no change was recorded' };
  const actor = pipelineActor(pipeline);
  let change = await deps.change.changes.get(run.changeId);
  if (change?.state === 'implement') {
    const note = `Pipeline ${pipeline} execution ${executionId} ${outcome}`;
    if (outcome === 'succeeded') {
      change = await moveChange(deps.change, actor, change.id, { version: change.version, to: 'review' });
      change = await moveChange(deps.change, actor, change.id, {
        version: change.version,
        to: 'closed',
        closeCode: 'successful',
        closeNotes: note,
      });
    } else {
      change = await moveChange(deps.change, actor, change.id, {
        version: change.version,
        to: 'failed',
        reason: note,
      });
    }
  }
  if (run.releaseId && change)
    await addReleaseChange(deps.release, actor, run.releaseId, { id: change.id }, { system: true });
  await deps.pipelines.finishRun({ ...run, outcome, outcomeAt: deps.change.clock.now().toISOString() });
  return { ...(change ? { change: change.number } : {}), outcome };
}

// ——— API tokens of pipelines (any CI/CD that is not CodePipeline) ———

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The pipeline a presented token belongs to; 401 for none, a wrong one, or another pipeline's. */
export async function authenticatePipeline(
  deps: GateDeps,
  pipeline: string,
  authorization: string | undefined,
): Promise<PipelineConfig> {
  const token = /^Bearer (spk_[A-Za-z0-9_-]{40,100})$/.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthorizedError('Send the pipeline token as Authorization: Bearer spk_…');
  const stored = await deps.pipelines.tokenByHash(hashToken(token));
  const config = deps.config.find((p) => p.name === pipeline);
  if (!stored || stored.pipeline !== pipeline || !config)
    throw new UnauthorizedError(`This token does not open the gate of ${pipeline}`);
  return config;
}

export const CreateTokenInput = z.strictObject({ label: Label });

/** Issues a token for a configured pipeline (admins); the token is shown once, only its hash is kept. */
export async function issuePipelineToken(
  deps: GateDeps,
  actor: Actor,
  pipeline: string,
  raw: z.input<typeof CreateTokenInput>,
): Promise<{ token: string; stored: PipelineToken }> {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins issue pipeline tokens');
  const name = PipelineName.parse(pipeline);
  const input = CreateTokenInput.parse(raw);
  if (!deps.config.some((p) => p.name === name)) throw new NotFoundError(`No configured pipeline ${name}`);
  const token = `spk_${randomBytes(32).toString('base64url')}`;
  const stored: PipelineToken = {
    hash: hashToken(token),
    pipeline: name,
    label: input.label,
    createdAt: deps.change.clock.now().toISOString(),
    createdBy: { id: actor.id, email: normalizeEmail(actor.email) },
  };
  await deps.pipelines.putToken(stored);
  return { token, stored };
}

export async function revokePipelineToken(deps: GateDeps, actor: Actor, pipeline: string, hash: string) {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins revoke pipeline tokens');
  const stored = await deps.pipelines.tokenByHash(hash);
  if (!stored || stored.pipeline !== pipeline) throw new NotFoundError(`No token ${hash} of ${pipeline}`);
  await deps.pipelines.deleteToken(hash);
}

/** The configured pipelines with their latest runs and (for admins) their tokens' labels. */
export async function listPipelines(deps: GateDeps, actor: Actor) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents see the deployment pipelines');
  return Promise.all(
    deps.config.map(async (config) => {
      const runs: Page<PipelineRun> = await deps.pipelines.runs(config.name, { limit: 10 });
      const tokens = isAdmin(actor) ? await deps.pipelines.tokens(config.name) : [];
      return { ...config, runs: runs.items, tokens };
    }),
  );
}

export async function pipelineRuns(deps: GateDeps, actor: Actor, pipeline: string, cursor?: string) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents see the deployment pipelines');
  return deps.pipelines.runs(pipeline, { limit: 25, ...(cursor ? { cursor } : {}) });
}

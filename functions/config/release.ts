import type * as z from 'zod';
import { CodePipelineJobs } from '#adapters/codepipeline/pipeline-jobs.codepipeline.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { DynamoReleaseStore } from '#adapters/dynamodb/release-store.dynamo.ts';
import { SfnWorkflow } from '#adapters/stepfunctions/change-workflow.sfn.ts';
import { PipelineConfig } from '#core/release/pipeline.ts';
import type { GateDeps } from '#core/release/pipeline-gate.ts';
import { defaultReleaseSettings } from '#core/release/release.ts';
import type { ReleaseDeps, ReleaseWorkflow } from '#core/release/release-service.ts';
import type { Mailer } from '#ports/mail.ts';
import type { PipelineJobs } from '#ports/pipeline-jobs.ts';
import type { SuppressionList } from '#ports/suppression-list.ts';
import { changeAdapters, dataAdapters, linkSigner, localWiring, workflowMail } from './composition-root.ts';
import type { changeEnv, dataEnv, mailEnv, releaseEnv } from './env.ts';

/**
 * The wiring of release management and the pipeline gate, called from the composition root's
 * functions and from the release handlers: the release store on the record table, the go/no-go
 * state machine (Step Functions in AWS, the local runner on a laptop), and CodePipeline's job API.
 */
type ReleaseEnv = z.output<typeof dataEnv> & z.output<typeof changeEnv> & z.output<typeof releaseEnv>;

/** The go/no-go workflow, resolved at first use (the local runner exists only once the functions do). */
function releaseWorkflow(stateMachineArn: string | undefined): ReleaseWorkflow {
  let workflow: ReleaseWorkflow | undefined;
  const get = (): ReleaseWorkflow => {
    if (workflow) return workflow;
    const local = localWiring();
    if (local && !local.releaseWorkflow)
      throw new Error('The local cloud was wired without a release go/no-go workflow runner');
    const sfn = new SfnWorkflow(stateMachineArn ?? '', 'Release.Cancelled');
    workflow = local?.releaseWorkflow ?? {
      start: ({ releaseId }) => sfn.start(releaseId, { releaseId }),
      stop: (executionId, cause) => sfn.stop(executionId, cause),
      answer: (token, outcome) => sfn.answer(token, outcome),
    };
    return workflow;
  };
  return {
    start: (input) => get().start(input),
    stop: (executionId, cause) => get().stop(executionId, cause),
    answer: (token, outcome) => get().answer(token, outcome),
  };
}

/** The local cloud's CodePipeline stand-in, or AWS (no configuration) in Lambda. */
function localCodePipeline() {
  const endpoint = localWiring()?.endpoints.codepipeline;
  return endpoint
    ? { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
}

/** The configured pipelines; a list that does not parse fails the cold start, naming the field. */
export function pipelinesOf(json: string): PipelineConfig[] {
  const result = PipelineConfig.array().safeParse(JSON.parse(json));
  if (!result.success)
    throw new Error(
      `PIPELINES is not a list of pipelines: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}

export function releaseServices(
  env: ReleaseEnv,
  stateMachineArn?: string,
  data = dataAdapters(env),
): ReleaseDeps & { readonly store: DynamoReleaseStore } {
  const options = {
    client: data.documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  };
  const store = new DynamoReleaseStore(options);
  const change = changeAdapters(env, undefined, data);
  return {
    store,
    releases: store,
    changes: change.changes,
    problems: new DynamoProblemStore(options),
    tickets: data.tickets,
    workflow: releaseWorkflow(stateMachineArn),
    groups: data.groups,
    groupStore: data.groupStore,
    events: data.events,
    clock: data.clock,
    ids: data.ids,
    signer: linkSigner(env.LINK_KEY_ID),
    releaseSettings: {
      ...defaultReleaseSettings,
      managersGroup: env.ESCALATION_GROUP,
      goNoGoGroup: env.RELEASE_GO_NO_GO_GROUP,
      linkValidHours: Number(env.APPROVAL_LINK_VALID_HOURS),
    },
  };
}

/** The gate: the change engine (standard changes, freezes, conflicts), the releases and the pipelines. */
export function gateServices(
  env: ReleaseEnv,
  release: ReturnType<typeof releaseServices>,
  data = dataAdapters(env),
): GateDeps {
  return {
    change: changeAdapters(env, undefined, data),
    release,
    pipelines: release.store,
    config: pipelinesOf(env.PIPELINES),
  };
}

export interface ReleaseFunctionServices {
  readonly release: ReleaseDeps;
  readonly gate: GateDeps;
  readonly jobs: PipelineJobs;
  readonly mailer: Mailer;
  readonly suppressions: SuppressionList;
  readonly portalUrl: string;
  readonly supportAddress: string;
}

/** What the release functions (go/no-go task, CodePipeline gate, pipeline outcomes) need. */
export function releaseFunctionServices(env: ReleaseEnv & z.output<typeof mailEnv>): ReleaseFunctionServices {
  const data = dataAdapters(env);
  const release = releaseServices(env, undefined, data);
  return {
    release,
    gate: gateServices(env, release, data),
    jobs: new CodePipelineJobs(undefined, localCodePipeline()),
    ...workflowMail(env, data),
    portalUrl: env.PORTAL_URL,
    supportAddress: env.SUPPORT_ADDRESS,
  };
}

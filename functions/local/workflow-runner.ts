import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parseConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { SpokeFunction } from '#infra/spoke-function.ts';
import type { WorkflowStarter } from '#ports/workflow-starter.ts';

/**
 * Runs Spoke's Step Functions workflows on a laptop (DESIGN §2). The ASL is not copied: the CDK
 * app is synthesized in-process, the state machine's `DefinitionString` is taken from the
 * template and its intrinsics resolved to local ARNs, and every Lambda task is mapped, through
 * the `entry` each `SpokeFunction` records, to its handler module, which is imported and called.
 * `aws-local-stepfunctions` executes the result; `.waitForTaskToken` tasks, which it lacks, are
 * emulated by a token registry answered with `sendTaskSuccess` / `sendTaskFailure`.
 */

const LOCAL_ACCOUNT = '000000000000';

/** The config the local cloud synthesizes the stack from: nothing in it reaches AWS. */
export const localConfig: SpokeConfig = parseConfig(
  {
    stage: 'local',
    account: LOCAL_ACCOUNT,
    region: 'us-east-1',
    company: { name: 'Spoke local' },
    support: { addresses: ['support@spoke.localhost'], mailFrom: 'support@spoke.localhost' },
    auth: { domainPrefix: 'spoke-local' },
    retention: { logDays: 1 },
  },
  'functions/local/workflow-runner.ts',
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AslState = StateMachineDefinition['States'][string] & Record<string, unknown>;

export interface LocalExecution {
  /** An execution ARN, shaped as Step Functions returns it. */
  readonly executionId: string;
  readonly input: Json;
  readonly startedAt: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: { readonly name: string; readonly message: string };
}

/** The failure Step Functions reports for a task token: the state's Catch matches `name`. */
export class TaskFailure extends Error {
  constructor(error: string, cause?: string) {
    super(cause ?? error);
    this.name = error;
  }
}

interface PendingTask {
  readonly executionId: string;
  readonly stateName: string;
  readonly resolve: (output: Json) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Task tokens of waiting `.waitForTaskToken` states. A token is answered once; answering an
 * expired token is a `TaskTimedOut` error and an unknown one `TaskDoesNotExist`, as in AWS,
 * so a late approval gets a clear error instead of a crash.
 */
export class TaskTokenRegistry {
  readonly #pending = new Map<string, PendingTask>();
  readonly #expired = new Set<string>();

  /** Registers a waiting task; its promise settles with the answer or `States.Timeout`. */
  wait(
    executionId: string,
    stateName: string,
    timeoutSeconds: number,
  ): { token: string; answer: Promise<Json> } {
    const token = randomUUID();
    const answer = new Promise<Json>((resolve, reject) => {
      this.#pending.set(token, { executionId, stateName, resolve, reject });
    });
    setTimeout(() => {
      const task = this.#take(token, false);
      if (!task) return;
      this.#expired.add(token);
      task.reject(
        new TaskFailure('States.Timeout', `${stateName} waited ${timeoutSeconds} s for its task token`),
      );
    }, timeoutSeconds * 1000).unref();
    answer.catch(() => undefined);
    return { token, answer };
  }

  /** Forgets a token whose task failed before it could be answered. */
  cancel(token: string): void {
    this.#take(token, false);
  }

  succeed(token: string, output: Json): void {
    this.#take(token, true)?.resolve(output);
  }

  fail(token: string, error: string, cause?: string): void {
    this.#take(token, true)?.reject(new TaskFailure(error, cause));
  }

  /** Tasks waiting for an answer, e.g. for a local approval screen. */
  pending(): { token: string; executionId: string; stateName: string }[] {
    return [...this.#pending].map(([token, { executionId, stateName }]) => ({
      token,
      executionId,
      stateName,
    }));
  }

  #take(token: string, answering: boolean): PendingTask | undefined {
    const task = this.#pending.get(token);
    if (task) {
      this.#pending.delete(token);
      return task;
    }
    if (!answering) return undefined;
    if (this.#expired.has(token)) throw new TaskFailure('TaskTimedOut', `Task token ${token} has expired`);
    throw new TaskFailure('TaskDoesNotExist', `No task waits for token ${token}`);
  }
}

export interface LocalWorkflowsOptions {
  /** The functions' environment (table names, buckets…), put into `process.env` before a handler loads. */
  readonly env: Record<string, string>;
  /** @default localConfig */
  readonly config?: SpokeConfig;
}

export interface LocalWorkflows {
  readonly starter: WorkflowStarter;
  /** The ASL that runs: the synthesized `DefinitionString` with local ARNs. */
  readonly definition: StateMachineDefinition;
  /** Where it came from in the synthesized template. */
  readonly source: { readonly stackName: string; readonly logicalId: string };
  /** Lambda task state → the handler module it runs (absolute path). */
  readonly taskHandlers: Readonly<Record<string, string>>;
  sendTaskSuccess(token: string, output: Json): void;
  sendTaskFailure(token: string, error: string, cause?: string): void;
  pendingTasks(): { token: string; executionId: string; stateName: string }[];
  executions(): readonly LocalExecution[];
  /** Settles when the execution has finished, with its final record. */
  finished(executionId: string): Promise<LocalExecution>;
}

/** Starts change approvals on the local runner: the local implementation of the port. */
export class LocalWorkflowStarter implements WorkflowStarter {
  readonly #start: (input: Json) => string;

  constructor(start: (input: Json) => string) {
    this.#start = start;
  }

  async startChangeApproval(input: { changeId: string }): Promise<{ executionId: string }> {
    return { executionId: this.#start(input) };
  }
}

/** Synthesizes the stack and prepares the change approval workflow to run locally. */
export async function createLocalWorkflows({
  env,
  config = localConfig,
}: LocalWorkflowsOptions): Promise<LocalWorkflows> {
  const { definition, source, functionEntries, region, stateMachineName } = synthesizeChangeApproval(config);
  const tasks = taskStates(definition);
  const taskHandlers = Object.fromEntries(
    Object.entries(tasks).map(([name, state]) => [name, handlerEntry(name, state, functionEntries)]),
  );
  Object.assign(process.env, env);
  const handlers = new Map<string, LambdaHandler>();
  for (const entry of new Set(Object.values(taskHandlers))) handlers.set(entry, await loadHandler(entry));

  const tokens = new TaskTokenRegistry();
  const records = new Map<string, { record: LocalExecution; done: Promise<LocalExecution> }>();
  const machine = new StateMachine(structuredClone(definition), { validationOptions: { checkArn: false } });
  const tokenPlaceholder = `local-task-token-${randomUUID()}`;

  const start = (input: Json): string => {
    const name = randomUUID();
    const executionId = `arn:aws:states:${region}:${config.account}:execution:${stateMachineName}:${name}`;
    const overrides = Object.fromEntries(
      Object.entries(tasks).map(([stateName, state]) => {
        const handler = handlers.get(taskHandlers[stateName] ?? '');
        if (!handler) throw new Error(`No handler loaded for task ${stateName}`);
        const invoke = (event: Json) => handler(event, lambdaContext(stateName)) as Promise<Json>;
        return [stateName, taskOverride(state, invoke, { executionId, stateName, tokens, tokenPlaceholder })];
      }),
    );
    const record: LocalExecution = { executionId, input, startedAt: new Date(), status: 'RUNNING' };
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: overrides },
      context: {
        Execution: { Id: executionId, Name: name },
        StateMachine: {
          Id: executionId.replace(/:execution:(.+):.+$/, ':stateMachine:$1'),
          Name: stateMachineName,
        },
        Task: { Token: tokenPlaceholder },
      },
    });
    const done = execution.result.then(
      (output) => Object.assign(record, { status: 'SUCCEEDED' as const, output: output as Json }),
      (error: Error) => {
        const failure = error.cause instanceof Error ? error.cause : error;
        return Object.assign(record, {
          status: 'FAILED' as const,
          error: { name: failure.name, message: failure.message },
        });
      },
    );
    records.set(executionId, { record, done });
    return executionId;
  };

  return {
    starter: new LocalWorkflowStarter(start),
    definition,
    source,
    taskHandlers,
    sendTaskSuccess: (token, output) => tokens.succeed(token, output),
    sendTaskFailure: (token, error, cause) => tokens.fail(token, error, cause),
    pendingTasks: () => tokens.pending(),
    executions: () => [...records.values()].map(({ record }) => record),
    finished: (executionId) => {
      const execution = records.get(executionId);
      if (!execution) return Promise.reject(new Error(`Unknown execution ${executionId}`));
      return execution.done;
    },
  };
}

type LambdaHandler = (event: unknown, context: unknown) => unknown;

async function loadHandler(entry: string): Promise<LambdaHandler> {
  const module: { handler?: LambdaHandler } = await import(pathToFileURL(entry).href);
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler;
}

function lambdaContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
  };
}

/**
 * Synthesizes the Spoke app without bundling or cdk-nag and returns the change approval ASL,
 * resolved, with the handler module of each Lambda function by logical id.
 */
export function synthesizeChangeApproval(config: SpokeConfig) {
  const outdir = mkdtempSync(join(tmpdir(), 'spoke-workflows-'));
  try {
    const { app, stack } = createSpokeApp({
      config,
      nag: false,
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const logicalId = stack.getLogicalId(stack.workflows.changeApproval.node.defaultChild as CfnStateMachine);
    const functionEntries = new Map(
      stack.node
        .findAll()
        .filter((construct) => construct instanceof SpokeFunction)
        .map((fn) => [stack.getLogicalId(fn.node.defaultChild as CfnFunction), fn.entry]),
    );
    const resolve = intrinsicResolver(template.Resources, { region: stack.region, account: config.account });
    const definitionString = template.Resources[logicalId]?.Properties?.DefinitionString;
    if (definitionString === undefined) throw new Error(`The template has no state machine ${logicalId}`);
    const definition = JSON.parse(String(resolve(definitionString))) as StateMachineDefinition;
    const stateMachineName = String(template.Resources[logicalId]?.Properties?.StateMachineName ?? logicalId);
    const lambdaEntries = new Map(
      [...functionEntries].map(([id, entry]) => [resolve({ 'Fn::GetAtt': [id, 'Arn'] }), entry]),
    );
    return {
      definition,
      source: { stackName: stack.stackName, logicalId },
      functionEntries: lambdaEntries as Map<string, string>,
      region: stack.region,
      stateMachineName,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Resolves the CloudFormation intrinsics CDK puts into a definition string to local values. */
function intrinsicResolver(
  resources: Record<string, { Type: string }>,
  { region, account }: { region: string; account: string },
): (value: unknown) => unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arn = (logicalId: string): string => {
    const type = resources[logicalId]?.Type;
    if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    if (!type) throw new Error(`The definition refers to ${logicalId}, which is not in the template`);
    return `arn:aws:${type.split('::')[1]?.toLowerCase()}:${region}:${account}:${logicalId}`;
  };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string' || typeof value === 'number') return value;
    if (Array.isArray(value)) return value.map(resolve);
    const [[fn, args] = []] = Object.entries(value as object);
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (fn === 'Fn::GetAtt' && (args as string[])[1] === 'Arn') return arn((args as string[])[0] ?? '');
    if (fn === 'Ref') return pseudo[args as string] ?? args;
    throw new Error(`The local workflow runner cannot resolve ${JSON.stringify(value)}`);
  };
  return resolve;
}

/** Every Task state by name, including those inside Parallel branches and Map processors. */
function taskStates(definition: StateMachineDefinition): Record<string, AslState> {
  const found: Record<string, AslState> = {};
  const visit = (states: Record<string, unknown>) => {
    for (const [name, state] of Object.entries(states) as [string, AslState][]) {
      if (state.Type === 'Task') found[name] = state;
      for (const branch of (state.Branches as StateMachineDefinition[] | undefined) ?? [])
        visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as StateMachineDefinition | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States);
  return found;
}

const lambdaInvoke = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;

function handlerEntry(stateName: string, state: AslState, functionEntries: Map<string, string>): string {
  const resource = String(state.Resource);
  const functionArn = lambdaInvoke.test(resource)
    ? String((state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName)
    : resource;
  const entry = functionEntries.get(functionArn);
  if (!entry) {
    throw new Error(
      `Task ${stateName} (${resource} ${functionArn}) is not a SpokeFunction; the local runner cannot run it`,
    );
  }
  return entry;
}

function taskOverride(
  state: AslState,
  invoke: (event: Json) => Promise<Json>,
  task: { executionId: string; stateName: string; tokens: TaskTokenRegistry; tokenPlaceholder: string },
): (input: Json) => Promise<Json> {
  const resource = String(state.Resource);
  const match = lambdaInvoke.exec(resource);
  if (!match) return invoke;
  const invokeResponse = (payload: Json): Json => ({
    ExecutedVersion: '$LATEST',
    Payload: payload,
    StatusCode: 200,
  });
  if (!match[1])
    return async (input) => invokeResponse(await invoke((input as { Payload?: Json }).Payload ?? null));
  return async (input) => {
    const { token, answer } = task.tokens.wait(
      task.executionId,
      task.stateName,
      Number(state.TimeoutSeconds ?? 60),
    );
    const withToken = JSON.parse(JSON.stringify(input).replaceAll(task.tokenPlaceholder, token)) as {
      Payload?: Json;
    };
    try {
      await invoke(withToken.Payload ?? null);
    } catch (error) {
      task.tokens.cancel(token);
      throw error;
    }
    return answer;
  };
}

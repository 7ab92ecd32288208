import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Decision } from '#core/change/approval.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';

/**
 * Runs Spoke's Step Functions workflows on a laptop (DESIGN §2). The ASL is not copied: the CDK
 * app is synthesized in-process, the state machine's `DefinitionString` is taken from the
 * template and its intrinsics resolved to local ARNs, and every Lambda task is mapped, through
 * the `entry` each `SpokeFunction` records, to its handler module, which is imported and called.
 * `aws-local-stepfunctions` executes the result; `.waitForTaskToken` tasks, which it lacks, are
 * emulated by a token registry answered with `sendTaskSuccess` / `sendTaskFailure`.
 */

export const LOCAL_ACCOUNT = '000000000000';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AslState = StateMachineDefinition['States'][string] & Record<string, unknown>;

export interface LocalExecution {
  /** An execution ARN, shaped as Step Functions returns it. */
  readonly executionId: string;
  readonly input: Json;
  readonly startedAt: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
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

  /** Registers a waiting task; its promise settles with the answer or `States.Timeout` after `timeoutSeconds`. */
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

  /** The execution ended (finished, failed or stopped): its waiting tasks can no longer be answered. */
  endExecution(executionId: string): void {
    for (const [token, task] of this.#pending) {
      if (task.executionId !== executionId) continue;
      this.#pending.delete(token);
      this.#expired.add(token);
    }
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

/** The change approval state machine as synthesized: plain data, so it can be cached between runs. */
export interface SynthesizedWorkflow {
  readonly definition: StateMachineDefinition;
  readonly source: { readonly stackName: string; readonly logicalId: string };
  /** Lambda function ARN (local) → the handler module it runs. */
  readonly functionEntries: Readonly<Record<string, string>>;
  readonly region: string;
  readonly stateMachineName: string;
}

export interface LocalWorkflowsOptions {
  /** The functions' environment (table names, buckets…), put into `process.env` before a handler loads. */
  readonly env: Record<string, string>;
  /**
   * Where to keep the synthesized workflow between runs. With it, synthesis runs in a child
   * process and only when the infrastructure code changed; without it, in this process.
   */
  readonly cacheDir?: string;
  /**
   * How long a `.waitForTaskToken` task really waits, given the state and its declared
   * `TimeoutSeconds`: tests shrink days to moments. @default the declared value
   */
  readonly taskTimeoutSeconds?: (stateName: string, declared: number) => number;
}

export interface LocalWorkflows {
  /** The `ChangeWorkflow` port on this runner, for the composition root. */
  readonly changeWorkflow: ChangeWorkflow;
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

/** Stops an execution; the runner records it as aborted. */
type Abort = () => void;

/** `.waitForTaskToken` tasks keep the engine's own timer out of the way: the token registry times them. */
const ENGINE_TIMEOUT_SECONDS = 2_000_000;

/** Synthesizes the stack and prepares the change approval workflow to run locally. */
export async function createLocalWorkflows({
  env,
  cacheDir,
  taskTimeoutSeconds = (_state, declared) => declared,
}: LocalWorkflowsOptions): Promise<LocalWorkflows> {
  const { definition, source, functionEntries, region, stateMachineName } =
    await synthesizedWorkflow(cacheDir);
  const tasks = taskStates(definition);
  const taskHandlers = Object.fromEntries(
    Object.entries(tasks).map(([name, state]) => [name, handlerEntry(name, state, functionEntries)]),
  );
  Object.assign(process.env, env);
  const handlers = new Map<string, LambdaHandler>();
  for (const entry of new Set(Object.values(taskHandlers))) handlers.set(entry, await loadHandler(entry));

  const tokens = new TaskTokenRegistry();
  const records = new Map<string, { record: LocalExecution; done: Promise<LocalExecution>; abort: Abort }>();
  const machine = new StateMachine(engineDefinition(definition), { validationOptions: { checkArn: false } });
  const tokenPlaceholder = `local-task-token-${randomUUID()}`;

  const start = (input: Json): string => {
    const name = randomUUID();
    const executionId = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:execution:${stateMachineName}:${name}`;
    const overrides = Object.fromEntries(
      Object.entries(tasks).map(([stateName, state]) => {
        const handler = handlers.get(taskHandlers[stateName] ?? '');
        if (!handler) throw new Error(`No handler loaded for task ${stateName}`);
        const invoke = (event: Json) => handler(event, lambdaContext(stateName)) as Promise<Json>;
        const timeout = taskTimeoutSeconds(stateName, Number(state.TimeoutSeconds ?? 60));
        return [
          stateName,
          taskOverride(state, invoke, { executionId, stateName, tokens, tokenPlaceholder, timeout }),
        ];
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
    const done = execution.result
      .then(
        (output) => Object.assign(record, { status: 'SUCCEEDED' as const, output: output as Json }),
        (error: Error) => {
          if (record.status === 'ABORTED') return record;
          const failure = error.cause instanceof Error ? error.cause : error;
          return Object.assign(record, {
            status: 'FAILED' as const,
            error: { name: failure.name, message: failure.message },
          });
        },
      )
      .finally(() => tokens.endExecution(executionId));
    records.set(executionId, { record, done, abort: () => execution.abort() });
    return executionId;
  };

  const answer = (token: string, outcome: Json) => {
    try {
      tokens.succeed(token, outcome);
    } catch (error) {
      if (error instanceof TaskFailure) throw new TaskTokenGoneError(error.message);
      throw error;
    }
  };

  return {
    changeWorkflow: {
      start: async ({ changeId }) => ({ executionId: start({ changeId }) }),
      stop: async (executionId) => {
        const execution = records.get(executionId);
        if (execution?.record.status !== 'RUNNING') return;
        execution.record.status = 'ABORTED';
        execution.abort();
        tokens.endExecution(executionId);
      },
      answer: async (token: string, outcome: { decision: Decision }) => answer(token, outcome),
    },
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

/** The definition the engine runs: token tasks without the engine's own timer (the registry keeps time). */
function engineDefinition(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition) as StateMachineDefinition & { TimeoutSeconds?: number };
  // Node timers hold at most 24.8 days; a longer execution timeout would fire at once.
  if ((copy.TimeoutSeconds ?? 0) > ENGINE_TIMEOUT_SECONDS) copy.TimeoutSeconds = ENGINE_TIMEOUT_SECONDS;
  for (const state of Object.values(taskStates(copy)))
    if (String(state.Resource).endsWith('.waitForTaskToken')) state.TimeoutSeconds = ENGINE_TIMEOUT_SECONDS;
  return copy;
}

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

function handlerEntry(
  stateName: string,
  state: AslState,
  functionEntries: Readonly<Record<string, string>>,
): string {
  const resource = String(state.Resource);
  const functionArn = lambdaInvoke.test(resource)
    ? String((state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName)
    : resource;
  const entry = functionEntries[functionArn];
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
  task: {
    executionId: string;
    stateName: string;
    tokens: TaskTokenRegistry;
    tokenPlaceholder: string;
    timeout: number;
  },
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
    const { token, answer } = task.tokens.wait(task.executionId, task.stateName, task.timeout);
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

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Everything synthesis depends on: the infrastructure code, the handler list and the locked packages. */
async function synthesisInputsHash(): Promise<string> {
  const hash = createHash('sha256').update(repoRoot);
  const infra = (await readdir(join(repoRoot, 'infra'), { recursive: true }))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  for (const file of infra) hash.update(file).update(await readFile(join(repoRoot, 'infra', file)));
  hash.update((await readdir(join(repoRoot, 'functions/handlers'))).sort().join());
  hash.update(await readFile(join(repoRoot, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The synthesized change approval workflow: from the cache when the infrastructure code is
 * unchanged, else from `workflow-synth.ts` in a child process, so aws-cdk-lib never sits in
 * the local cloud's memory. Without a cache folder it synthesizes in this process.
 */
async function synthesizedWorkflow(cacheDir: string | undefined): Promise<SynthesizedWorkflow> {
  if (!cacheDir) return (await import('./workflow-synth.ts')).synthesizeChangeApproval();
  const file = join(cacheDir, `change-approval-${await synthesisInputsHash()}.json`);
  const cached = await readFile(file, 'utf8').catch(() => undefined);
  if (cached) return JSON.parse(cached) as SynthesizedWorkflow;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(repoRoot, 'functions/local/workflow-synth.ts')],
    {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, stdout);
  return JSON.parse(stdout) as SynthesizedWorkflow;
}

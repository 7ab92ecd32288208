import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Decision } from '#core/change/approval.ts';
import type { ReleaseWorkflow } from '#core/release/release-service.ts';
import type { RequestWorkflow } from '#ports/catalog-store.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';
import { LOCAL_ACCOUNT, type SynthesizedWorkflow } from './local-template.ts';

/**
 * Runs Spoke's Step Functions workflows on a laptop (DESIGN §2). The ASL is not copied: it is
 * the state machine's `DefinitionString` from the synthesized template (`local-template.ts`),
 * its intrinsics resolved to local ARNs, and every Lambda task invokes the template's function
 * of that ARN on the local Lambda service (`lambda-runtime.ts`).
 * `aws-local-stepfunctions` executes the result; `.waitForTaskToken` tasks, which it lacks, are
 * emulated by a token registry answered with `sendTaskSuccess` / `sendTaskFailure`.
 */

export { LOCAL_ACCOUNT };

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

export interface LocalWorkflowsOptions {
  /** The change approval state machine from the local template. */
  readonly workflow: SynthesizedWorkflow;
  /** Invokes a function of the template by logical id (the local Lambda service). */
  readonly invoke: (functionId: string, event: Json) => Promise<unknown>;
  /**
   * How long a `.waitForTaskToken` task really waits, given the state and its declared
   * `TimeoutSeconds`: tests shrink days to moments. @default the declared value
   */
  readonly taskTimeoutSeconds?: (stateName: string, declared: number) => number;
}

export interface LocalWorkflows {
  /** The `ChangeWorkflow` port on this runner, for the composition root. */
  readonly changeWorkflow: ChangeWorkflow;
  /** The `RequestWorkflow` port on this runner (executions started with `{ requestId }`). */
  readonly requestWorkflow: RequestWorkflow;
  /** The `ReleaseWorkflow` port on this runner (executions started with `{ releaseId }`). */
  readonly releaseWorkflow: ReleaseWorkflow;
  /** The ASL that runs: the synthesized `DefinitionString` with local ARNs. */
  readonly definition: StateMachineDefinition;
  /** Where it came from in the synthesized template. */
  readonly source: { readonly stackName: string; readonly logicalId: string };
  /** Lambda task state → the function (logical id) it invokes. */
  readonly taskFunctions: Readonly<Record<string, string>>;
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
export function createLocalWorkflows({
  workflow,
  invoke: invokeFunction,
  taskTimeoutSeconds = (_state, declared) => declared,
}: LocalWorkflowsOptions): LocalWorkflows {
  const { definition, source, functionsByArn, region, stateMachineName } = workflow;
  const tasks = taskStates(definition);
  const taskFunctions = Object.fromEntries(
    Object.entries(tasks).map(([name, state]) => [name, taskFunction(name, state, functionsByArn)]),
  );

  const tokens = new TaskTokenRegistry();
  const records = new Map<string, { record: LocalExecution; done: Promise<LocalExecution>; abort: Abort }>();
  const machine = new StateMachine(engineDefinition(definition), { validationOptions: { checkArn: false } });
  const tokenPlaceholder = `local-task-token-${randomUUID()}`;

  const start = (input: Json): string => {
    const name = randomUUID();
    const executionId = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:execution:${stateMachineName}:${name}`;
    const overrides = Object.fromEntries(
      Object.entries(tasks).map(([stateName, state]) => {
        const functionId = taskFunctions[stateName] as string;
        const invoke = (event: Json) => invokeFunction(functionId, event) as Promise<Json>;
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

  const stop = async (executionId: string) => {
    const execution = records.get(executionId);
    if (execution?.record.status !== 'RUNNING') return;
    execution.record.status = 'ABORTED';
    execution.abort();
    tokens.endExecution(executionId);
  };

  return {
    changeWorkflow: {
      start: async ({ changeId }) => ({ executionId: start({ changeId }) }),
      stop,
      answer: async (token: string, outcome: { decision: Decision }) => answer(token, outcome),
    },
    requestWorkflow: {
      start: async ({ requestId }) => ({ executionId: start({ requestId }) }),
      stop,
      answer: async (token, output) => answer(token, { ...output }),
    },
    releaseWorkflow: {
      start: async ({ releaseId }) => ({ executionId: start({ releaseId }) }),
      stop,
      answer: async (token, outcome) => answer(token, { ...outcome }),
    },
    definition,
    source,
    taskFunctions,
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

/** The definition the engine runs: token tasks without the engine's own timer (the registry keeps time). */
function engineDefinition(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition) as StateMachineDefinition & { TimeoutSeconds?: number };
  // Node timers hold at most 24.8 days; a longer execution timeout would fire at once.
  if ((copy.TimeoutSeconds ?? 0) > ENGINE_TIMEOUT_SECONDS) copy.TimeoutSeconds = ENGINE_TIMEOUT_SECONDS;
  for (const state of Object.values(taskStates(copy)))
    if (String(state.Resource).endsWith('.waitForTaskToken')) state.TimeoutSeconds = ENGINE_TIMEOUT_SECONDS;
  return copy;
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

function taskFunction(
  stateName: string,
  state: AslState,
  functionsByArn: Readonly<Record<string, string>>,
): string {
  const resource = String(state.Resource);
  const functionArn = lambdaInvoke.test(resource)
    ? String((state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName)
    : resource;
  const entry = functionsByArn[functionArn];
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

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LocalCloudWiring } from '#config/composition-root.ts';
import type { ReleaseWorkflow } from '#core/release/release-service.ts';
import type { RequestWorkflow } from '#ports/catalog-store.ts';
import type { ChangeWorkflow } from '#ports/change-workflow.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { TemplateFunction } from './local-template.ts';

/**
 * The local Lambda service. Each function of the template runs in a worker thread of its own,
 * started with `env` set to the function's `Environment.Variables` (plus what Lambda itself
 * sets), so a handler sees its own environment and nothing else: not the local cloud's, not
 * another function's. A worker thread is the smallest unit Node gives its own `process.env`
 * and module instances (its own composition root, SDK clients and caches), as a Lambda
 * execution environment has; a child process would do the same at several times the start-up
 * cost. Invocations and results cross as structured clones, as JSON crosses the Lambda API.
 */

/** An error as it crosses the thread boundary: the name matters (Step Functions' Catch matches it). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export interface FunctionWorkerData {
  readonly entry: string;
  readonly functionName: string;
  readonly arn: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly endpoints: LocalCloudWiring['endpoints'];
  readonly linkKey?: Uint8Array;
  readonly parameters?: LocalCloudWiring['parameters'];
}

export type ToWorker =
  | { type: 'invoke'; id: number; event: unknown; requestId?: string }
  | { type: 'reply'; id: number; result?: unknown; error?: WireError };

export type ToMain =
  | { type: 'ready' }
  | { type: 'init-error'; error: WireError }
  | { type: 'result'; id: number; result?: unknown; error?: WireError }
  | {
      type: 'call';
      id: number;
      method:
        | 'publish'
        | 'workflow.start'
        | 'workflow.stop'
        | 'workflow.answer'
        | 'request.start'
        | 'request.stop'
        | 'request.answer'
        | 'release.start'
        | 'release.stop'
        | 'release.answer';
      args: unknown;
    };

/** What the functions reach in the main thread: the local bus and the Step Functions runner. */
export interface MainThreadServices {
  publish(events: readonly DomainEvent[]): Promise<void>;
  /** Resolved at call time: the runner itself needs the functions to exist first. */
  workflow(): ChangeWorkflow;
  /** The catalog request workflow's runner, likewise. */
  requestWorkflow?(): RequestWorkflow;
  /** The release go/no-go workflow's runner, likewise. */
  releaseWorkflow?(): ReleaseWorkflow;
}

export interface LocalFunctionsOptions {
  readonly functions: readonly TemplateFunction[];
  readonly region: string;
  readonly endpoints: LocalCloudWiring['endpoints'];
  readonly linkKey?: Uint8Array;
  /** The template's SSM parameters, which the functions read as they would from Parameter Store. */
  readonly parameters?: LocalCloudWiring['parameters'];
  readonly services: MainThreadServices;
  /** Functions started at once (the others on first invocation); a start failure then fails this call. */
  readonly eager?: readonly string[];
}

export interface LocalFunctions {
  /** Invokes a function by logical id, as `Invoke` with `RequestResponse`; rejects with the handler's error. */
  invoke(logicalId: string, event: unknown, requestId?: string): Promise<unknown>;
  /** The environment a function runs with (what its handler sees as `process.env`). */
  environment(logicalId: string): Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
const workerUrl = new URL('./lambda-worker.ts', import.meta.url);

const fromWire = (error: WireError): Error => {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
};

/** The variables Lambda sets in every execution environment, beside the function's own. */
function lambdaVariables(fn: TemplateFunction, region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
  };
}

export async function startLocalFunctions(options: LocalFunctionsOptions): Promise<LocalFunctions> {
  const byId = new Map(options.functions.map((fn) => [fn.logicalId, fn]));
  const running = new Map<string, Promise<Worker>>();
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const owner = new Map<number, string>();
  let nextId = 0;
  let closed = false;

  const answer = async (message: Extract<ToMain, { type: 'call' }>): Promise<unknown> => {
    const workflow = options.services.workflow;
    type Args<M extends keyof ChangeWorkflow> = Parameters<ChangeWorkflow[M]>;
    switch (message.method) {
      case 'publish':
        return options.services.publish(message.args as DomainEvent[]);
      case 'workflow.start':
        return workflow().start(...([message.args] as Args<'start'>));
      case 'workflow.stop': {
        const { executionId, cause } = message.args as { executionId: string; cause: string };
        return workflow().stop(executionId, cause);
      }
      case 'workflow.answer': {
        const { token, outcome } = message.args as { token: string; outcome: Args<'answer'>[1] };
        return workflow().answer(token, outcome);
      }
    }
    if (message.method.startsWith('release.')) {
      const releases = options.services.releaseWorkflow?.();
      if (!releases) throw new Error('The local cloud runs no release go/no-go workflow');
      const args = message.args as Record<string, never>;
      if (message.method === 'release.start') return releases.start({ releaseId: args.releaseId ?? '' });
      if (message.method === 'release.stop') return releases.stop(args.executionId ?? '', args.cause ?? '');
      return releases.answer(args.token ?? '', args.outcome ?? { decision: 'rejected' });
    }
    const requests = options.services.requestWorkflow?.();
    if (!requests) throw new Error('The local cloud runs no catalog request workflow');
    const {
      executionId = '',
      cause = '',
      token = '',
      output = {},
      requestId = '',
    } = message.args as Record<string, never>;
    if (message.method === 'request.start') return requests.start({ requestId });
    if (message.method === 'request.stop') return requests.stop(executionId, cause);
    return requests.answer(token, output);
  };

  const start = (fn: TemplateFunction): Promise<Worker> =>
    new Promise((ready, failed) => {
      const data: FunctionWorkerData = {
        entry: resolve(repoRoot, fn.entry),
        functionName: fn.logicalId,
        arn: fn.arn,
        memoryMb: fn.memoryMb,
        timeoutSeconds: fn.timeoutSeconds,
        endpoints: options.endpoints,
        ...(options.linkKey ? { linkKey: options.linkKey } : {}),
        ...(options.parameters ? { parameters: options.parameters } : {}),
      };
      const worker = new Worker(workerUrl, {
        workerData: data,
        env: { ...fn.environment, ...lambdaVariables(fn, options.region) },
        name: fn.logicalId,
        resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
      });
      worker.on('message', (message: ToMain) => {
        if (message.type === 'ready') ready(worker);
        else if (message.type === 'init-error')
          failed(
            new Error(`Function ${fn.logicalId} (${fn.entry}) failed to start: ${message.error.message}`),
          );
        else if (message.type === 'result') {
          const call = pending.get(message.id);
          pending.delete(message.id);
          owner.delete(message.id);
          if (message.error) call?.reject(fromWire(message.error));
          else call?.resolve(message.result);
        } else {
          answer(message).then(
            (result) => worker.postMessage({ type: 'reply', id: message.id, result } satisfies ToWorker),
            (error: Error) =>
              worker.postMessage({
                type: 'reply',
                id: message.id,
                error: { name: error.name, message: error.message },
              } satisfies ToWorker),
          );
        }
      });
      worker.on('error', (error) => failed(error));
      worker.on('exit', (code) => {
        // Lambda replaces a crashed execution environment: the next invocation starts a new one.
        running.delete(fn.logicalId);
        for (const [id, name] of owner) {
          if (name !== fn.logicalId) continue;
          pending
            .get(id)
            ?.reject(new Error(`Function ${fn.logicalId} exited (code ${code}) during the invocation`));
          pending.delete(id);
          owner.delete(id);
        }
        failed(new Error(`Function ${fn.logicalId} exited (code ${code}) while starting`));
      });
    });

  const workerOf = (logicalId: string): Promise<Worker> => {
    if (closed) return Promise.reject(new Error('The local functions are stopped'));
    const fn = byId.get(logicalId);
    if (!fn) return Promise.reject(new Error(`No function ${logicalId} in the template`));
    let worker = running.get(logicalId);
    if (!worker) {
      worker = start(fn);
      running.set(logicalId, worker);
      worker.catch(() => running.delete(logicalId));
    }
    return worker;
  };

  const close = async () => {
    closed = true;
    const workers = await Promise.allSettled([...running.values()]);
    running.clear();
    await Promise.all(
      workers.map((settled) => (settled.status === 'fulfilled' ? settled.value.terminate() : undefined)),
    );
  };

  try {
    await Promise.all((options.eager ?? []).map(workerOf));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    async invoke(logicalId, event, requestId = randomUUID()) {
      const worker = await workerOf(logicalId);
      const id = nextId++;
      const result = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      owner.set(id, logicalId);
      worker.postMessage({ type: 'invoke', id, event, requestId } satisfies ToWorker);
      return result;
    },
    environment(logicalId) {
      const fn = byId.get(logicalId);
      if (!fn) throw new Error(`No function ${logicalId} in the template`);
      return { ...fn.environment, ...lambdaVariables(fn, options.region) };
    },
    close,
  };
}

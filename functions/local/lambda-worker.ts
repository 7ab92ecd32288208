import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { wireLocalCloud } from '#config/composition-root.ts';
import type { ReleaseWorkflow } from '#core/release/release-service.ts';
import type { RequestWorkflow } from '#ports/catalog-store.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';
import type { FunctionWorkerData, ToMain, ToWorker, WireError } from './lambda-runtime.ts';

/**
 * One local Lambda function: a worker thread whose `process.env` is exactly the function's
 * `Environment.Variables` from the template (plus the variables Lambda itself sets). It wires
 * the composition root to the emulators, imports the handler module and runs invocations sent
 * by the main thread; domain events and workflow calls go back to the main thread, which owns
 * the local bus and the Step Functions runner.
 */

const port = parentPort;
if (!port) throw new Error('lambda-worker.ts runs as a worker thread only');
const data = workerData as FunctionWorkerData;

const toWire = (error: unknown): WireError =>
  error instanceof Error
    ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
    : { name: 'Error', message: String(error) };

const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCall = 0;
const call = (method: Extract<ToMain, { type: 'call' }>['method'], args: unknown): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const id = nextCall++;
    calls.set(id, { resolve, reject });
    port.postMessage({ type: 'call', id, method, args } satisfies ToMain);
  });

const changeWorkflow: ChangeWorkflow = {
  start: async (input) => (await call('workflow.start', input)) as { executionId: string },
  stop: async (executionId, cause) => void (await call('workflow.stop', { executionId, cause })),
  answer: async (token, outcome) => void (await call('workflow.answer', { token, outcome })),
};

const requestWorkflow: RequestWorkflow = {
  start: async (input) => (await call('request.start', input)) as { executionId: string },
  stop: async (executionId, cause) => void (await call('request.stop', { executionId, cause })),
  answer: async (token, output) => void (await call('request.answer', { token, output })),
};

const releaseWorkflow: ReleaseWorkflow = {
  start: async (input) => (await call('release.start', input)) as { executionId: string },
  stop: async (executionId, cause) => void (await call('release.stop', { executionId, cause })),
  answer: async (token, outcome) => void (await call('release.answer', { token, outcome })),
};

wireLocalCloud({
  endpoints: data.endpoints,
  events: { publish: async (events) => void (await call('publish', events)) },
  changeWorkflow,
  requestWorkflow,
  releaseWorkflow,
  ...(data.linkKey ? { linkKey: data.linkKey } : {}),
  ...(data.parameters ? { parameters: data.parameters } : {}),
});

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Handler;
try {
  const module = (await import(pathToFileURL(data.entry).href)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`${data.entry} exports no handler`);
  handler = module.handler;
  port.postMessage({ type: 'ready' } satisfies ToMain);
} catch (error) {
  port.postMessage({ type: 'init-error', error: toWire(error) } satisfies ToMain);
  throw error;
}

const context = (requestId: string, deadline: number) => ({
  functionName: data.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: data.arn,
  memoryLimitInMB: String(data.memoryMb),
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/${data.functionName}`,
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'reply') {
    const pending = calls.get(message.id);
    calls.delete(message.id);
    if (!pending) return;
    if (!message.error) pending.resolve(message.result);
    else if (message.error.name === 'TaskTokenGoneError')
      pending.reject(new TaskTokenGoneError(message.error.message));
    else pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
    return;
  }
  const requestId = message.requestId ?? randomUUID();
  handler(message.event, context(requestId, Date.now() + data.timeoutSeconds * 1000)).then(
    (result) => port.postMessage({ type: 'result', id: message.id, result } satisfies ToMain),
    (error: unknown) =>
      port.postMessage({ type: 'result', id: message.id, error: toWire(error) } satisfies ToMain),
  );
});

import { readFile } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * A Lambda cold start in miniature: a fresh process imports one bundle and hands its handler
 * one event. Prints one `BENCH_INVOKED <json>` line with the two durations and a short
 * summary of the result, so the parent can tell a served event from an error.
 */

export const INVOKED_MARKER = 'BENCH_INVOKED ';

export interface InvokeReport {
  readonly importMs: number;
  readonly firstEventMs: number;
  /** CPU time (user + system) of the same two steps: what Lambda bills, and what a loaded machine stretches least. */
  readonly importCpuMs: number;
  readonly firstEventCpuMs: number;
  /** Module files loaded by the import, and their source kilobytes: a count the machine's load does not change. */
  readonly importModules: number;
  readonly importKb: number;
  /** Module files the first event loaded on top (lazily imported clients, say). */
  readonly firstEventModules: number;
  readonly firstEventKb: number;
  readonly outcome: string;
}

/** Every module file loaded from now on (import and require alike), with its source size. */
function watchModuleLoads() {
  const loaded = { modules: 0, bytes: 0 };
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      if (url.startsWith('file:')) {
        loaded.modules++;
        loaded.bytes += result.source ? Buffer.byteLength(result.source as string) : 0;
      }
      return result;
    },
  });
  return () => ({ ...loaded });
}

const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'spoke-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:spoke-bench',
  memoryLimitInMB: '1024',
  awsRequestId: 'bench-request',
  logGroupName: '/aws/lambda/spoke-bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 29_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

function summarize(result: unknown): string {
  if (result && typeof result === 'object' && 'statusCode' in result) return `HTTP ${result.statusCode}`;
  if (Array.isArray(result))
    return result
      .map((r) => `${r.kind}${r.reason ? ` (${r.reason})` : r.created ? ' created' : ''}`)
      .join(', ');
  return JSON.stringify(result);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { bundle: { type: 'string' }, event: { type: 'string' } } });
  if (!values.bundle || !values.event) throw new Error('child-invoke needs --bundle and --event');
  const event: unknown = JSON.parse(await readFile(values.event, 'utf8'));
  const url = pathToFileURL(values.bundle).href;

  const loads = watchModuleLoads();
  const cpuAtStart = process.cpuUsage();
  const importing = performance.now();
  const module = (await import(url)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
  const invoking = performance.now();
  const cpuImported = process.cpuUsage(cpuAtStart);
  const imported = loads();
  const result = await module.handler(event, lambdaContext);
  const served = performance.now();
  const cpuServed = process.cpuUsage(cpuAtStart);
  const cpuMs = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1000;
  const all = loads();

  const report: InvokeReport = {
    importMs: invoking - importing,
    firstEventMs: served - invoking,
    importCpuMs: cpuMs(cpuImported),
    firstEventCpuMs: cpuMs(cpuServed) - cpuMs(cpuImported),
    importModules: imported.modules,
    importKb: imported.bytes / 1024,
    firstEventModules: all.modules - imported.modules,
    firstEventKb: (all.bytes - imported.bytes) / 1024,
    outcome: summarize(result),
  };
  process.stdout.write(`${INVOKED_MARKER}${JSON.stringify(report)}\n`);
  process.exit(0);
}

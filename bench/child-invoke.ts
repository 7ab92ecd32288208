import { readFile } from 'node:fs/promises';
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
  readonly outcome: string;
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

  const importing = performance.now();
  const module = (await import(url)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
  const invoking = performance.now();
  const result = await module.handler(event, lambdaContext);
  const served = performance.now();

  const report: InvokeReport = {
    importMs: invoking - importing,
    firstEventMs: served - invoking,
    outcome: summarize(result),
  };
  process.stdout.write(`${INVOKED_MARKER}${JSON.stringify(report)}\n`);
  process.exit(0);
}

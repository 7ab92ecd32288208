import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The part of CodePipeline the deployment gate talks to, on this machine: an HTTP endpoint
 * speaking CodePipeline's JSON protocol (`X-Amz-Target: CodePipeline_20150709.PutJobSuccessResult`
 * and `.PutJobFailureResult`), so the gate function's own SDK client answers jobs locally exactly
 * as in AWS. It keeps each job's result for `npm run pipeline:fake`, the tests and the bench.
 */
export interface JobResult {
  readonly jobId: string;
  readonly outcome: 'succeeded' | 'failed';
  /** The summary of a success, or the failure's message. */
  readonly message: string;
  readonly outputVariables: Readonly<Record<string, string>>;
  readonly at: number;
}

export interface LocalCodePipeline {
  readonly endpoint: string;
  /** The job's result once the gate answered it (rejects after `timeoutMs`). */
  result(jobId: string, timeoutMs?: number): Promise<JobResult>;
  close(): Promise<void>;
}

const TARGET = /^CodePipeline_20150709\.(PutJobSuccessResult|PutJobFailureResult)$/;

export async function startLocalCodePipeline(host = '127.0.0.1'): Promise<LocalCodePipeline> {
  const results = new Map<string, JobResult>();
  const waiting = new Map<string, ((result: JobResult) => void)[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const operation = TARGET.exec(String(req.headers['x-amz-target'] ?? ''))?.[1];
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return reply(400, { __type: 'ValidationException', message: 'The body is not JSON' });
      }
      const jobId = typeof input.jobId === 'string' ? input.jobId : '';
      if (!operation || !jobId)
        return reply(400, {
          __type: 'ValidationException',
          message: 'Only job results with a jobId are served here',
        });
      if (results.has(jobId))
        return reply(400, {
          __type: 'InvalidJobStateException',
          message: `Job ${jobId} was answered already`,
        });
      const details = (input.executionDetails ?? input.failureDetails ?? {}) as {
        summary?: string;
        message?: string;
      };
      const result: JobResult = {
        jobId,
        outcome: operation === 'PutJobSuccessResult' ? 'succeeded' : 'failed',
        message: details.summary ?? details.message ?? '',
        outputVariables: (input.outputVariables ?? {}) as Record<string, string>,
        at: Date.now(),
      };
      results.set(jobId, result);
      for (const resolve of waiting.get(jobId) ?? []) resolve(result);
      waiting.delete(jobId);
      reply(200, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    result(jobId, timeoutMs = 30_000) {
      const done = results.get(jobId);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No result for job ${jobId} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.set(jobId, [
          ...(waiting.get(jobId) ?? []),
          (result) => {
            clearTimeout(timer);
            resolve(result);
          },
        ]);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Faults the local cloud can be started with, to show that nothing accepted is lost when AWS
 * misbehaves (`npm run chaos`, `test/integration/faults.test.ts`). The functions reach S3
 * and SES through a small HTTP relay that refuses some requests the way the service does
 * under stress (503 SlowDown, 503 ServiceUnavailable); everything else passes byte for byte.
 */
export interface LocalFaults {
  /** Share of S3 writes (PUT, POST) refused with 503 SlowDown, from 0 to 1. @default 0 */
  readonly s3WriteFailureRate?: number;
  /** Every SES request is refused with 503 ServiceUnavailable. @default false */
  readonly sesSendsFail?: boolean;
}

interface Refusal {
  readonly status: number;
  readonly body: string;
}

const s3SlowDown: Refusal = {
  status: 503,
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected fault).</Message></Error>',
};
const sesUnavailable: Refusal = {
  status: 503,
  body: '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service unavailable (injected fault).</Message></Error><RequestId>fault</RequestId></ErrorResponse>',
};

/** A relay to `upstream` that answers a request with `refuse`'s refusal instead, when it returns one. */
async function faultyRelay(upstream: string, refuse: (request: IncomingMessage) => Refusal | undefined) {
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    const refusal = refuse(incoming);
    if (refusal) {
      incoming.resume();
      incoming.once('end', () => {
        outgoing.writeHead(refusal.status, { 'content-type': 'text/xml' });
        outgoing.end(refusal.body);
      });
      return;
    }
    const relayed = forward(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    relayed.once('error', (error) => outgoing.destroy(error));
    incoming.pipe(relayed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The S3 and SES endpoints the functions should use under `faults`: the emulators' own when
 * there are none, relays otherwise. `close` stops the relays.
 */
export async function injectFaults(
  faults: LocalFaults | undefined,
  endpoints: { readonly s3: string; readonly ses: string },
  random: () => number = Math.random,
): Promise<{ s3: string; ses: string; close(): Promise<void> }> {
  const closers: (() => Promise<void>)[] = [];
  const relay = async (upstream: string, refuse: (request: IncomingMessage) => Refusal | undefined) => {
    const started = await faultyRelay(upstream, refuse);
    closers.push(started.close);
    return started.url;
  };
  const s3Rate = faults?.s3WriteFailureRate ?? 0;
  const s3 =
    s3Rate > 0
      ? await relay(endpoints.s3, (r) =>
          (r.method === 'PUT' || r.method === 'POST') && random() < s3Rate ? s3SlowDown : undefined,
        )
      : endpoints.s3;
  const ses = faults?.sesSendsFail ? await relay(endpoints.ses, () => sesUnavailable) : endpoints.ses;
  return {
    s3,
    ses,
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

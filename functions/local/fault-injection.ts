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

/**
 * A relay that answers a request with `refuse`'s refusal, when it returns one, and passes the
 * rest to the upstream `connect` names. It listens at once and learns its upstream later, so
 * that it can be started before the cloud claims its ports and never takes one of them.
 */
async function faultyRelay(refuse: (request: IncomingMessage) => Refusal | undefined) {
  let target: URL | undefined;
  const server = createServer((incoming, outgoing) => {
    if (!target) {
      outgoing.writeHead(503).end();
      return;
    }
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
    connect(upstream: string) {
      target = new URL(upstream);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts the relays `faults` needs (none without faults). Call it before the cloud claims its
 * ports; `connect` then takes the emulators' endpoints and returns those the functions should
 * use: the emulators' own where no fault applies, a relay's otherwise.
 */
export async function startFaultRelays(faults: LocalFaults | undefined, random: () => number = Math.random) {
  const s3Rate = faults?.s3WriteFailureRate ?? 0;
  const s3 =
    s3Rate > 0
      ? await faultyRelay((r) =>
          (r.method === 'PUT' || r.method === 'POST') && random() < s3Rate ? s3SlowDown : undefined,
        )
      : undefined;
  const ses = faults?.sesSendsFail ? await faultyRelay(() => sesUnavailable) : undefined;
  return {
    connect(endpoints: { readonly s3: string; readonly ses: string }): { s3: string; ses: string } {
      s3?.connect(endpoints.s3);
      ses?.connect(endpoints.ses);
      return { s3: s3?.url ?? endpoints.s3, ses: ses?.url ?? endpoints.ses };
    },
    async close() {
      await s3?.close();
      await ses?.close();
    },
  };
}

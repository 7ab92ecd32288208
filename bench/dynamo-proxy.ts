import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A byte-for-byte TCP pass-through in front of DynamoDB Local that counts the requests
 * crossing it by their `x-amz-target` header (`DynamoDB_20120810.TransactWriteItems` →
 * `TransactWriteItems`). The handlers are pointed at it instead of DynamoDB Local, so it
 * counts exactly what they send, SDK retries included, without touching production code.
 * It does not parse HTTP: it only looks for the header line in the client's bytes, so the
 * hop costs a socket copy, not a request re-serialization.
 */
export interface CountingProxy {
  readonly endpoint: string;
  /** Requests seen so far, by operation. */
  counts(): Readonly<Record<string, number>>;
  /** Total requests seen so far. */
  total(): number;
  /**
   * Milliseconds requests have waited on DynamoDB Local so far, summed: from the chunk that
   * carried a request's header to the first chunk of its answer (the SDK sends one request
   * at a time on a connection). The difference across a call is its time in DynamoDB.
   */
  busyMs(): number;
  close(): Promise<void>;
}

/** Operations seen between two snapshots of `counts()`, e.g. `{ Query: 1 }`. */
export function countsSince(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const seen = count - (before[operation] ?? 0);
    if (seen > 0) delta[operation] = seen;
  }
  return delta;
}

/** `1 TransactWriteItems + 1 GetItem`, or `none`. */
export const describeCounts = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${count} ${operation}`)
    .join(' + ') || 'none';

/** The header line ends in CRLF, so a name cut at a chunk boundary is never counted half-read. */
const TARGET = /x-amz-target:[ \t]*DynamoDB_\d+\.(\w+)\r\n/gi;
const TAIL = 80;

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const counts: Record<string, number> = {};
  let total = 0;
  let busy = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const server = tcpConnect(Number(target.port), target.hostname);
    for (const socket of [client, server]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    let tail = '';
    let sentAt: number | undefined;
    client.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      for (const match of text.matchAll(TARGET)) {
        // A match lying wholly in the previous chunk's tail was counted with that chunk.
        if (match.index + match[0].length <= tail.length) continue;
        const operation = match[1] as string;
        counts[operation] = (counts[operation] ?? 0) + 1;
        total++;
        sentAt = performance.now();
      }
      tail = text.slice(-TAIL);
      server.write(chunk);
    });
    client.on('end', () => server.end());
    server.on('data', () => {
      if (sentAt === undefined) return;
      busy += performance.now() - sentAt;
      sentAt = undefined;
    });
    server.pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    total: () => total,
    busyMs: () => busy,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

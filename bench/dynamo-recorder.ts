import { Agent, request } from 'node:http';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/**
 * The emulator floor of the `mail` suite: the DynamoDB requests a run of the intake sent,
 * recorded byte for byte on their way to DynamoDB Local, then replayed alone against a fresh
 * DynamoDB Local with the same tables — the time DynamoDB Local needs for that work with no
 * SMTP, S3, handler or outbox beside it. The intake can be no faster than this floor.
 */
export interface RecordedRequest {
  /** The client connection it came on: requests of one connection are replayed in order on one socket. */
  readonly connection: number;
  /** `TransactWriteItems`, `GetItem`, … (from `x-amz-target`). */
  readonly operation: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface RecordingProxy {
  readonly endpoint: string;
  /** Requests recorded since the last `take()` while recording was on. */
  take(): RecordedRequest[];
  recording(on: boolean): void;
  close(): Promise<void>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A TCP pass-through in front of DynamoDB Local that also splits the client's bytes into HTTP
 * requests (the SDK always sends a Content-Length, never chunks) and keeps them while
 * recording is on. Nothing is re-serialized on the way: the bytes reach DynamoDB Local as sent.
 */
export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  let recorded: RecordedRequest[] = [];
  let on = false;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const connection = ++connections;
    const server = tcpConnect(Number(target.port), target.hostname);
    for (const socket of [client, server]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.once('error', () => undefined);
    }
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf(HEADER_END);
        if (end < 0) return;
        const lines = pending.subarray(0, end).toString('latin1').split('\r\n').slice(1);
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (pending.length < end + 4 + length) return;
        const body = Buffer.from(pending.subarray(end + 4, end + 4 + length));
        pending = pending.subarray(end + 4 + length);
        const operation = /\.(\w+)$/.exec(headers['x-amz-target'] ?? '')?.[1] ?? 'unknown';
        if (on) recorded.push({ connection, operation, headers, body });
      }
    });
    server.on('data', (chunk) => client.write(chunk));
    client.once('end', () => server.end());
    server.once('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    recording(value) {
      on = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface ReplayResult {
  readonly ms: number;
  readonly requests: number;
  /** Answers other than 200 (a condition that held in the recorded run can fail on a replay). */
  readonly refused: number;
  readonly connections: number;
}

/**
 * Sends the recorded requests to `endpoint`: each recorded connection on a socket of its own,
 * its requests one after another as the SDK sent them, all connections at once. The Authorization
 * header is sent as recorded (DynamoDB Local does not check signatures).
 */
export async function replay(endpoint: string, requests: readonly RecordedRequest[]): Promise<ReplayResult> {
  const target = new URL(endpoint);
  const byConnection = new Map<number, RecordedRequest[]>();
  for (const r of requests) byConnection.set(r.connection, [...(byConnection.get(r.connection) ?? []), r]);
  let refused = 0;
  const send = (agent: Agent, r: RecordedRequest) =>
    new Promise<void>((resolve, reject) => {
      const { host: _, ...headers } = r.headers;
      const sent = request(
        { agent, host: target.hostname, port: target.port, method: 'POST', path: '/', headers },
        (answer) => {
          if (answer.statusCode !== 200) refused++;
          answer.resume();
          answer.once('end', resolve);
        },
      );
      sent.once('error', reject);
      sent.end(r.body);
    });
  const started = performance.now();
  await Promise.all(
    [...byConnection.values()].map(async (sequence) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const r of sequence) await send(agent, r);
      } finally {
        agent.destroy();
      }
    }),
  );
  return {
    ms: performance.now() - started,
    requests: requests.length,
    refused,
    connections: byConnection.size,
  };
}

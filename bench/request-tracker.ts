import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * Watches every HTTP request this process sends (through Node's `http.client.request.start`
 * diagnostics channel, so the SDK clients are untouched) and tells, for a window of work:
 * the requests by service and operation, the body bytes sent and received, and the
 * sequential round trips — a request started while another is in flight runs in parallel
 * with it and adds no round trip; one started when nothing is in flight begins a new one.
 */
export interface RequestWindow {
  /** Requests by `service operation`, e.g. `dynamodb TransactWriteItems`. */
  readonly requests: Readonly<Record<string, number>>;
  readonly total: number;
  /** Requests by service alone. */
  readonly byService: Readonly<Record<string, number>>;
  readonly sequentialRoundTrips: number;
  /** The requests of each sequential round trip in order, e.g. `[['s3 GetObject'], ['dynamodb PutItem', 'dynamodb UpdateItem']]`. */
  readonly rounds: readonly (readonly string[])[];
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

export interface RequestTracker {
  /** Starts counting; `end()` returns what was sent since. One window at a time. */
  begin(): { end(): RequestWindow };
  close(): void;
}

const header = (value: number | string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);

/** `PUT /bucket/key` → `PutObject`; the S3 operations the handlers use, told by method and query. */
function s3Operation(request: ClientRequest): string {
  const [path = '', query = ''] = request.path.split('?');
  const hasKey = path.split('/').filter(Boolean).length > 1;
  if (request.method === 'PUT') return query.includes('partNumber') ? 'UploadPart' : 'PutObject';
  if (request.method === 'GET') return hasKey ? 'GetObject' : 'ListObjects';
  if (request.method === 'HEAD') return 'HeadObject';
  if (request.method === 'DELETE') return 'DeleteObject';
  return request.method;
}

/**
 * `services` maps a port to the service listening on it (`{ 8000: 'dynamodb' }`); requests to
 * other ports are counted as `other`.
 */
export function startRequestTracker(services: Readonly<Record<number, string>>): RequestTracker {
  let inFlight = 0;
  let current: {
    requests: Record<string, number>;
    byService: Record<string, number>;
    total: number;
    rounds: string[][];
    sent: number;
    received: number;
  } | null = null;

  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const window = current;
    const port = Number(header(request.getHeader('host'))?.split(':')[1]);
    const service = services[port] ?? 'other';
    const target = header(request.getHeader('x-amz-target'));
    const operation = service === 's3' ? s3Operation(request) : (target?.split('.').at(-1) ?? request.method);
    if (window) {
      const key = `${service} ${operation}`;
      if (inFlight === 0 || window.rounds.length === 0) window.rounds.push([key]);
      else window.rounds.at(-1)?.push(key);
      window.requests[key] = (window.requests[key] ?? 0) + 1;
      window.byService[service] = (window.byService[service] ?? 0) + 1;
      window.total++;
      window.sent += Number(header(request.getHeader('content-length')) ?? 0);
    }
    inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    request.once('response', (response: IncomingMessage) => {
      if (window) window.received += Number(response.headers['content-length'] ?? 0);
      response.once('end', finish);
      response.once('close', finish);
    });
    request.once('error', finish);
    request.once('close', finish);
  };
  subscribe('http.client.request.start', onStart);

  return {
    begin() {
      if (current) throw new Error('A request window is already open');
      const window = {
        requests: {},
        byService: {},
        total: 0,
        rounds: [] as string[][],
        sent: 0,
        received: 0,
      };
      current = window;
      return {
        end(): RequestWindow {
          current = null;
          return {
            requests: window.requests,
            byService: window.byService,
            total: window.total,
            sequentialRoundTrips: window.rounds.length,
            rounds: window.rounds,
            bytesSent: window.sent,
            bytesReceived: window.received,
          };
        },
      };
    },
    close() {
      unsubscribe('http.client.request.start', onStart);
    },
  };
}

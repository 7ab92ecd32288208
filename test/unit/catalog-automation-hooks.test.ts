import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpAutomationHooks, parseHooks } from '#adapters/http/automation-hooks.ts';
import { AutomationFailedError, type AutomationPayload } from '#ports/catalog-automation.ts';

/** The HTTPS automation hooks adapter against a real HTTP server on this machine. */
let server: Server;
let base: string;
const seen: { path: string; key: string | undefined; body: AutomationPayload }[] = [];

const read = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => resolve(text));
  });

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = JSON.parse(await read(request)) as AutomationPayload;
    seen.push({ path: request.url ?? '', key: request.headers['idempotency-key'] as string, body });
    if (request.url === '/ok')
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"added to vpn-users"}');
    else if (request.url === '/down') response.writeHead(503).end('maintenance');
    else if (request.url === '/mute') response.writeHead(200).end('{"done":true}');
    else if (request.url === '/slow') setTimeout(() => response.writeHead(200).end('{"result":"late"}'), 500);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const payload: AutomationPayload = {
  request: 'REQ0001001',
  task: 'TASK0001001',
  step: '1.1',
  item: { id: 'vpn-access', version: 2, name: 'VPN access' },
  requestedFor: 'emma.employee@example.com',
  requester: 'emma.employee@example.com',
  answers: { until: '2027-01-31' },
  input: { group: 'vpn-users' },
};

describe('automation hooks over HTTP', () => {
  it('POSTs the order with the task as idempotency key and returns what the hook did', async () => {
    const hooks = new HttpAutomationHooks({ vpn: `${base}/ok` });
    await expect(hooks.call('vpn', payload, 'req-1.1.1')).resolves.toEqual({ result: 'added to vpn-users' });
    expect(seen.at(-1)).toEqual({ path: '/ok', key: 'req-1.1.1', body: payload });
  });

  it('fails naming the hook and why: not configured, an error status, no result, no answer in time', async () => {
    const hooks = new HttpAutomationHooks(
      { down: `${base}/down`, mute: `${base}/mute`, slow: `${base}/slow` },
      { timeoutMs: 100 },
    );
    const failure = (name: string) => hooks.call(name, payload, 'k').catch((error: unknown) => error);
    const errors = await Promise.all(['nowhere', 'down', 'mute', 'slow'].map(failure));
    for (const error of errors) expect(error).toBeInstanceOf(AutomationFailedError);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'No automation hook nowhere is configured',
      'Hook down answered 503: maintenance',
      'Hook mute answered without a "result" saying what it did',
      'Hook slow could not be reached: no answer within 100 ms',
    ]);
    expect((errors[0] as Error).name).toBe('Automation.Failed');
  });

  it('reads the configured hooks and refuses a malformed name or URL', () => {
    expect(parseHooks('{"directory-groups":"https://hooks.example.com/groups"}')).toEqual({
      'directory-groups': 'https://hooks.example.com/groups',
    });
    expect(parseHooks('')).toEqual({});
    expect(() => parseHooks('{"Bad Name":"https://x.example.com"}')).toThrow();
    expect(() => parseHooks('{"ok":"ftp://x.example.com"}')).toThrow();
  });
});

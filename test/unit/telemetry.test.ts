import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsTelemetry } from '#adapters/powertools/telemetry.powertools.ts';
import { instrumented, observedTicketStore } from '#config/telemetry.ts';
import type { TicketStore } from '#ports/ticket-store.ts';

let lines: Record<string, unknown>[];

beforeEach(() => {
  lines = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const context = {
  awsRequestId: 'req-1',
  functionName: 'spoke-prod-inbound',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:spoke-prod-inbound',
  memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/x',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 1000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

describe('Powertools telemetry', () => {
  it('logs JSON with the request id, message id and ticket number, and publishes the counts as EMF', async () => {
    const telemetry = new PowertoolsTelemetry({ serviceName: 'Spoke-prod', namespace: 'Spoke' });
    const handler = instrumented(telemetry, async (_event: unknown) => {
      telemetry.correlate({ messageId: 'ses-123' });
      telemetry.correlate({ ticketNumber: 'INC0001042' });
      telemetry.count('MailsProcessed');
      telemetry.info('mail processed', { outcome: 'ticket' });
      return 'done';
    });

    await expect(handler({}, context)).resolves.toBe('done');

    const log = lines.find((line) => line.message === 'mail processed');
    expect(log).toMatchObject({
      level: 'INFO',
      service: 'Spoke-prod',
      function_request_id: 'req-1',
      messageId: 'ses-123',
      ticketNumber: 'INC0001042',
      outcome: 'ticket',
    });
    const emf = lines.find((line) => '_aws' in line);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Spoke', Dimensions: [['service']] }] },
      service: 'Spoke-prod',
      MailsProcessed: 1,
    });
  });

  it('counts and logs a failed invocation, rethrows, and forgets the correlation keys afterwards', async () => {
    const telemetry = new PowertoolsTelemetry({ serviceName: 'Spoke-prod' });
    const failing = instrumented(telemetry, async (_event: unknown) => {
      telemetry.correlate({ ticketNumber: 'INC0001042' });
      throw new Error('DynamoDB said no');
    });

    await expect(failing({}, context)).rejects.toThrow('DynamoDB said no');
    telemetry.info('next invocation');

    expect(lines.find((line) => line.message === 'invocation failed')).toMatchObject({
      level: 'ERROR',
      ticketNumber: 'INC0001042',
      error: expect.objectContaining({ message: 'DynamoDB said no' }),
    });
    expect(lines.find((line) => '_aws' in line)).toMatchObject({ Errors: 1 });
    expect(lines.find((line) => line.message === 'next invocation')).not.toHaveProperty('ticketNumber');
  });

  it('publishes nothing when metrics are off (locally and in tests)', async () => {
    const telemetry = new PowertoolsTelemetry({ serviceName: 'spoke-local', metrics: false });

    await instrumented(telemetry, async (_event: unknown) => telemetry.count('TicketsCreated'))({});

    expect(lines.filter((line) => '_aws' in line)).toEqual([]);
  });
});

describe('the observed ticket store', () => {
  it('counts a new ticket once, not its idempotent replay, correlates by number, and keeps the store’s other methods', async () => {
    const counted: string[] = [];
    const correlated: unknown[] = [];
    const telemetry = {
      count: (name: string) => counted.push(name),
      correlate: (keys: unknown) => correlated.push(keys),
    } as unknown as PowertoolsTelemetry;
    class Store {
      #replayed = false;
      async create() {
        const created = !this.#replayed;
        this.#replayed = true;
        return { ticket: { number: 'INC0001001' }, created };
      }
      async findByNumber(number: string) {
        return this.#replayed ? { number } : undefined;
      }
      async get(id: string) {
        return id === 'gone' ? undefined : { ticket: { number: 'INC0001002' }, articles: [] };
      }
    }
    const store = observedTicketStore(new Store() as unknown as TicketStore, telemetry);

    await store.create({} as never, 'incident');
    await store.create({} as never, 'incident');

    expect(counted).toEqual(['TicketsCreated']);
    expect(correlated).toEqual([{ ticketNumber: 'INC0001001' }, { ticketNumber: 'INC0001001' }]);
    await expect(store.findByNumber('INC0001001')).resolves.toEqual({ number: 'INC0001001' });
    await store.get('some-id');
    await store.get('gone');
    expect(correlated).toHaveLength(3);
    expect(correlated[2]).toEqual({ ticketNumber: 'INC0001002' });
  });
});

import type { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  defaultEventSource,
  EventBridgeEventPublisher,
  type PutEventsClient,
} from '#adapters/eventbridge/event-publisher.eventbridge.ts';
import type { DomainEvent } from '#ports/domain-events.ts';

const event = (n: number, detail: Record<string, unknown> = { ticketId: `T${n}` }): DomainEvent => ({
  type: 'ticket.created',
  id: `E${n}`,
  at: '2026-01-01T10:00:00.000Z',
  detail,
});

/** A fake EventBridge: records each PutEvents call; `fail` decides per entry whether it fails. */
function fakeEventBridge(fail: (entryDetail: string, call: number) => boolean = () => false) {
  const calls: PutEventsCommand['input'][] = [];
  const client: PutEventsClient = {
    async send(command) {
      calls.push(command.input);
      const entries = (command.input.Entries ?? []).map((entry) =>
        fail(entry.Detail ?? '', calls.length)
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { EventId: `eb-${calls.length}` },
      );
      return {
        FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length,
        Entries: entries,
        $metadata: {},
      } as PutEventsCommandOutput;
    },
  };
  return { client, calls };
}

const noWait = async () => {};

describe('EventBridge domain-event publisher', () => {
  it('puts each event on the bus with source, detail-type, detail and time', async () => {
    const { client, calls } = fakeEventBridge();
    const publisher = new EventBridgeEventPublisher(client, { eventBusName: 'spoke-prod-events' });

    await publisher.publish([event(1)]);

    expect(calls).toEqual([
      {
        Entries: [
          {
            EventBusName: 'spoke-prod-events',
            Source: 'spoke.prod',
            DetailType: 'ticket.created',
            Detail: JSON.stringify({ ticketId: 'T1', eventId: 'E1' }),
            Time: new Date('2026-01-01T10:00:00.000Z'),
          },
        ],
      },
    ]);
  });

  it('sends at most 10 entries per call, in order', async () => {
    const { client, calls } = fakeEventBridge();

    await new EventBridgeEventPublisher(client, { eventBusName: 'b', source: 'acme.spoke' }).publish(
      Array.from({ length: 23 }, (_, i) => event(i)),
    );

    expect(calls.map((call) => call.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls.flatMap((call) => call.Entries?.map((e) => JSON.parse(e.Detail ?? '').eventId))).toEqual(
      Array.from({ length: 23 }, (_, i) => `E${i}`),
    );
    expect(calls[0]?.Entries?.[0]?.Source).toBe('acme.spoke');
  });

  it('splits batches that would pass 256 KB', async () => {
    const { client, calls } = fakeEventBridge();
    const big = 'x'.repeat(100 * 1024);

    await new EventBridgeEventPublisher(client, { eventBusName: 'b' }).publish(
      [1, 2, 3].map((n) => event(n, { text: big })),
    );

    expect(calls.map((call) => call.Entries?.length)).toEqual([2, 1]);
  });

  it('retries only the entries EventBridge reports as failed', async () => {
    const { client, calls } = fakeEventBridge((detail, call) => detail.includes('"E1"') && call === 1);

    await new EventBridgeEventPublisher(client, { eventBusName: 'b', sleep: noWait }).publish([
      event(0),
      event(1),
      event(2),
    ]);

    expect(calls.map((call) => call.Entries?.map((e) => JSON.parse(e.Detail ?? '').eventId))).toEqual([
      ['E0', 'E1', 'E2'],
      ['E1'],
    ]);
  });

  it('throws after a few attempts when entries keep failing', async () => {
    const { client, calls } = fakeEventBridge((detail) => detail.includes('"E1"'));
    const publisher = new EventBridgeEventPublisher(client, {
      eventBusName: 'b',
      maxAttempts: 3,
      sleep: noWait,
    });

    await expect(publisher.publish([event(0), event(1)])).rejects.toThrow(
      /refused 1 event\(s\) after 3 attempts: InternalFailure: try again/,
    );
    expect(calls).toHaveLength(3);
  });

  it('refuses an event too large for EventBridge before sending anything', async () => {
    const { client, calls } = fakeEventBridge();

    await expect(
      new EventBridgeEventPublisher(client, { eventBusName: 'b' }).publish([
        event(1, { text: 'x'.repeat(300_000) }),
      ]),
    ).rejects.toThrow(/larger than EventBridge's 256 KB/);
    expect(calls).toHaveLength(0);
  });

  it('derives the source from the bus name of the stage', () => {
    expect(defaultEventSource('spoke-prod-events')).toBe('spoke.prod');
    expect(defaultEventSource('spoke-eu-test-events')).toBe('spoke.eu-test');
    expect(defaultEventSource('other')).toBe('spoke');
  });
});

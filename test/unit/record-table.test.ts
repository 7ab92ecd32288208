import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ConditionFailed, RecordTable, TRANSACTION_ATTEMPTS } from '#adapters/dynamodb/record-table.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { BusyError } from '#core/shared/errors.ts';
import { Ticket } from '#core/ticket/ticket.ts';
import { problemOf } from '#http/problems.ts';

/**
 * The transaction retry policy against a DynamoDB that answers with the SDK's own exceptions.
 * DynamoDB Local cannot be made to cancel a transaction for contention on demand, so the
 * answers are scripted here (the one thing mocked); the 32-creator test runs the real thing.
 */
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

function scripted(answers: readonly (Error | undefined)[]) {
  const sent: string[] = [];
  const client = {
    async send(command: { constructor: { name: string } }) {
      sent.push(command.constructor.name);
      const answer = answers[sent.length - 1] ?? answers.at(-1);
      if (answer) throw answer;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

const options = (client: DynamoDBDocumentClient) => ({
  client,
  domainTable: 'd',
  idempotencyTable: 'i',
  sleep: async () => undefined,
});

describe('the record table’s transaction policy', () => {
  it('retries a transaction cancelled by contention, then writes it', async () => {
    const { client, sent } = scripted([
      cancelled('None', 'TransactionConflict'),
      cancelled('TransactionConflict'),
      undefined,
    ]);
    let retries = 0;
    const table = new RecordTable({ ...options(client), onRetry: () => retries++ });

    await table.transact([]);

    expect(sent).toEqual(['TransactWriteCommand', 'TransactWriteCommand', 'TransactWriteCommand']);
    expect(retries).toBe(2);
  });

  it('gives up after a bounded number of tries with 503 and Retry-After, never a 500', async () => {
    const { client, sent } = scripted([cancelled('TransactionConflict')]);
    const table = new RecordTable(options(client));

    const error = await table.transact([]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BusyError);
    expect(sent).toHaveLength(TRANSACTION_ATTEMPTS);
    expect(problemOf(error)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });

  it('never retries a failed condition: the store decides what it means', async () => {
    const { client, sent } = scripted([cancelled('ConditionalCheckFailed', 'TransactionConflict')]);
    const table = new RecordTable(options(client));

    const error = await table.transact([]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConditionFailed);
    expect((error as ConditionFailed).failedAt(0)).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('answers a ticket update that keeps losing to concurrent transactions with 503, not 500', async () => {
    const { client } = scripted([cancelled('TransactionConflict', 'None')]);
    const store = new DynamoTicketStore(options(client));
    const ticket = Ticket.parse({
      id: 't1',
      number: 'INC0001001',
      kind: 'incident',
      shortDescription: 'Busy',
      description: '',
      state: 'new',
      impact: 3,
      urgency: 3,
      priority: 5,
      requester: { id: 'e', email: 'emma@example.com' },
      channel: 'portal',
      createdAt: '2026-12-03T10:00:00.000Z',
      updatedAt: '2026-12-03T10:00:00.000Z',
      version: 2,
    });

    const error = await store.update({ ticket, expectedVersion: 1, audit: [] }).catch((e: unknown) => e);

    expect(problemOf(error).status).toBe(503);
  });
});

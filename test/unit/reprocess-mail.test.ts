import { DeleteMessageCommand, type ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { reprocessDeadLetters } from '#ops/reprocess-mail.ts';

/** SQS and Lambda as far as the command uses them: a queue of two events, one of which fails again. */
function fakes() {
  const queue = [
    {
      MessageId: 'm1',
      ReceiptHandle: 'r1',
      Body: JSON.stringify({ Records: [{ ses: { mail: { messageId: 'ok' } } }] }),
    },
    {
      MessageId: 'm2',
      ReceiptHandle: 'r2',
      Body: JSON.stringify({ Records: [{ ses: { mail: { messageId: 'bad' } } }] }),
    },
  ];
  const deleted: string[] = [];
  const invoked: string[] = [];
  let received = false;
  const sqs = {
    async send(command: ReceiveMessageCommand | DeleteMessageCommand) {
      if (command instanceof DeleteMessageCommand) {
        deleted.push(String(command.input.ReceiptHandle));
        return {};
      }
      if (received) return { Messages: [] };
      received = true;
      return { Messages: queue };
    },
  };
  const lambda = {
    async send(command: { input: { Payload?: Uint8Array } }) {
      const body = Buffer.from(command.input.Payload ?? []).toString();
      invoked.push(body);
      return body.includes('"bad"')
        ? { FunctionError: 'Unhandled', Payload: Buffer.from('{"errorMessage":"still broken"}') }
        : {};
    },
  };
  return { sqs, lambda, deleted, invoked };
}

describe('npm run mail:reprocess', () => {
  it('invokes the function with each dead-lettered event and deletes only those that now succeed', async () => {
    const { sqs, lambda, deleted, invoked } = fakes();
    const result = await reprocessDeadLetters({
      queueUrl: 'https://sqs.example/dlq',
      functionName: 'inbound',
      dryRun: false,
      sqs: sqs as never,
      lambda: lambda as never,
    });
    expect(result).toEqual({ reprocessed: 1, failed: 1 });
    expect(invoked).toHaveLength(2);
    expect(deleted).toEqual(['r1']);
  });

  it('only lists the events in a dry run', async () => {
    const { sqs, lambda, deleted, invoked } = fakes();
    await reprocessDeadLetters({
      queueUrl: 'q',
      functionName: 'f',
      dryRun: true,
      sqs: sqs as never,
      lambda: lambda as never,
    });
    expect(invoked).toEqual([]);
    expect(deleted).toEqual([]);
  });
});

import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const usage = `npm run mail:reprocess -- --queue-url <dead-letter queue URL> --function <function name> [--dry-run]
npm run notifications:reprocess -- (the same options)

Runs a function again on every event in its dead-letter queue: the inbound-email function
(stack outputs InboundEmailDeadLetterQueueUrl and InboundEmailFunctionName) or the
notifications function (NotificationsDeadLetterQueueUrl and NotificationsFunctionName). An
event that succeeds is deleted from the queue; one that fails again stays there with its new
error in the function's logs. Both functions are idempotent: a reprocessed mail makes no second
ticket, a reprocessed notification mails only the recipients not reached yet. Uses the usual
AWS credentials. Locally, npm start retries .data/dead-letters/ by itself.`;

/**
 * Drains a dead-letter queue back into its function. Lambda (after its retries) and EventBridge
 * (when it cannot deliver) both put the event into the queue as the message body, so each body
 * is invoked as it is, synchronously, and deleted only after the function answered without error.
 */
export async function reprocessDeadLetters(options: {
  readonly queueUrl: string;
  readonly functionName: string;
  readonly dryRun: boolean;
  readonly sqs?: SQSClient;
  readonly lambda?: LambdaClient;
}): Promise<{ reprocessed: number; failed: number }> {
  const sqs = options.sqs ?? new SQSClient({});
  const lambda = options.lambda ?? new LambdaClient({});
  let reprocessed = 0;
  let failed = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      if (options.dryRun) {
        console.log(`would reprocess ${message.MessageId}: ${message.Body?.slice(0, 200)}`);
        continue;
      }
      const result = await lambda.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(message.Body ?? '{}'),
        }),
      );
      if (result.FunctionError) {
        failed++;
        console.error(
          `${message.MessageId} failed again: ${Buffer.from(result.Payload ?? [])
            .toString()
            .slice(0, 500)}`,
        );
      } else {
        reprocessed++;
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    if (options.dryRun) break;
  }
  return { reprocessed, failed };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'queue-url': { type: 'string' },
      function: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values['queue-url'] || !values.function) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const result = await reprocessDeadLetters({
    queueUrl: values['queue-url'],
    functionName: values.function,
    dryRun: values['dry-run'],
  });
  console.log(`reprocessed ${result.reprocessed}, failed again ${result.failed}`);
  process.exit(result.failed > 0 ? 1 : 0);
}

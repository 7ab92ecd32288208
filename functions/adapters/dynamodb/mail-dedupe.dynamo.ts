import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Clock } from '#ports/clock.ts';
import type { MailDedupe } from '#ports/mail-dedupe.ts';

const key = (dedupeKey: string) => ({ pk: `MAILDEDUPE#${dedupeKey}` });

/**
 * Dedupe claims in the idempotency table (they expire with its TTL): one conditional put per
 * message, so of two deliveries racing each other exactly one wins.
 */
export class DynamoMailDedupe implements MailDedupe {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;
  readonly #ttlSeconds: number;

  /** @param ttlSeconds how long a mail is remembered @default 30 days */
  constructor(
    client: DynamoDBDocumentClient,
    idempotencyTable: string,
    clock: Clock,
    ttlSeconds = 30 * 86_400,
  ) {
    this.#db = client;
    this.#table = idempotencyTable;
    this.#clock = clock;
    this.#ttlSeconds = ttlSeconds;
  }

  async claim(dedupeKey: string, sesMessageId: string): Promise<{ first: string }> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...key(dedupeKey),
            sesMessageId,
            expiresAt: Math.floor(this.#clock.now().getTime() / 1000) + this.#ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR sesMessageId = :self',
          ExpressionAttributeValues: { ':self': sesMessageId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { first: sesMessageId };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const first = error.Item ? unmarshall(error.Item).sesMessageId : undefined;
      return { first: typeof first === 'string' ? first : 'unknown' };
    }
  }
}

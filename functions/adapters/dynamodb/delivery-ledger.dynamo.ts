import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#ports/clock.ts';
import type { DeliveryLedger } from '#ports/delivery-ledger.ts';

/** How long a delivery record is kept: longer than any retry or replay of the event could come. */
const KEEP_SECONDS = 14 * 24 * 3600;

/**
 * Delivery records in the idempotency table (`DELIVERY#<key>`, gone by TTL after 14 days).
 * A claim is a conditional put that succeeds when no record exists or an earlier claim's
 * lease ran out (its invocation died between claim and send); one request per step.
 */
export class DynamoDeliveryLedger implements DeliveryLedger {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(client: DynamoDBDocumentClient, idempotencyTable: string, clock: Clock) {
    this.#db = client;
    this.#table = idempotencyTable;
    this.#clock = clock;
  }

  #now(): number {
    return Math.floor(this.#clock.now().getTime() / 1000);
  }

  async claim(key: string, leaseSeconds: number): Promise<boolean> {
    const now = this.#now();
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: `DELIVERY#${key}`,
            state: 'sending',
            leaseUntil: now + leaseSeconds,
            expiresAt: now + KEEP_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending', ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async delivered(key: string): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `DELIVERY#${key}` },
        UpdateExpression: 'SET #state = :sent, deliveredAt = :now REMOVE leaseUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':now': this.#now() },
      }),
    );
  }

  async release(key: string): Promise<void> {
    try {
      await this.#db.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: `DELIVERY#${key}` },
          ConditionExpression: '#state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

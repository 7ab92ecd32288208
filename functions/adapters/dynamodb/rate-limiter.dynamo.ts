import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#ports/clock.ts';
import type { RateLimiter } from '#ports/rate-limiter.ts';
import { rateWindowEntity } from './entities.ts';

/**
 * Fixed-window counters in the idempotency table: one item per key and window, incremented
 * under a condition, gone by TTL after the window. One request per check.
 */
export class DynamoRateLimiter implements RateLimiter {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(client: DynamoDBDocumentClient, idempotencyTable: string, clock: Clock) {
    this.#db = client;
    this.#table = idempotencyTable;
    this.#clock = clock;
  }

  async tryTake(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    const now = Math.floor(this.#clock.now().getTime() / 1000);
    const window = Math.floor(now / windowSeconds);
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: rateWindowEntity.key({ key, windowSeconds: String(windowSeconds), window: String(window) }),
          UpdateExpression:
            'SET used = if_not_exists(used, :zero) + :one, expiresAt = :expires, entity = :entity, #v = :v',
          ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':limit': limit,
            ':expires': (window + 2) * windowSeconds,
            ':entity': rateWindowEntity.name,
            ':v': rateWindowEntity.version,
          },
          ExpressionAttributeNames: { '#v': '_v' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Rating } from '#core/satisfaction/satisfaction.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { SatisfactionStore } from '#ports/satisfaction-store.ts';
import { RecordTable, type RecordTableOptions } from './record-table.ts';
import { ratingEntity } from './satisfaction-entities.ts';
import { consumeLink } from './used-links.ts';

/** Ratings in the domain table, versioned; survey links marked used like approval links. */
export class DynamoSatisfactionStore implements SatisfactionStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async rating(ticketId: string): Promise<Rating | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: ratingEntity.key({ ticketId }),
      ConsistentRead: true,
    });
    return item ? ratingEntity.parse(item) : undefined;
  }

  async save(rating: Rating, expectedVersion: number): Promise<void> {
    try {
      await this.#table.db.send(
        new PutCommand({
          TableName: this.#table.domainTable,
          Item: ratingEntity.item(rating),
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConflictError(`The rating of ${rating.number} was changed meanwhile`, undefined, {
          cause: error,
        });
      throw error;
    }
  }

  consumeLink(linkId: string, expiresAt: string): Promise<boolean> {
    return consumeLink(this.#table, linkId, expiresAt);
  }
}

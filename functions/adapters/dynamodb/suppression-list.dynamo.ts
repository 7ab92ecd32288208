import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeEmail } from '#core/identity/actor.ts';
import type { Clock } from '#ports/clock.ts';
import type { SuppressionList } from '#ports/suppression-list.ts';

import { suppressionEntity } from './entities.ts';

const key = (email: string) => suppressionEntity.key({ email: normalizeEmail(email) });

/** Suppressed addresses, one item each, looked up in one BatchGetItem per mail. */
export class DynamoSuppressionList implements SuppressionList {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(client: DynamoDBDocumentClient, domainTable: string, clock: Clock) {
    this.#db = client;
    this.#table = domainTable;
    this.#clock = clock;
  }

  async suppress(email: string, reason: string): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: suppressionEntity.item({
          email: normalizeEmail(email),
          reason: reason.slice(0, 500),
          at: this.#clock.now().toISOString(),
        }),
      }),
    );
  }

  async suppressed(emails: readonly string[]): Promise<ReadonlySet<string>> {
    const unique = [...new Set(emails.map(normalizeEmail))].slice(0, 100);
    if (unique.length === 0) return new Set();
    const result = await this.#db.send(
      new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: unique.map(key) } } }),
    );
    return new Set(
      (result.Responses?.[this.#table] ?? []).map((item) => suppressionEntity.parse(item).email),
    );
  }
}

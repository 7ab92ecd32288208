import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MailReferenceStore } from '#ports/mail-references.ts';

import { mailReferenceEntity } from './entities.ts';

const key = (messageId: string) => mailReferenceEntity.key({ messageId: messageId.toLowerCase() });

/** BatchGetItem takes 100 keys; a References header rarely holds more than a few dozen. */
const MAX_LOOKUP = 100;

/** Outbound Message-IDs and the tickets they belong to, one small item each. */
export class DynamoMailReferenceStore implements MailReferenceStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBDocumentClient, domainTable: string) {
    this.#db = client;
    this.#table = domainTable;
  }

  async remember(messageIds: readonly string[], ticketId: string): Promise<void> {
    if (messageIds.length === 0) return;
    await this.#db.send(
      new BatchWriteCommand({
        RequestItems: {
          [this.#table]: messageIds.map((id) => ({
            PutRequest: { Item: mailReferenceEntity.item({ ticketId }, { messageId: id }) },
          })),
        },
      }),
    );
  }

  async ticketFor(messageIds: readonly string[]): Promise<string | undefined> {
    const ids = [...new Set(messageIds.map((id) => id.toLowerCase()))].slice(0, MAX_LOOKUP);
    if (ids.length === 0) return undefined;
    const result = await this.#db.send(
      new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: ids.map(key) } } }),
    );
    const found = new Map(
      (result.Responses?.[this.#table] ?? []).map((item) => [
        String(item.pk),
        mailReferenceEntity.parse(item).ticketId,
      ]),
    );
    for (const id of ids) {
      const ticketId = found.get(key(id).pk);
      if (ticketId) return ticketId;
    }
    return undefined;
  }
}

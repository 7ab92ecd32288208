import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { QuarantinedMail } from '#core/mail/quarantine.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import type { Page, PageRequest } from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { keyAttributes, withoutKeys } from './keys.ts';

const QUARANTINE_PARTITION = 'QUARANTINE';

/** Quarantined mail: one item each, listed newest first through gsi1. */
export class DynamoQuarantineStore implements QuarantineStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBDocumentClient, domainTable: string) {
    this.#db = client;
    this.#table = domainTable;
  }

  async put(mail: QuarantinedMail): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `QUARANTINE#${mail.id}`,
          sk: '#QUARANTINE',
          gsi1pk: QUARANTINE_PARTITION,
          gsi1sk: `${mail.receivedAt}#${mail.id}`,
          entity: 'quarantine',
          ...QuarantinedMail.parse(mail),
        },
      }),
    );
  }

  async get(id: string): Promise<QuarantinedMail | undefined> {
    const result = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `QUARANTINE#${id}`, sk: '#QUARANTINE' },
        ConsistentRead: true,
      }),
    );
    return result.Item ? QuarantinedMail.parse(withoutKeys(result.Item)) : undefined;
  }

  async markReleased(id: string, released: NonNullable<QuarantinedMail['released']>): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `QUARANTINE#${id}`, sk: '#QUARANTINE' },
        UpdateExpression: 'SET released = :released',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':released': released },
      }),
    );
  }

  async list(page: PageRequest): Promise<Page<QuarantinedMail>> {
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': QUARANTINE_PARTITION },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { name: 'gsi1pk', value: QUARANTINE_PARTITION }),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    const items = (result.Items ?? []).map((item) => {
      const copy: Record<string, unknown> = { ...item };
      for (const key of [...keyAttributes, 'entity']) delete copy[key];
      return QuarantinedMail.parse(copy);
    });
    return { items, ...(cursor ? { cursor } : {}) };
  }
}

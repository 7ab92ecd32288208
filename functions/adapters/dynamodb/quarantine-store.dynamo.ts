import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { QuarantinedMail } from '#core/mail/quarantine.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import type { Page, PageRequest } from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { quarantineEntity } from './entities.ts';

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
        Item: quarantineEntity.item(mail),
      }),
    );
  }

  async get(id: string): Promise<QuarantinedMail | undefined> {
    const result = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: quarantineEntity.key({ id }),
        ConsistentRead: true,
      }),
    );
    return result.Item ? quarantineEntity.parse(result.Item) : undefined;
  }

  async markReleased(id: string, released: NonNullable<QuarantinedMail['released']>): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: quarantineEntity.key({ id }),
        UpdateExpression: 'SET released = :released',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':released': released },
      }),
    );
  }

  async list(page: PageRequest): Promise<Page<QuarantinedMail>> {
    const partition = quarantineEntity.partition('gsi1', {});
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: partition.index,
        KeyConditionExpression: `${partition.name} = :pk`,
        ExpressionAttributeValues: { ':pk': partition.value },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partition),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(quarantineEntity.parse), ...(cursor ? { cursor } : {}) };
  }
}

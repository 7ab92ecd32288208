import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Attachment } from '#core/attachment/attachment.ts';
import { ConflictError, NotFoundError } from '#core/shared/errors.ts';
import type { AttachmentStore } from '#ports/attachment-store.ts';
import type { Page, PageRequest } from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { attachmentEntity } from './entities.ts';

/**
 * Attachment items sit in their ticket's item collection (`attachmentEntity`). `ATTACHMENT#`
 * sorts before `~AUDIT#`, so the ticket store's conversation Query sees them too and tells them
 * apart by their entity.
 */
const ATTACHMENT_PREFIX = attachmentEntity.sortPrefix();
const attachmentKey = (a: Pick<Attachment, 'ticketId' | 'createdAt' | 'id'>) =>
  attachmentEntity.key({ ticketId: a.ticketId, createdAt: a.createdAt, id: a.id });
const fromItem = (item: Record<string, unknown>): Attachment => attachmentEntity.parse(item);

/** Attachment records in the domain table, validated on write and on read. */
export class DynamoAttachmentStore implements AttachmentStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBDocumentClient, domainTable: string) {
    this.#db = client;
    this.#table = domainTable;
  }

  async put(attachment: Attachment): Promise<void> {
    const record = Attachment.parse(attachment);
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: attachmentEntity.item(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConflictError(`Attachment ${record.id} exists already`, undefined, { cause: error });
      throw error;
    }
  }

  /**
   * The sort key starts with the creation time, which a caller holding only the id does not
   * know: this reads the ticket's attachment items and picks the one. A ticket has few.
   */
  async get(ticketId: string, attachmentId: string): Promise<Attachment | undefined> {
    let start: Record<string, unknown> | undefined;
    do {
      const result: QueryCommandOutput = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: '#id = :id',
          ExpressionAttributeNames: { '#id': 'id' },
          ExpressionAttributeValues: {
            ':pk': attachmentEntity.partition('primary', { ticketId }).value,
            ':prefix': ATTACHMENT_PREFIX,
            ':id': attachmentId,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      const [item] = result.Items ?? [];
      if (item) return fromItem(item);
      start = result.LastEvaluatedKey;
    } while (start);
    return undefined;
  }

  async listForTicket(ticketId: string, page: PageRequest): Promise<Page<Attachment>> {
    const pk = attachmentEntity.partition('primary', { ticketId }).value;
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': ATTACHMENT_PREFIX },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, {
          name: 'pk',
          value: pk,
          sortKeyPrefix: ATTACHMENT_PREFIX,
        }),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(fromItem), ...(cursor ? { cursor } : {}) };
  }

  async markAvailable(attachment: Attachment): Promise<Attachment> {
    try {
      const result = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: attachmentKey(attachment),
          UpdateExpression: 'SET #state = :available',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':available': 'available' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(result.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new NotFoundError(`Attachment ${attachment.id} does not exist`, { cause: error });
      throw error;
    }
  }
}

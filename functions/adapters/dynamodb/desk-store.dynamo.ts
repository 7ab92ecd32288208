import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CannedResponse, ResponseScope } from '#core/desk/response.ts';
import type { SavedView } from '#core/desk/saved-view.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { ResponseStore, SavedViewStore } from '#ports/desk-store.ts';
import { responseEntity, savedViewEntity } from './desk-entities.ts';
import { RecordTable, type RecordTableOptions } from './record-table.ts';

/** Canned responses and macros in the domain table (keys in `desk-entities.ts`). */
export class DynamoResponseStore implements ResponseStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async #conditional(write: () => Promise<unknown>, stale: () => Promise<unknown>, what: string) {
    try {
      await write();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConflictError(`${what} was changed by someone else`, await stale(), { cause: error });
      throw error;
    }
  }

  put(response: CannedResponse, expectedVersion: number): Promise<void> {
    return this.#conditional(
      () =>
        this.#table.db.send(
          new PutCommand({
            TableName: this.#table.domainTable,
            Item: responseEntity.item(response),
            ...(expectedVersion === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                }),
          }),
        ),
      () => this.get(response.id),
      `Response ${response.name}`,
    );
  }

  async get(id: string): Promise<CannedResponse | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: responseEntity.key({ id }),
      ConsistentRead: true,
    });
    return item ? responseEntity.parse(item) : undefined;
  }

  list(scope: ResponseScope, owner: string, page: PageRequest): Promise<Page<CannedResponse>> {
    return this.#table.page(
      responseEntity.partition('gsi1', { scope, owner }),
      { limit: page.limit, forward: true, ...(page.cursor ? { cursor: page.cursor } : {}) },
      responseEntity.parse,
    );
  }

  delete(id: string, expectedVersion: number): Promise<void> {
    return this.#conditional(
      () =>
        this.#table.db.send(
          new DeleteCommand({
            TableName: this.#table.domainTable,
            Key: responseEntity.key({ id }),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        ),
      () => this.get(id),
      'The response',
    );
  }
}

/** Saved queue views: one partition per agent, so listing them is one Query. */
export class DynamoSavedViewStore implements SavedViewStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async put(view: SavedView): Promise<void> {
    await this.#table.db.send(
      new PutCommand({ TableName: this.#table.domainTable, Item: savedViewEntity.item(view) }),
    );
  }

  async list(owner: string): Promise<readonly SavedView[]> {
    const partition = savedViewEntity.partition('primary', { owner });
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :view)',
      ExpressionAttributeValues: { ':pk': partition.value, ':view': savedViewEntity.sortPrefix() },
    });
    return items.map(savedViewEntity.parse);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const result = await this.#table.db.send(
      new DeleteCommand({
        TableName: this.#table.domainTable,
        Key: savedViewEntity.key({ owner, id }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  }
}

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AssetImport, AssetImportStore, ImportRowError } from '#core/cmdb/asset-import.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import { assetImportEntity, assetImportErrorEntity } from './asset-entities.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions } from './record-table.ts';

/** Items per BatchWriteItem (DynamoDB's limit). */
const BATCH = 25;

/** Asset import jobs and their row errors on the domain table (keys in `asset-entities.ts`). */
export class DynamoAssetImportStore implements AssetImportStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async create(job: AssetImport): Promise<void> {
    await this.#table.transact([
      this.#table.put(assetImportEntity, assetImportEntity.item(job), {
        expression: 'attribute_not_exists(pk)',
      }),
    ]);
  }

  async get(id: string): Promise<AssetImport | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: assetImportEntity.key({ id }),
      ConsistentRead: true,
    });
    return item ? assetImportEntity.parse(item) : undefined;
  }

  async save(job: AssetImport, expectedVersion: number): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(assetImportEntity, assetImportEntity.item(job), {
          expression: 'version = :expected',
          values: { ':expected': expectedVersion },
        }),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError(`Import ${job.id} was changed meanwhile`, undefined, { cause: error });
      throw error;
    }
  }

  async putErrors(errors: readonly ImportRowError[]): Promise<void> {
    const table = this.#table.domainTable;
    for (let i = 0; i < errors.length; i += BATCH) {
      let requests = errors
        .slice(i, i + BATCH)
        .map((error) => ({ PutRequest: { Item: assetImportErrorEntity.item(error) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept import errors unprocessed');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const result = await this.#table.db.send(
          new BatchWriteCommand({ RequestItems: { [table]: requests } }),
        );
        requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  }

  errors(importId: string, page: PageRequest): Promise<Page<ImportRowError>> {
    return this.#table.page(
      assetImportErrorEntity.partition('primary', { importId }),
      {
        limit: page.limit,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        forward: true,
        sortPrefix: assetImportErrorEntity.sortPrefix(),
      },
      assetImportErrorEntity.parse,
    );
  }

  list(page: PageRequest): Promise<Page<AssetImport>> {
    return this.#table.page(
      assetImportEntity.partition('gsi1', {}),
      { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}), forward: false },
      assetImportEntity.parse,
    );
  }
}

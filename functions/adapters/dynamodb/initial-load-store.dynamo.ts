import type { InitialLoadCursor, InitialLoadStore } from '#core/cmdb/initial-load.ts';
import { ConflictError } from '#core/shared/errors.ts';
import { cmdbInitialLoadEntity } from './initial-load-entities.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions } from './record-table.ts';

/** The initial load's cursor item, one per account and region (keys in `cmdb-entities.ts`). */
export class DynamoInitialLoadStore implements InitialLoadStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async get(accountId: string, region: string): Promise<InitialLoadCursor | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: cmdbInitialLoadEntity.key({ accountId, region }),
      ConsistentRead: true,
    });
    return item ? cmdbInitialLoadEntity.parse(item) : undefined;
  }

  async save(cursor: InitialLoadCursor, expectedVersion?: number): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(
          cmdbInitialLoadEntity,
          cmdbInitialLoadEntity.item(cursor),
          expectedVersion === undefined
            ? { expression: 'attribute_not_exists(pk)' }
            : { expression: 'version = :expected', values: { ':expected': expectedVersion } },
        ),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError('The initial load cursor was moved meanwhile', undefined, { cause: error });
      throw error;
    }
  }
}

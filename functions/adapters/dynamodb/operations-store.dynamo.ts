import type { Signal } from '#core/operations/signal.ts';
import type { StoredLink } from '#core/record/record.ts';
import type { OperationsStore } from '#ports/operations-store.ts';
import { signalEntity } from './operations-entities.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions } from './record-table.ts';

/** Signals as one item each (`SIGNAL#<key>`); incident–CI links as the engine's record links. */
export class DynamoOperationsStore implements OperationsStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async signal(key: string): Promise<Signal | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: signalEntity.key({ key }),
      ConsistentRead: true,
    });
    return item ? signalEntity.parse(item) : undefined;
  }

  async saveSignal(signal: Signal, expectedVersion: number): Promise<boolean> {
    return this.#conditional(() =>
      this.#table.transact([
        this.#table.put(
          signalEntity,
          signalEntity.item(signal),
          expectedVersion === 0
            ? { expression: 'attribute_not_exists(pk)' }
            : { expression: 'version = :expected', values: { ':expected': expectedVersion } },
        ),
      ]),
    );
  }

  link(link: StoredLink): Promise<boolean> {
    return this.#conditional(() => this.#table.transact(this.#table.linkPuts(link)));
  }

  async #conditional(write: () => Promise<void>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }
}

import type { NumberedKind, RecordRef, StoredLink } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { RecordCiStore } from '#ports/record-ci-store.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions } from './record-table.ts';

/** Record–CI links as the engine's generic record links (`recordLinkEntity`), kept on both sides. */
export class DynamoRecordCiStore implements RecordCiStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async link(link: StoredLink): Promise<void> {
    try {
      await this.#table.transact(this.#table.linkPuts(link));
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError(
          `${link.source.number} is already linked to ${link.target.number}`,
          undefined,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  async unlink(link: Pick<StoredLink, 'source' | 'target'>): Promise<boolean> {
    try {
      await this.#table.transact(this.#table.unlinkDeletes(link));
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  cisOf(record: Pick<RecordRef, 'kind' | 'id'>): Promise<StoredLink[]> {
    return this.#table.links(record, 'configuration_item');
  }

  recordsOf(ciId: string, kind: NumberedKind): Promise<StoredLink[]> {
    return this.#table.links({ kind: 'configuration_item', id: ciId }, kind);
  }
}

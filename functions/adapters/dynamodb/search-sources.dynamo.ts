import { FIRST_SEQUENCE, formatRecordNumber } from '#core/record/record.ts';
import type { SearchDocument } from '#core/search/search-document.ts';
import { counterEntity, ticketEntity } from './entities.ts';
import { knowledgeEntity } from './knowledge-entities.ts';
import { RecordTable, type RecordTableOptions } from './record-table.ts';
import { knowledgeDocument, ticketDocument } from './search-documents.ts';

/** The record kinds the search index holds, in the order a re-index reads them. */
export const REINDEXED_KINDS = ['incident', 'request', 'knowledge'] as const;
export type ReindexedKind = (typeof REINDEXED_KINDS)[number];

/** Records looked up at once. */
const PARALLEL = 16;

/**
 * The records the search index is rebuilt from (`npm run search:reindex`), read without a Scan:
 * every number a kind's counter handed out (`COUNTER#<kind>`) is looked up in the number index
 * (gsi4, which holds the whole record) — the same path as the report backfill. A number lost to a
 * failed create (a gap) finds nothing.
 */
export class DynamoSearchSources {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  /** The last number a kind's counter handed out (its sequence). */
  async lastSequence(kind: ReindexedKind): Promise<number> {
    const counter = await this.#table.get({
      TableName: this.#table.tableOf(counterEntity),
      Key: counterEntity.key({ kind }),
      ConsistentRead: true,
    });
    return counter ? counterEntity.parse(counter).seq : FIRST_SEQUENCE - 1;
  }

  /** The search documents of one kind from sequence `from` on, in pages of {@link PARALLEL} numbers. */
  async *documents(
    kind: ReindexedKind,
    from: number,
  ): AsyncGenerator<{ readonly sequence: number; readonly documents: readonly SearchDocument[] }> {
    const last = await this.lastSequence(kind);
    for (let start = Math.max(from, FIRST_SEQUENCE); start <= last; start += PARALLEL) {
      const numbers = Array.from({ length: Math.min(PARALLEL, last - start + 1) }, (_, i) =>
        formatRecordNumber(kind, start + i),
      );
      const found = await Promise.all(numbers.map((number) => this.#document(kind, number)));
      yield {
        sequence: start + numbers.length - 1,
        documents: found.filter((d): d is SearchDocument => d !== undefined),
      };
    }
  }

  async #document(kind: ReindexedKind, number: string): Promise<SearchDocument | undefined> {
    const entity = kind === 'knowledge' ? knowledgeEntity : ticketEntity;
    const partition = entity.partition('gsi4', { number });
    const found = await this.#table.query({
      TableName: this.#table.domainTable,
      IndexName: 'gsi4',
      KeyConditionExpression: '#pk = :pk AND #sk = :sk',
      ExpressionAttributeNames: { '#pk': partition.name, '#sk': 'gsi4sk' },
      ExpressionAttributeValues: { ':pk': partition.value, ':sk': entity.sortPrefix('gsi4') },
    });
    const item = found.Items?.[0];
    if (!item) return undefined;
    return kind === 'knowledge'
      ? knowledgeDocument(knowledgeEntity.parse(item))
      : ticketDocument(ticketEntity.parse(item));
  }
}

import type { RecordFacts } from '#core/reporting/facts.ts';
import { type CounterItem, type CountWrite, FactsChanged, type ReportStore } from '#ports/report-store.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';
import { reportCounterEntity, reportEventEntity, reportFactsEntity } from './report-entities.ts';

/** How long an event's marker is kept: longer than the bus archive keeps events for replay (30 days). */
export const MARKER_DAYS = 40;
/** DynamoDB's limit of items per transaction. */
const TRANSACTION_LIMIT = 100;

/**
 * The report counters in the domain table. Counting one event is one transaction: the event's
 * marker (must not exist), the record's facts (at the version read), and an `ADD` per counter
 * item. DynamoDB's `ADD` creates missing items and numbers, so a new day or cut needs no setup.
 */
export class DynamoReportStore implements ReportStore {
  readonly #table: RecordTable;
  readonly #now: () => Date;

  constructor(options: RecordTableOptions & { readonly now?: () => Date }) {
    this.#table = new RecordTable(options);
    this.#now = options.now ?? (() => new Date());
  }

  async facts(recordId: string): Promise<RecordFacts | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.tableOf(reportFactsEntity),
      Key: reportFactsEntity.key({ recordId }),
      ConsistentRead: true,
    });
    return item ? reportFactsEntity.parse(item) : undefined;
  }

  async apply(write: CountWrite): Promise<'counted' | 'duplicate'> {
    const expiresAt = Math.floor(this.#now().getTime() / 1000) + MARKER_DAYS * 24 * 3600;
    const items: TransactItem[] = [
      this.#table.put(reportEventEntity, reportEventEntity.item({ expiresAt }, { eventId: write.eventId }), {
        expression: 'attribute_not_exists(pk)',
      }),
      this.#table.put(
        reportFactsEntity,
        reportFactsEntity.item(write.facts, { recordId: write.recordId }),
        write.expectedVersion === undefined
          ? { expression: 'attribute_not_exists(pk)' }
          : { expression: 'version = :expected', values: { ':expected': write.expectedVersion } },
      ),
      ...write.updates.map((update) => this.counterUpdate(update.cut, update.slot, update.add)),
    ];
    if (items.length > TRANSACTION_LIMIT)
      throw new Error(`An event touches ${items.length} items, over the transaction limit`);
    try {
      await this.#table.transact(items);
      return 'counted';
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.failedAt(0)) return 'duplicate';
      throw new FactsChanged(`The facts of ${write.recordId} changed`, { cause: error });
    }
  }

  /** One `ADD` of numbers to a counter item (created by it when missing). */
  counterUpdate(cut: string, slot: string, add: Readonly<Record<string, number>>): TransactItem {
    const names: Record<string, string> = { '#entity': 'entity', '#v': '_v' };
    const values: Record<string, unknown> = {
      ':entity': reportCounterEntity.name,
      ':v': reportCounterEntity.version,
    };
    const adds = Object.entries(add).map(([name, value], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = value;
      return `#c${i} :c${i}`;
    });
    return {
      Update: {
        TableName: this.#table.tableOf(reportCounterEntity),
        Key: reportCounterEntity.key({ cut, slot }),
        UpdateExpression: `SET #entity = :entity, #v = :v ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  async read(cut: string, fromDay: string): Promise<CounterItem[]> {
    const key = reportCounterEntity.key({ cut, slot: fromDay });
    const items = await this.#table.queryAll({
      TableName: this.#table.tableOf(reportCounterEntity),
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': key.pk, ':from': fromDay },
    });
    return items.map((item) => ({ slot: String(item.sk), counters: reportCounterEntity.parse(item) }));
  }
}

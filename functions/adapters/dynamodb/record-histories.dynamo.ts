import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { FIRST_SEQUENCE, formatRecordNumber } from '#core/record/record.ts';
import type { CounterTotals, RebuiltKind, RecordHistory } from '#core/reporting/rebuild.ts';
import { changeAuditEntity, changeEntity } from './change-entities.ts';
import { counterEntity, ticketAuditEntity, ticketEntity } from './entities.ts';
import type { Partition } from './entity.ts';
import { knowledgeEntity, knowledgeFeedbackEntity } from './knowledge-entities.ts';
import { problemAuditEntity, problemEntity } from './problem-entities.ts';
import { RecordTable, type RecordTableOptions } from './record-table.ts';
import { reportCounterEntity, reportFactsEntity } from './report-entities.ts';
import { slaRecordEntity } from './sla-entities.ts';

/** What the backfill reads of a record entity (the same for every record type) and of its audit entity. */
interface NumberedEntity {
  partition(index: 'gsi4', facets: { number: string }): Partition;
  sortPrefix(index: 'gsi4'): string;
  parse(item: Readonly<Record<string, unknown>>): unknown;
}
interface AuditEntity {
  sortPrefix(): string;
  parse(item: Readonly<Record<string, unknown>>): unknown;
}

const entitiesOf: Record<RebuiltKind, { record: NumberedEntity; audit: AuditEntity }> = {
  // An article's history for reporting is its feedback (reporting counts nothing of its edits).
  knowledge: { record: knowledgeEntity, audit: knowledgeFeedbackEntity },
  incident: { record: ticketEntity, audit: ticketAuditEntity },
  request: { record: ticketEntity, audit: ticketAuditEntity },
  change: { record: changeEntity, audit: changeAuditEntity },
  problem: { record: problemEntity, audit: problemAuditEntity },
};

/** Records read at once. */
const PARALLEL = 16;
/** Items per BatchWriteItem (DynamoDB's limit). */
const BATCH = 25;

/**
 * The records' histories for `npm run report:backfill`, read without a Scan: every number a
 * kind's counter handed out (`COUNTER#<kind>`) is looked up in the number index (gsi4, which
 * holds the whole record), and the record's audit entries are one Query of its item collection
 * (`begins_with(sk, '~AUDIT#')`). A number lost to a failed create (a gap) finds nothing.
 */
export class DynamoRecordHistories {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async *histories(kind: RebuiltKind): AsyncGenerator<RecordHistory> {
    const counter = await this.#table.get({
      TableName: this.#table.tableOf(counterEntity),
      Key: counterEntity.key({ kind }),
      ConsistentRead: true,
    });
    const last = counter ? counterEntity.parse(counter).seq : FIRST_SEQUENCE - 1;
    for (let start = FIRST_SEQUENCE; start <= last; start += PARALLEL) {
      const numbers = Array.from({ length: Math.min(PARALLEL, last - start + 1) }, (_, i) =>
        formatRecordNumber(kind, start + i),
      );
      const read = await Promise.all(numbers.map((number) => this.#history(kind, number)));
      for (const history of read) if (history) yield history;
    }
  }

  async #history(kind: RebuiltKind, number: string): Promise<RecordHistory | undefined> {
    const { record: entity, audit: auditEntity } = entitiesOf[kind];
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
    const record = entity.parse(item) as Record<string, unknown>;
    const audit = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
      ExpressionAttributeValues: { ':pk': item.pk, ':audit': auditEntity.sortPrefix() },
    });
    if (kind === 'knowledge')
      return {
        kind,
        record,
        audit: [],
        feedback: audit.map((entry) => knowledgeFeedbackEntity.parse(entry)),
      };
    const entries = audit.map((entry) => auditEntity.parse(entry) as RecordHistory['audit'][number]);
    const slaKinds = entries.some((entry) => entry.field.startsWith('sla.'))
      ? await this.#slaKinds(String(record.id))
      : undefined;
    return { kind, record, audit: entries, ...(slaKinds ? { slaKinds } : {}) };
  }

  /** The level (SLA or OLA) of each clock of a record by name: one GetItem of its SLA state. */
  async #slaKinds(recordId: string): Promise<Record<string, 'sla' | 'ola'> | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: slaRecordEntity.key({ recordId }),
    });
    if (!item) return undefined;
    return Object.fromEntries(slaRecordEntity.parse(item).clocks.map((c) => [c.name, c.kind]));
  }

  /** Writes rebuilt counter items and facts over whatever is stored (the totals are absolute). */
  async replace(totals: CounterTotals): Promise<{ counters: number; facts: number }> {
    const items = [
      ...[...totals.counters.values()].map(({ cut, slot, counters }) =>
        reportCounterEntity.item(counters, { cut, slot }),
      ),
      ...[...totals.facts].map(([recordId, facts]) => reportFactsEntity.item(facts, { recordId })),
    ];
    const table = this.#table.tableOf(reportCounterEntity);
    for (let i = 0; i < items.length; i += BATCH) {
      let requests = items.slice(i, i + BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept items unprocessed');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const result = await this.#table.db.send(
          new BatchWriteCommand({ RequestItems: { [table]: requests } }),
        );
        requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
    return { counters: totals.counters.size, facts: totals.facts.size };
  }
}

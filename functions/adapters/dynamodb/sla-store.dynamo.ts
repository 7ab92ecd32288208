import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { StoredCalendar } from '#core/sla/sla-admin.ts';
import type { SlaDefinition } from '#core/sla/sla-definition.ts';
import type { SlaRecord } from '#core/sla/sla-record.ts';
import type { SlaStore } from '#ports/sla-store.ts';
import { catalogTaskAuditEntity } from './catalog-entities.ts';
import { ticketAuditEntity } from './entities.ts';
import { problemAuditEntity } from './problem-entities.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';
import {
  slaCalendarEntity,
  slaDefinitionEntity,
  slaDefinitionVersionEntity,
  slaRecordEntity,
} from './sla-entities.ts';

/**
 * Where a record type keeps its history, so SLA entries appear in the record's own trail. A
 * record type the SLA engine follows adds one line here (catalog requests and tasks, later).
 */
const historyOf: Readonly<
  Record<string, (table: RecordTable, recordId: string, drafts: readonly AuditDraft[]) => TransactItem[]>
> = {
  incident: (table, ticketId, drafts) =>
    table.auditPuts(ticketAuditEntity, (d) => ({ ...d, ticketId }), drafts),
  request: (table, ticketId, drafts) =>
    table.auditPuts(ticketAuditEntity, (d) => ({ ...d, ticketId }), drafts),
  problem: (table, problemId, drafts) =>
    table.auditPuts(problemAuditEntity, (d) => ({ ...d, problemId }), drafts),
  task: (table, recordId, drafts) =>
    table.auditPuts(catalogTaskAuditEntity, (d) => ({ ...d, recordId }), drafts),
};

const versioned = (expected: number) =>
  expected === 0
    ? { expression: 'attribute_not_exists(pk)' }
    : { expression: 'version = :expected', values: { ':expected': expected } };

/** Definitions, calendars and per-record SLA state on the record table (keys in `sla-entities.ts`). */
export class DynamoSlaStore implements SlaStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async #list<T>(
    partition: ReturnType<typeof slaDefinitionEntity.partition>,
    parse: (item: Record<string, unknown>) => T,
  ) {
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      IndexName: partition.index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partition.name },
      ExpressionAttributeValues: { ':pk': partition.value },
    });
    return items.map(parse);
  }

  definitions(): Promise<SlaDefinition[]> {
    return this.#list(slaDefinitionEntity.partition('gsi1', {}), slaDefinitionEntity.parse);
  }

  async definition(id: string): Promise<SlaDefinition | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: slaDefinitionEntity.key({ id }),
      ConsistentRead: true,
    });
    return item ? slaDefinitionEntity.parse(item) : undefined;
  }

  async definitionVersions(id: string): Promise<SlaDefinition[]> {
    const { Items } = await this.#table.query({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': slaDefinitionVersionEntity.partition('primary', { id }).value,
        ':prefix': slaDefinitionVersionEntity.sortPrefix(),
      },
      ScanIndexForward: false,
      Limit: 100,
    });
    return (Items ?? []).map(slaDefinitionVersionEntity.parse);
  }

  async saveDefinition(definition: SlaDefinition): Promise<void> {
    const table = this.#table;
    try {
      await table.transact([
        table.put(
          slaDefinitionEntity,
          slaDefinitionEntity.item(definition),
          versioned(definition.version - 1),
        ),
        table.put(slaDefinitionVersionEntity, slaDefinitionVersionEntity.item(definition), {
          expression: 'attribute_not_exists(pk)',
        }),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      const old = error.itemAt(0);
      throw new ConflictError(
        `Definition ${definition.id} was changed by someone else`,
        old ? slaDefinitionEntity.parse(old) : undefined,
        { cause: error },
      );
    }
  }

  calendars(): Promise<StoredCalendar[]> {
    return this.#list(slaCalendarEntity.partition('gsi1', {}), slaCalendarEntity.parse);
  }

  async saveCalendar(calendar: StoredCalendar): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(slaCalendarEntity, slaCalendarEntity.item(calendar), versioned(calendar.version - 1)),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      const old = error.itemAt(0);
      throw new ConflictError(
        `Calendar ${calendar.id} was changed by someone else`,
        old ? slaCalendarEntity.parse(old) : undefined,
        { cause: error },
      );
    }
  }

  async record(recordId: string): Promise<SlaRecord | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: slaRecordEntity.key({ recordId }),
      ConsistentRead: true,
    });
    return item ? slaRecordEntity.parse(item) : undefined;
  }

  async records(recordIds: readonly string[]): Promise<SlaRecord[]> {
    const ids = [...new Set(recordIds)].slice(0, 100);
    if (ids.length === 0) return [];
    const table = this.#table.domainTable;
    let keys: Record<string, unknown>[] | undefined = ids.map((recordId) =>
      slaRecordEntity.key({ recordId }),
    );
    const found: SlaRecord[] = [];
    for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
      const result = await this.#table.db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }),
      );
      for (const item of result.Responses?.[table] ?? []) found.push(slaRecordEntity.parse(item));
      keys = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
    }
    return found;
  }

  async saveRecord(
    record: SlaRecord,
    expectedVersion: number,
    history: readonly AuditDraft[],
  ): Promise<void> {
    const table = this.#table;
    const audit = historyOf[record.recordType];
    try {
      await table.transact([
        table.put(slaRecordEntity, slaRecordEntity.item(record), versioned(expectedVersion)),
        ...(audit ? audit(table, record.recordId, history) : []),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailed) || !error.failedAt(0)) throw error;
      throw new ConflictError(`The SLA of ${record.number} changed meanwhile`, undefined, { cause: error });
    }
  }

  async markArmed(recordId: string, version: number): Promise<void> {
    try {
      await this.#table.db.send(
        new UpdateCommand({
          TableName: this.#table.domainTable,
          Key: slaRecordEntity.key({ recordId }),
          UpdateExpression: 'SET armedVersion = :v REMOVE pending',
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  dueQueue(group: string, page: PageRequest): Promise<Page<SlaRecord>> {
    return this.#table.page(
      slaRecordEntity.partition('gsi3', { group }),
      { limit: page.limit, forward: true, ...(page.cursor ? { cursor: page.cursor } : {}) },
      slaRecordEntity.parse,
    );
  }
}

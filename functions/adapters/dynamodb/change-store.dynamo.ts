import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalStep, InboxEntry, StepId } from '#core/change/approval.ts';
import {
  Change,
  type ChangeAuditEntry,
  type ChangeTemplate,
  type FreezeWindow,
  MAX_CHANGE_WINDOW_DAYS,
} from '#core/change/change.ts';
import { monthsCovering } from '#core/change/schedule.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { ChangeList, ChangeStore } from '#ports/change-store.ts';
import {
  approvalInboxEntity,
  approvalStepEntity,
  attemptPart,
  changeAuditEntity,
  changeEntity,
  changeTemplateEntity,
  freezeEntity,
} from './change-entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';
import { consumeLink } from './used-links.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Changes on the record table (keys in `entities.ts`): the change with its approval steps,
 * inbox entries and audit trail in one item collection; the calendar, freeze windows and
 * templates in index partitions of their own. Used mail links live in the idempotency table
 * until they expire.
 */
export class DynamoChangeStore implements ChangeStore {
  readonly #records: RecordTable;
  readonly #changes: RecordCollection<Change, ChangeAuditEntry>;

  constructor(
    client: DynamoDBDocumentClient,
    domainTable: string,
    idempotencyTable: string,
    options: Pick<RecordTableOptions, 'onRequest' | 'onRetry'> = {},
  ) {
    this.#records = new RecordTable({ client, domainTable, idempotencyTable, ...options });
    this.#changes = new RecordCollection(this.#records, {
      kind: 'change',
      record: changeEntity as unknown as RecordEntity<Change>,
      audit: changeAuditEntity as unknown as AuditEntity<ChangeAuditEntry>,
      idField: 'changeId',
    });
  }

  get #table(): string {
    return this.#records.domainTable;
  }

  create(record: Omit<Change, 'number'>, audit: readonly AuditDraft[]): Promise<Change> {
    return this.#changes.create(record, audit, (r) => Change.parse(r));
  }

  get(id: string): Promise<Change | undefined> {
    return this.#changes.get(id);
  }

  findByNumber(number: string): Promise<Change | undefined> {
    return this.#changes.findByNumber(number);
  }

  update(change: Change, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void> {
    return this.#changes.update(change, expectedVersion, audit);
  }

  async audit(changeId: string, entries: readonly AuditDraft[]): Promise<void> {
    if (entries.length > 0) await this.#records.transact(this.#changes.auditPuts(changeId, entries));
  }

  async list(list: ChangeList, page: PageRequest): Promise<Page<Change>> {
    const partition =
      list.by === 'requester'
        ? changeEntity.partition('gsi1', { requester: list.email })
        : changeEntity.partition('gsi2', { state: list.state });
    return this.#records.page(
      partition,
      { ...pageOf(page), ...entityFilter(changeEntity.name) },
      changeEntity.parse,
    );
  }

  async inWindow(from: string, to: string): Promise<Change[]> {
    const since = new Date(Date.parse(from) - MAX_CHANGE_WINDOW_DAYS * DAY_MS).toISOString();
    const months = monthsCovering(from, to, MAX_CHANGE_WINDOW_DAYS);
    const pages = await Promise.all(
      months.map((month) =>
        this.#records.queryAll({
          TableName: this.#table,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': changeEntity.partition('gsi3', { month }).value,
            ':from': since,
            ':to': `${to}~`,
          },
        }),
      ),
    );
    return pages
      .flat()
      .map(changeEntity.parse)
      .filter(
        (c) => Date.parse(c.plannedEnd) > Date.parse(from) && Date.parse(c.plannedStart) < Date.parse(to),
      );
  }

  history(id: string, page: PageRequest): Promise<Page<ChangeAuditEntry>> {
    return this.#changes.history(id, page);
  }

  async getStep(changeId: string, attempt: number, step: StepId) {
    const item = await this.#records.get({
      TableName: this.#table,
      Key: approvalStepEntity.key({ changeId, attempt: attemptPart(attempt), step }),
      ConsistentRead: true,
    });
    if (!item) return undefined;
    const { taskToken, ...stored } = approvalStepEntity.parse(item);
    return { step: stored, ...(taskToken ? { taskToken } : {}) };
  }

  async steps(changeId: string, attempt: number): Promise<ApprovalStep[]> {
    const items = await this.#records.queryAll({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :approval)',
      ExpressionAttributeValues: {
        ':pk': changeEntity.partition('primary', { id: changeId }).value,
        ':approval': approvalStepEntity.sortPrefix('primary', { attempt: attemptPart(attempt) }),
      },
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { taskToken: _, ...step } = approvalStepEntity.parse(item);
      return step;
    });
  }

  async saveStep(
    step: ApprovalStep,
    expectedVersion: number,
    options: { readonly taskToken?: string; readonly inbox: readonly InboxEntry[] },
  ): Promise<void> {
    const records = this.#records;
    const attempt = attemptPart(step.attempt);
    const existing = await records.queryAll({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :inbox)',
      ExpressionAttributeValues: {
        ':pk': changeEntity.partition('primary', { id: step.changeId }).value,
        ':inbox': approvalInboxEntity.sortPrefix('primary', { attempt, step: step.step }),
      },
      ProjectionExpression: 'pk, sk',
    });
    const keep = new Set(
      options.inbox.map(
        (e) =>
          approvalInboxEntity.key({ changeId: e.changeId, attempt, step: step.step, approver: e.approver })
            .sk,
      ),
    );
    try {
      await records.transact([
        records.put(
          approvalStepEntity,
          approvalStepEntity.item({
            ...step,
            ...(options.taskToken ? { taskToken: options.taskToken } : {}),
          }),
          expectedVersion === 0
            ? { expression: 'attribute_not_exists(pk)' }
            : { expression: 'version = :expected', values: { ':expected': expectedVersion } },
        ),
        ...existing
          .filter((item) => !keep.has(String(item.sk)))
          .map(
            (item): TransactItem => ({
              Delete: { TableName: this.#table, Key: { pk: item.pk, sk: item.sk } },
            }),
          ),
        ...options.inbox.map((entry) =>
          records.put(approvalInboxEntity, approvalInboxEntity.item(entry, { attempt: step.attempt })),
        ),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0))
        throw new ConflictError(
          `The ${step.step} approval of ${step.changeId} was changed by someone else`,
          undefined,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  async inbox(approver: string, page: PageRequest): Promise<Page<InboxEntry>> {
    return this.#records.page(
      approvalInboxEntity.partition('gsi2', { approver }),
      { ...pageOf(page), ...entityFilter(approvalInboxEntity.name) },
      approvalInboxEntity.parse,
    );
  }

  consumeLink(linkId: string, expiresAt: string): Promise<boolean> {
    return consumeLink(this.#records, linkId, expiresAt);
  }

  async putFreeze(freeze: FreezeWindow): Promise<void> {
    await this.#records.db.send(new PutCommand({ TableName: this.#table, Item: freezeEntity.item(freeze) }));
  }

  async deleteFreeze(id: string): Promise<void> {
    await this.#records.db.send(new DeleteCommand({ TableName: this.#table, Key: freezeEntity.key({ id }) }));
  }

  async freezes(from: string, to: string): Promise<FreezeWindow[]> {
    const items = await this.#records.queryAll({
      TableName: this.#table,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :to',
      ExpressionAttributeValues: { ':pk': freezeEntity.partition('gsi3', {}).value, ':to': `${to}~` },
    });
    return items
      .map(freezeEntity.parse)
      .filter((f) => Date.parse(f.end) > Date.parse(from) && Date.parse(f.start) < Date.parse(to));
  }

  async putTemplate(template: ChangeTemplate): Promise<void> {
    await this.#records.db.send(
      new PutCommand({ TableName: this.#table, Item: changeTemplateEntity.item(template) }),
    );
  }

  async getTemplate(id: string): Promise<ChangeTemplate | undefined> {
    const item = await this.#records.get({ TableName: this.#table, Key: changeTemplateEntity.key({ id }) });
    return item ? changeTemplateEntity.parse(item) : undefined;
  }

  async templates(): Promise<ChangeTemplate[]> {
    const items = await this.#records.queryAll({
      TableName: this.#table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': changeTemplateEntity.partition('gsi1', {}).value },
    });
    return items.map(changeTemplateEntity.parse);
  }
}

const pageOf = (page: PageRequest) => ({
  limit: page.limit,
  ...(page.cursor ? { cursor: page.cursor } : {}),
});

/** Partitions shared by several entities (an index's) are read through a filter on the entity. */
const entityFilter = (entity: string) => ({
  filter: { expression: '#entity = :entity', names: { '#entity': 'entity' }, values: { ':entity': entity } },
});

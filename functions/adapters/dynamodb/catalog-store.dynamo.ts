import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogCategory, CatalogItem } from '#core/catalog/catalog.ts';
import {
  type CatalogAuditEntry,
  CatalogRequest,
  CatalogTask,
  type RequestApprovalStep,
  type RequestInboxEntry,
} from '#core/catalog/request.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { CatalogStore, RequestStore, StoredRequestStep, TaskList } from '#ports/catalog-store.ts';
import {
  catalogCategoryEntity,
  catalogItemEntity,
  catalogItemVersionEntity,
  catalogRequestAuditEntity,
  catalogRequestEntity,
  catalogTaskAuditEntity,
  catalogTaskEntity,
  managerEntity,
  requestInboxEntity,
  requestStepEntity,
  taskWaitEntity,
} from './catalog-entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';
import { consumeLink } from './used-links.ts';

const pageOf = (page: PageRequest) => ({
  limit: page.limit,
  ...(page.cursor ? { cursor: page.cursor } : {}),
});

/** The catalog's definitions and its people directory on the record table. */
export class DynamoCatalogStore implements CatalogStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async putCategory(category: CatalogCategory): Promise<void> {
    await this.#table.db.send(
      new PutCommand({ TableName: this.#table.domainTable, Item: catalogCategoryEntity.item(category) }),
    );
  }

  async categories(): Promise<CatalogCategory[]> {
    const partition = catalogCategoryEntity.partition('gsi1', {});
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
    });
    return items.map(catalogCategoryEntity.parse);
  }

  async createItem(item: CatalogItem): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(catalogItemEntity, catalogItemEntity.item(item), {
          expression: 'attribute_not_exists(pk)',
        }),
        this.#table.put(catalogItemVersionEntity, catalogItemVersionEntity.item(item)),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0))
        throw new ConflictError(`There is an item ${item.id} already`, undefined, { cause: error });
      throw error;
    }
  }

  async updateItem(item: CatalogItem, expectedVersion: number): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(catalogItemEntity, catalogItemEntity.item(item), {
          expression: 'version = :expected',
          values: { ':expected': expectedVersion },
        }),
        this.#table.put(catalogItemVersionEntity, catalogItemVersionEntity.item(item), {
          expression: 'attribute_not_exists(pk)',
        }),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed && (error.failedAt(0) || error.failedAt(1))) {
        const old = error.itemAt(0);
        throw new ConflictError(
          `${item.id} was changed by someone else`,
          old ? catalogItemEntity.parse(old) : undefined,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async item(id: string): Promise<CatalogItem | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: catalogItemEntity.key({ id }),
      ConsistentRead: true,
    });
    return item ? catalogItemEntity.parse(item) : undefined;
  }

  async itemVersion(id: string, version: number): Promise<CatalogItem | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: catalogItemVersionEntity.key({ id, version: String(version).padStart(6, '0') }),
    });
    return item ? catalogItemVersionEntity.parse(item) : undefined;
  }

  async items(): Promise<CatalogItem[]> {
    const partition = catalogItemEntity.partition('gsi1', {});
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
    });
    return items.map(catalogItemEntity.parse);
  }

  async managerOf(email: string): Promise<string | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: managerEntity.key({ email }),
    });
    return item ? managerEntity.parse(item).manager : undefined;
  }

  async setManager(email: string, manager: string | undefined): Promise<void> {
    const TableName = this.#table.domainTable;
    if (manager)
      await this.#table.db.send(new PutCommand({ TableName, Item: managerEntity.item({ email, manager }) }));
    else await this.#table.db.send(new DeleteCommand({ TableName, Key: managerEntity.key({ email }) }));
  }
}

/** Catalog requests and their tasks: two record types on the engine, with approval steps and inboxes beside them. */
export class DynamoRequestStore implements RequestStore {
  readonly #table: RecordTable;
  readonly #requests: RecordCollection<CatalogRequest, CatalogAuditEntry>;
  readonly #tasks: RecordCollection<CatalogTask, CatalogAuditEntry>;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
    this.#requests = new RecordCollection(this.#table, {
      kind: 'request',
      record: catalogRequestEntity as unknown as RecordEntity<CatalogRequest>,
      audit: catalogRequestAuditEntity as unknown as AuditEntity<CatalogAuditEntry>,
      idField: 'recordId',
    });
    this.#tasks = new RecordCollection(this.#table, {
      kind: 'task',
      record: catalogTaskEntity as unknown as RecordEntity<CatalogTask>,
      audit: catalogTaskAuditEntity as unknown as AuditEntity<CatalogAuditEntry>,
      idField: 'recordId',
    });
  }

  create(request: Omit<CatalogRequest, 'number'>, audit: readonly AuditDraft[]) {
    return this.#requests.create(request, audit, (r) => CatalogRequest.parse(r));
  }
  get(id: string) {
    return this.#requests.get(id);
  }
  findByNumber(number: string) {
    return this.#requests.findByNumber(number);
  }
  update(request: CatalogRequest, expectedVersion: number, audit: readonly AuditDraft[]) {
    return this.#requests.update(request, expectedVersion, audit);
  }
  listFor(email: string, page: PageRequest): Promise<Page<CatalogRequest>> {
    return this.#table.page(
      catalogRequestEntity.partition('gsi1', { requestedFor: email }),
      pageOf(page),
      catalogRequestEntity.parse,
    );
  }
  history(id: string, page: PageRequest) {
    return this.#requests.history(id, page);
  }
  async audit(id: string, entries: readonly AuditDraft[]): Promise<void> {
    if (entries.length > 0) await this.#table.transact(this.#requests.auditPuts(id, entries));
  }

  async getStep(requestId: string, index: number): Promise<StoredRequestStep | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: requestStepEntity.key({ requestId, index: String(index).padStart(2, '0') }),
      ConsistentRead: true,
    });
    if (!item) return undefined;
    const { taskToken, ...step } = requestStepEntity.parse(item);
    return { step, ...(taskToken ? { taskToken } : {}) };
  }

  async steps(requestId: string): Promise<RequestApprovalStep[]> {
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': catalogRequestEntity.partition('primary', { id: requestId }).value,
        ':prefix': requestStepEntity.sortPrefix(),
      },
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { taskToken: _, ...step } = requestStepEntity.parse(item);
      return step;
    });
  }

  async saveStep(
    step: RequestApprovalStep,
    expectedVersion: number,
    extra: { readonly taskToken?: string; readonly inbox: readonly RequestInboxEntry[] },
  ): Promise<void> {
    const index = String(step.index).padStart(2, '0');
    const existing = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :inbox)',
      ExpressionAttributeValues: {
        ':pk': catalogRequestEntity.partition('primary', { id: step.requestId }).value,
        ':inbox': requestInboxEntity.sortPrefix('primary', { index }),
      },
      ProjectionExpression: 'pk, sk',
    });
    const keep = new Set(
      extra.inbox.map(
        (e) => requestInboxEntity.key({ requestId: e.requestId, index, approver: e.approver }).sk,
      ),
    );
    try {
      await this.#table.transact([
        this.#table.put(
          requestStepEntity,
          requestStepEntity.item({ ...step, ...(extra.taskToken ? { taskToken: extra.taskToken } : {}) }),
          expectedVersion === 0
            ? { expression: 'attribute_not_exists(pk)' }
            : { expression: 'version = :expected', values: { ':expected': expectedVersion } },
        ),
        ...existing
          .filter((item) => !keep.has(String(item.sk)))
          .map(
            (item): TransactItem => ({
              Delete: { TableName: this.#table.domainTable, Key: { pk: item.pk, sk: item.sk } },
            }),
          ),
        ...extra.inbox.map((entry) => this.#table.put(requestInboxEntity, requestInboxEntity.item(entry))),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0))
        throw new ConflictError(
          `Approval ${step.index} of ${step.requestId} was changed by someone else`,
          undefined,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  inbox(approver: string, page: PageRequest): Promise<Page<RequestInboxEntry>> {
    return this.#table.page(
      requestInboxEntity.partition('gsi2', { approver }),
      pageOf(page),
      requestInboxEntity.parse,
    );
  }

  consumeLink(linkId: string, expiresAt: string): Promise<boolean> {
    return consumeLink(this.#table, linkId, expiresAt);
  }

  createTask(task: Omit<CatalogTask, 'number'>, audit: readonly AuditDraft[]) {
    return this.#tasks
      .create(task, audit, (t) => CatalogTask.parse(t))
      .catch((error: unknown) => {
        if (error instanceof ConditionFailed)
          throw new ConflictError(`Task ${task.id} exists already`, undefined, { cause: error });
        throw error;
      });
  }
  getTask(id: string) {
    return this.#tasks.get(id);
  }
  findTaskByNumber(number: string) {
    return this.#tasks.findByNumber(number);
  }
  updateTask(task: CatalogTask, expectedVersion: number, audit: readonly AuditDraft[]) {
    return this.#tasks.update(task, expectedVersion, audit);
  }
  async tasksOf(requestId: string): Promise<CatalogTask[]> {
    const partition = catalogTaskEntity.partition('gsi1', { requestId });
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
    });
    return items.map(catalogTaskEntity.parse);
  }
  tasks(list: TaskList, page: PageRequest): Promise<Page<CatalogTask>> {
    const partition =
      list.by === 'queue'
        ? catalogTaskEntity.partition('gsi3', { group: list.group, state: list.state })
        : catalogTaskEntity.partition('gsi2', { assignee: list.assignee });
    return this.#table.page(partition, pageOf(page), catalogTaskEntity.parse);
  }
  taskHistory(id: string, page: PageRequest) {
    return this.#tasks.history(id, page);
  }
  async taskAudit(id: string, entries: readonly AuditDraft[]): Promise<void> {
    if (entries.length > 0) await this.#table.transact(this.#tasks.auditPuts(id, entries));
  }
  async setTaskToken(taskId: string, taskToken: string): Promise<void> {
    await this.#table.db.send(
      new PutCommand({
        TableName: this.#table.domainTable,
        Item: taskWaitEntity.item({ taskId, taskToken }),
      }),
    );
  }
  async taskToken(taskId: string): Promise<string | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: taskWaitEntity.key({ taskId }),
      ConsistentRead: true,
    });
    return item ? taskWaitEntity.parse(item).taskToken : undefined;
  }
}

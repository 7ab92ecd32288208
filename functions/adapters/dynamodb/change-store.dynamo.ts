import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ApprovalStep, type StepId } from '#core/change/approval.ts';
import {
  Change,
  ChangeAuditEntry,
  ChangeTemplate,
  FreezeWindow,
  MAX_CHANGE_WINDOW_DAYS,
} from '#core/change/change.ts';
import { monthsCovering } from '#core/change/schedule.ts';
import { ConflictError } from '#core/shared/errors.ts';
import { FIRST_SEQUENCE, formatTicketNumber } from '#core/ticket/ticket.ts';
import type { ChangeAuditDraft, ChangeList, ChangeStore, InboxEntry } from '#ports/change-store.ts';
import type { Page, PageRequest } from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { AUDIT_PREFIX, withoutKeys } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Changes in the single-table design.
 *
 * | item          | pk                     | sk                       | index keys                                            |
 * | ------------- | ---------------------- | ------------------------ | ----------------------------------------------------- |
 * | change        | `CHANGE#<id>`          | `#CHANGE`                | gsi1 `CHANGES_BY#<email>`, gsi2 `CHANGES#<state>` (sort `<updatedAt>#<id>`), gsi3 `CALENDAR#<yyyy-mm>` (sort `<plannedStart>#<id>`), gsi4 `NUMBER#CHG…` |
 * | approval step | `CHANGE#<id>`          | `APPROVAL#<attempt>#<step>` | —                                                  |
 * | inbox entry   | `CHANGE#<id>`          | `INBOX#<attempt>#<step>#<email>` | gsi2 `APPROVER#<email>` (sort `<requestedAt>#<id>#<step>`) |
 * | audit entry   | `CHANGE#<id>`          | `~AUDIT#<at>#<n>#<rand>` | —                                                     |
 * | freeze window | `FREEZE#<id>`          | `#FREEZE`                | gsi3 `FREEZES` (sort `<start>#<id>`)                  |
 * | template      | `CHANGE_TEMPLATE#<id>` | `#TEMPLATE`              | gsi1 `CHANGE_TEMPLATES` (sort `<id>`)                 |
 * | counter       | `COUNTER#change`       | `#COUNTER`               | —                                                     |
 *
 * A change is filed in the calendar under the month its window starts; windows are at most
 * 31 days, so a range is read from the month 31 days before it. Used mail links live in the
 * idempotency table until they expire.
 */
const changeKey = (id: string) => ({ pk: `CHANGE#${id}`, sk: '#CHANGE' });
const attemptPart = (attempt: number) => String(attempt).padStart(3, '0');
const stepKey = (changeId: string, attempt: number, step: string) => ({
  pk: `CHANGE#${changeId}`,
  sk: `APPROVAL#${attemptPart(attempt)}#${step}`,
});
const inboxKey = (changeId: string, attempt: number, step: string, email: string) => ({
  pk: `CHANGE#${changeId}`,
  sk: `INBOX#${attemptPart(attempt)}#${step}#${email}`,
});
const freezeKey = (id: string) => ({ pk: `FREEZE#${id}`, sk: '#FREEZE' });
const templateKey = (id: string) => ({ pk: `CHANGE_TEMPLATE#${id}`, sk: '#TEMPLATE' });
const counterKey = { pk: 'COUNTER#change', sk: '#COUNTER' };

const partitions = {
  requester: (email: string) => ({ index: 'gsi1', name: 'gsi1pk', value: `CHANGES_BY#${email}` }),
  state: (state: string) => ({ index: 'gsi2', name: 'gsi2pk', value: `CHANGES#${state}` }),
  approver: (email: string) => ({ index: 'gsi2', name: 'gsi2pk', value: `APPROVER#${email}` }),
  number: (number: string) => ({ index: 'gsi4', name: 'gsi4pk', value: `NUMBER#${number}` }),
};

function changeIndexKeys(change: Change): Record<string, string> {
  const sort = `${change.updatedAt}#${change.id}`;
  return {
    gsi1pk: partitions.requester(change.requester.email).value,
    gsi1sk: sort,
    gsi2pk: partitions.state(change.state).value,
    gsi2sk: sort,
    gsi3pk: `CALENDAR#${change.plannedStart.slice(0, 7)}`,
    gsi3sk: `${change.plannedStart}#${change.id}`,
    gsi4pk: partitions.number(change.number).value,
    gsi4sk: '#',
  };
}

const TRANSACTION_ATTEMPTS = 6;
const DAY_MS = 24 * 3600 * 1000;

export class DynamoChangeStore implements ChangeStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #idempotencyTable: string;

  constructor(client: DynamoDBDocumentClient, domainTable: string, idempotencyTable: string) {
    this.#db = client;
    this.#table = domainTable;
    this.#idempotencyTable = idempotencyTable;
  }

  async create(record: Omit<Change, 'number'>, audit: readonly ChangeAuditDraft[]): Promise<Change> {
    const result = await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: counterKey,
        UpdateExpression: 'SET seq = if_not_exists(seq, :before) + :one',
        ExpressionAttributeValues: { ':before': FIRST_SEQUENCE - 1, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const change = Change.parse({
      ...record,
      number: formatTicketNumber('change', Number(result.Attributes?.seq)),
    });
    await this.#transact([
      {
        Put: {
          TableName: this.#table,
          Item: { ...changeKey(change.id), ...changeIndexKeys(change), entity: 'change', ...change },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...this.#auditPuts(change.id, audit),
    ]);
    return change;
  }

  async get(id: string): Promise<Change | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: changeKey(id), ConsistentRead: true }),
    );
    return Item ? Change.parse(withoutKeys(Item)) : undefined;
  }

  async findByNumber(number: string): Promise<Change | undefined> {
    const partition = partitions.number(number);
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: partition.index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partition.name },
        ExpressionAttributeValues: { ':pk': partition.value },
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    return item && item.entity === 'change' ? Change.parse(withoutKeys(item)) : undefined;
  }

  async update(change: Change, expectedVersion: number, audit: readonly ChangeAuditDraft[]): Promise<void> {
    const parsed = Change.parse(change);
    try {
      await this.#transact([
        {
          Put: {
            TableName: this.#table,
            Item: { ...changeKey(parsed.id), ...changeIndexKeys(parsed), entity: 'change', ...parsed },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        ...this.#auditPuts(parsed.id, audit),
      ]);
    } catch (error) {
      const old = conditionFailure(error, 0);
      if (old !== undefined) {
        throw new ConflictError(
          `${change.number} was changed by someone else`,
          old ? Change.parse(withoutKeys(old)) : undefined,
        );
      }
      throw error;
    }
  }

  async audit(changeId: string, entries: readonly ChangeAuditDraft[]): Promise<void> {
    if (entries.length > 0) await this.#transact(this.#auditPuts(changeId, entries));
  }

  async list(list: ChangeList, page: PageRequest): Promise<Page<Change>> {
    const partition =
      list.by === 'requester' ? partitions.requester(list.email) : partitions.state(list.state);
    return this.#page(partition, page, (item) => Change.parse(withoutKeys(item)), { entity: 'change' });
  }

  async inWindow(from: string, to: string): Promise<Change[]> {
    const since = new Date(Date.parse(from) - MAX_CHANGE_WINDOW_DAYS * DAY_MS).toISOString();
    const months = monthsCovering(from, to, MAX_CHANGE_WINDOW_DAYS);
    const pages = await Promise.all(
      months.map((month) =>
        this.#queryAll({
          TableName: this.#table,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `CALENDAR#${month}`, ':from': since, ':to': `${to}~` },
        }),
      ),
    );
    return pages
      .flat()
      .map((item) => Change.parse(withoutKeys(item)))
      .filter(
        (c) => Date.parse(c.plannedEnd) > Date.parse(from) && Date.parse(c.plannedStart) < Date.parse(to),
      );
  }

  async history(id: string, page: PageRequest): Promise<Page<ChangeAuditEntry>> {
    const partition = { name: 'pk', value: changeKey(id).pk, sortKeyPrefix: AUDIT_PREFIX };
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': partition.value, ':audit': AUDIT_PREFIX },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partition),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => ChangeAuditEntry.parse(withoutKeys(item))),
      ...(cursor ? { cursor } : {}),
    };
  }

  async getStep(changeId: string, attempt: number, step: StepId) {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: stepKey(changeId, attempt, step), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { taskToken, ...rest } = withoutKeys(Item);
    return { step: ApprovalStep.parse(rest), ...(typeof taskToken === 'string' ? { taskToken } : {}) };
  }

  async steps(changeId: string, attempt: number): Promise<ApprovalStep[]> {
    const items = await this.#queryAll({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :approval)',
      ExpressionAttributeValues: {
        ':pk': changeKey(changeId).pk,
        ':approval': `APPROVAL#${attemptPart(attempt)}#`,
      },
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { taskToken: _, ...rest } = withoutKeys(item);
      return ApprovalStep.parse(rest);
    });
  }

  async saveStep(
    step: ApprovalStep,
    expectedVersion: number,
    options: { readonly taskToken?: string; readonly inbox: readonly InboxEntry[] },
  ): Promise<void> {
    const parsed = ApprovalStep.parse(step);
    const existing = await this.#queryAll({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :inbox)',
      ExpressionAttributeValues: {
        ':pk': changeKey(step.changeId).pk,
        ':inbox': `INBOX#${attemptPart(step.attempt)}#${step.step}#`,
      },
      ProjectionExpression: 'pk, sk',
    });
    const keep = new Set(
      options.inbox.map((e) => inboxKey(e.changeId, step.attempt, step.step, e.approver).sk),
    );
    try {
      await this.#transact([
        {
          Put: {
            TableName: this.#table,
            Item: {
              ...stepKey(step.changeId, step.attempt, step.step),
              entity: 'approval-step',
              ...parsed,
              ...(options.taskToken ? { taskToken: options.taskToken } : {}),
            },
            ...(expectedVersion === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                }),
          },
        },
        ...existing
          .filter((item) => !keep.has(String(item.sk)))
          .map((item) => ({ Delete: { TableName: this.#table, Key: { pk: item.pk, sk: item.sk } } })),
        ...options.inbox.map((entry) => ({
          Put: {
            TableName: this.#table,
            Item: {
              ...inboxKey(entry.changeId, step.attempt, step.step, entry.approver),
              gsi2pk: partitions.approver(entry.approver).value,
              gsi2sk: `${entry.requestedAt}#${entry.changeId}#${entry.step}`,
              entity: 'approval-inbox',
              ...entry,
            },
          },
        })),
      ]);
    } catch (error) {
      if (conditionFailure(error, 0) !== undefined)
        throw new ConflictError(`The ${step.step} approval of ${step.changeId} was changed by someone else`);
      throw error;
    }
  }

  async inbox(approver: string, page: PageRequest): Promise<Page<InboxEntry>> {
    return this.#page(
      partitions.approver(approver),
      page,
      (item) => withoutKeys(item) as unknown as InboxEntry,
      {
        entity: 'approval-inbox',
      },
    );
  }

  async consumeLink(linkId: string, expiresAt: string): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#idempotencyTable,
          Item: { pk: `LINK#${linkId}`, expiresAt: Math.ceil(Date.parse(expiresAt) / 1000) + 24 * 3600 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putFreeze(freeze: FreezeWindow): Promise<void> {
    const parsed = FreezeWindow.parse(freeze);
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          ...freezeKey(parsed.id),
          gsi3pk: 'FREEZES',
          gsi3sk: `${parsed.start}#${parsed.id}`,
          entity: 'freeze',
          ...parsed,
        },
      }),
    );
  }

  async deleteFreeze(id: string): Promise<void> {
    await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: freezeKey(id) }));
  }

  async freezes(from: string, to: string): Promise<FreezeWindow[]> {
    const items = await this.#queryAll({
      TableName: this.#table,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :to',
      ExpressionAttributeValues: { ':pk': 'FREEZES', ':to': `${to}~` },
    });
    return items
      .map((item) => FreezeWindow.parse(withoutKeys(item)))
      .filter((f) => Date.parse(f.end) > Date.parse(from) && Date.parse(f.start) < Date.parse(to));
  }

  async putTemplate(template: ChangeTemplate): Promise<void> {
    const parsed = ChangeTemplate.parse(template);
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          ...templateKey(parsed.id),
          gsi1pk: 'CHANGE_TEMPLATES',
          gsi1sk: parsed.id,
          entity: 'change-template',
          ...parsed,
        },
      }),
    );
  }

  async getTemplate(id: string): Promise<ChangeTemplate | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: templateKey(id) }));
    return Item ? ChangeTemplate.parse(withoutKeys(Item)) : undefined;
  }

  async templates(): Promise<ChangeTemplate[]> {
    const items = await this.#queryAll({
      TableName: this.#table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'CHANGE_TEMPLATES' },
    });
    return items.map((item) => ChangeTemplate.parse(withoutKeys(item)));
  }

  #auditPuts(changeId: string, entries: readonly ChangeAuditDraft[]) {
    return entries.map((entry, n) => ({
      Put: {
        TableName: this.#table,
        Item: {
          pk: changeKey(changeId).pk,
          sk: `${AUDIT_PREFIX}${entry.at}#${String(n).padStart(4, '0')}#${randomBytes(4).toString('hex')}`,
          entity: 'change-audit',
          ...ChangeAuditEntry.parse({ changeId, ...entry }),
        },
      },
    }));
  }

  /** A transaction, tried again while it loses only to concurrent transactions on the same items. */
  async #transact(items: object[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#db.send(new TransactWriteCommand({ TransactItems: items as never }));
        return;
      } catch (error) {
        const onlyConflicts =
          error instanceof TransactionCanceledException &&
          (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict') &&
          !(error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
        if (!onlyConflicts || attempt >= TRANSACTION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  async #page<T>(
    partition: { index: string; name: string; value: string },
    page: PageRequest,
    parse: (item: Record<string, unknown>) => T,
    filter: { entity: string },
  ): Promise<Page<T>> {
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: partition.index,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: 'entity = :entity',
        ExpressionAttributeNames: { '#pk': partition.name },
        ExpressionAttributeValues: { ':pk': partition.value, ':entity': filter.entity },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partition),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(parse), ...(cursor ? { cursor } : {}) };
  }

  #queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    return queryAll((page) => this.#db.send(new QueryCommand(page)), input);
  }
}

/**
 * When a transaction failed on the condition of its `index`-th item: that item as it was
 * (`null` if it did not exist); `undefined` for any other failure.
 */
function conditionFailure(error: unknown, index: number): Record<string, unknown> | null | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[index];
  if (reason?.Code !== 'ConditionalCheckFailed') return undefined;
  return reason.Item ? unmarshall(reason.Item as never) : null;
}

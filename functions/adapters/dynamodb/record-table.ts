import { randomBytes } from 'node:crypto';
import {
  type CancellationReason,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditDraft } from '#core/record/audit.ts';
import {
  FIRST_SEQUENCE,
  formatRecordNumber,
  type NumberedKind,
  type Page,
  type PageRequest,
  type RecordRef,
  type StoredLink,
} from '#core/record/record.ts';
import { BusyError } from '#core/shared/errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { counterEntity, idempotencyEntity, linkOwnerFacet, recordLinkEntity } from './entities.ts';
import { keyNames, type Partition, type TableId } from './entity.ts';
import { queryAll } from './query-all.ts';

/**
 * The one write path of every record store: numbering, transactions with their retry policy,
 * idempotency and audit entries. A record type's store says what to write; this says how.
 *
 * - **Numbers**: one atomic counter update (`SET seq = if_not_exists(seq) + 1`) before the
 *   create transaction. The counter is never inside a transaction, so creates of one type do
 *   not conflict on it; a create that then fails leaves a gap (docs/adr/0002-record-numbers.md).
 * - **Transactions**: a transaction cancelled only by contention (`TransactionConflict`,
 *   throttling) is tried again with full-jitter backoff, at most `TRANSACTION_ATTEMPTS`
 *   times, then `BusyError` (503 with Retry-After). A failed condition is never retried here:
 *   it is reported to the store (`ConditionFailed`), which knows what it means — a stale
 *   version (409), a used idempotency key (the first result).
 * - **Idempotency**: a key is an item in the idempotency table written in the same
 *   transaction, pointing at the record; a second use finds the record it names.
 */

/** Tries of one transaction that loses only to contention. */
export const TRANSACTION_ATTEMPTS = 6;
/** Backoff cap per try: full jitter in [0, min(cap, base · 2^attempt)). */
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 400;

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
export type TransactItem = TransactItems[number];
/** Anything `entities.ts` declares, as far as writing its items goes. */
interface Writable {
  readonly definition: { readonly table: TableId };
}
interface AuditWritable extends Writable {
  item(record: never, context: { readonly n: string }): Record<string, unknown>;
}

/** A transaction was cancelled because a condition failed: which, and the items as they were. */
export class ConditionFailed extends Error {
  override readonly name = 'ConditionFailed';
  readonly reasons: readonly CancellationReason[];
  constructor(reasons: readonly CancellationReason[], options?: ErrorOptions) {
    super('A condition of the transaction failed', options);
    this.reasons = reasons;
  }
  /** Whether the condition of the `index`-th item failed (negative: from the end). */
  failedAt(index: number): boolean {
    return this.reasons.at(index)?.Code === 'ConditionalCheckFailed';
  }
  /** The `index`-th item as it was when its condition failed (undefined if it did not exist). */
  itemAt(index: number): Record<string, unknown> | undefined {
    const item = this.reasons.at(index)?.Item;
    return item ? unmarshall(item as never) : undefined;
  }
}

const contention = (reasons: readonly CancellationReason[]) =>
  reasons.some((r) =>
    ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded'].includes(r.Code ?? ''),
  ) && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');

const busy = (error: unknown) =>
  error instanceof TransactionConflictException ||
  error instanceof ProvisionedThroughputExceededException ||
  error instanceof ThrottlingException ||
  error instanceof RequestLimitExceeded;

export interface RecordTableOptions {
  readonly client: DynamoDBDocumentClient;
  readonly domainTable: string;
  readonly idempotencyTable: string;
  /** How long an idempotency key is remembered. @default 7 days */
  readonly idempotencyTtlSeconds?: number;
  /** Counts the DynamoDB requests made, for the benchmarks and the cost model. */
  readonly onRequest?: (operation: string) => void;
  /** Told of each transaction retried for contention, for the benchmarks. */
  readonly onRetry?: () => void;
  /** @default full jitter with `setTimeout` */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class RecordTable {
  readonly db: DynamoDBDocumentClient;
  readonly #tables: Record<TableId, string>;
  readonly #idempotencyTtl: number;
  readonly #onRequest: (operation: string) => void;
  readonly #onRetry: () => void;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: RecordTableOptions) {
    this.db = options.client;
    this.#tables = { domain: options.domainTable, idempotency: options.idempotencyTable };
    this.#idempotencyTtl = options.idempotencyTtlSeconds ?? 7 * 24 * 3600;
    this.#onRequest = options.onRequest ?? (() => undefined);
    this.#onRetry = options.onRetry ?? (() => undefined);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get domainTable(): string {
    return this.#tables.domain;
  }

  tableOf(entity: { readonly definition: { readonly table: TableId } }): string {
    return this.#tables[entity.definition.table];
  }

  /** The next number of a record kind, taken with one atomic counter update (gaps possible, no duplicates). */
  async allocateNumber(kind: NumberedKind): Promise<string> {
    this.#onRequest('UpdateItem');
    const result = await this.#retryBusy(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableOf(counterEntity),
          Key: counterEntity.key({ kind }),
          UpdateExpression: 'SET seq = if_not_exists(seq, :before) + :one, entity = :entity, #v = :v',
          ExpressionAttributeNames: { '#v': '_v' },
          ExpressionAttributeValues: {
            ':before': FIRST_SEQUENCE - 1,
            ':one': 1,
            ':entity': counterEntity.name,
            ':v': counterEntity.version,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return formatRecordNumber(kind, Number(result.Attributes?.seq));
  }

  /** A Put of an entity's item, with a condition when given; the old item comes back when it fails. */
  put(
    entity: Writable,
    item: Record<string, unknown>,
    condition?: { readonly expression: string; readonly values?: Record<string, unknown> },
  ): TransactItem {
    return {
      Put: {
        TableName: this.tableOf(entity),
        Item: item,
        ...(condition
          ? {
              ConditionExpression: condition.expression,
              ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            }
          : {}),
      },
    };
  }

  /** History entries under their record, each with a sort key no concurrent write can take. */
  auditPuts(
    entity: AuditWritable,
    build: (draft: AuditDraft) => Record<string, unknown>,
    drafts: readonly AuditDraft[],
  ): TransactItem[] {
    const salt = randomBytes(4).toString('hex');
    return drafts.map((draft, n) => ({
      Put: {
        TableName: this.tableOf(entity),
        Item: (entity.item as (r: unknown, c: { n: string }) => Record<string, unknown>)(build(draft), {
          n: `${String(n).padStart(4, '0')}#${salt}`,
        }),
      },
    }));
  }

  /** The idempotency item of a write: it must not exist yet, so it goes last and its failure is recognizable. */
  idempotencyPut(key: string | undefined, recordId: string): TransactItem[] {
    if (!key) return [];
    return [
      this.put(
        idempotencyEntity,
        idempotencyEntity.item(
          { recordId, expiresAt: Math.floor(Date.now() / 1000) + this.#idempotencyTtl },
          { key },
        ),
        { expression: 'attribute_not_exists(pk)' },
      ),
    ];
  }

  /** The record an idempotency key was first used for. */
  async recordForKey(key: string): Promise<string | undefined> {
    const item = await this.get({
      TableName: this.tableOf(idempotencyEntity),
      Key: idempotencyEntity.key({ key }),
      ConsistentRead: true,
    });
    return item ? idempotencyEntity.parse(item).recordId : undefined;
  }

  /** A link on both records: two puts that must not exist yet (a repeated link fails its condition). */
  linkPuts(link: StoredLink): TransactItem[] {
    return (['source', 'target'] as const).map((side) =>
      this.put(recordLinkEntity, recordLinkEntity.item(link, { side }), {
        expression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Deletes of a link from both records, each conditioned on its existence. */
  unlinkDeletes(link: Pick<StoredLink, 'source' | 'target'>): TransactItem[] {
    const key = (owner: RecordRef, other: RecordRef) =>
      recordLinkEntity.key({
        ...{ [linkOwnerFacet(owner.kind)]: owner.id },
        otherKind: other.kind,
        otherId: other.id,
      } as never);
    return [key(link.source, link.target), key(link.target, link.source)].map((Key) => ({
      Delete: {
        TableName: this.tableOf(recordLinkEntity),
        Key,
        ConditionExpression: 'attribute_exists(pk)',
      },
    }));
  }

  /** The links of a record to records of one kind, from its own item collection: one Query. */
  async links(owner: Pick<RecordRef, 'kind' | 'id'>, otherKind: NumberedKind): Promise<StoredLink[]> {
    const facets = { [linkOwnerFacet(owner.kind)]: owner.id } as never;
    const items = await this.queryAll({
      TableName: this.tableOf(recordLinkEntity),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': recordLinkEntity.partition('primary', facets).value,
        ':prefix': recordLinkEntity.sortPrefix('primary', { otherKind }),
      },
      ConsistentRead: true,
    });
    return items.filter(recordLinkEntity.is).map(recordLinkEntity.parse);
  }

  /**
   * Writes items in one transaction under the retry policy: contention is retried with jitter,
   * then `BusyError`; a failed condition throws `ConditionFailed` at once.
   */
  async transact(items: readonly TransactItem[]): Promise<void> {
    await this.#retryBusy(async () => {
      this.#onRequest('TransactWriteItems');
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: [...items] }));
      } catch (error) {
        if (error instanceof TransactionCanceledException && !contention(error.CancellationReasons ?? []))
          throw new ConditionFailed(error.CancellationReasons ?? [], { cause: error });
        throw error;
      }
    });
  }

  async #retryBusy<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const contended =
          busy(error) ||
          (error instanceof TransactionCanceledException && contention(error.CancellationReasons ?? []));
        if (!contended) throw error;
        if (attempt >= TRANSACTION_ATTEMPTS)
          throw new BusyError('The records are busy; try again in a moment', 1, { cause: error });
        this.#onRetry();
        await this.#sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
      }
    }
  }

  async get(input: GetCommandInput): Promise<Record<string, unknown> | undefined> {
    this.#onRequest('GetItem');
    return (await this.db.send(new GetCommand(input))).Item;
  }

  async query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    this.#onRequest('Query');
    return this.db.send(new QueryCommand(input));
  }

  queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    return queryAll((page) => this.query(page), input);
  }

  /**
   * One page of a partition of the table or an index, newest first unless `forward`; the
   * cursor is bound to the partition (and sort-key prefix) it came from.
   */
  async page<T>(
    partition: Partition,
    request: PageRequest & {
      readonly forward?: boolean;
      readonly sortPrefix?: string;
      readonly filter?: {
        readonly expression: string;
        readonly names: Record<string, string>;
        readonly values: Record<string, unknown>;
      };
    },
    parse: (item: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const sortKey = keyNames(partition.index).sk;
    const result = await this.query({
      TableName: this.#tables.domain,
      ...(partition.index === 'primary' ? {} : { IndexName: partition.index }),
      KeyConditionExpression: `#pk = :pk${request.sortPrefix ? ' AND begins_with(#sk, :prefix)' : ''}`,
      ExpressionAttributeNames: {
        '#pk': partition.name,
        ...(request.sortPrefix ? { '#sk': sortKey } : {}),
        ...request.filter?.names,
      },
      ExpressionAttributeValues: {
        ':pk': partition.value,
        ...(request.sortPrefix ? { ':prefix': request.sortPrefix } : {}),
        ...request.filter?.values,
      },
      ...(request.filter ? { FilterExpression: request.filter.expression } : {}),
      ScanIndexForward: request.forward === true,
      Limit: request.limit,
      ExclusiveStartKey: decodeCursor(request.cursor, {
        name: partition.name,
        value: partition.value,
        ...(request.sortPrefix ? { sortKeyPrefix: request.sortPrefix } : {}),
      }),
    });
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(parse), ...(cursor ? { cursor } : {}) };
  }
}

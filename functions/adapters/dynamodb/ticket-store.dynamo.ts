import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { ConflictError } from '#core/shared/errors.ts';
import { Article, AuditEntry } from '#core/ticket/article.ts';
import { FIRST_SEQUENCE, formatTicketNumber, Ticket, type TicketKind } from '#core/ticket/ticket.ts';
import type {
  NewTicket,
  Page,
  PageRequest,
  TicketChange,
  TicketList,
  TicketListRequest,
  TicketStore,
  TicketWithConversation,
} from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import {
  AUDIT_PREFIX,
  AUTOCLOSE_PARTITION,
  articleKey,
  auditKey,
  childKey,
  counterKey,
  idempotencyKey,
  listPartitions,
  ticketIndexKeys,
  ticketKey,
  withoutKeys,
} from './keys.ts';
import { queryAll } from './query-all.ts';

export interface DynamoTicketStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly domainTable: string;
  readonly idempotencyTable: string;
  /** How long an idempotency key is remembered. @default 7 days */
  readonly idempotencyTtlSeconds?: number;
  /** Counts the DynamoDB requests this store makes, for the benchmarks. */
  readonly onRequest?: (operation: string) => void;
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Tries at the optimistic, in-transaction counter before a create takes a number atomically instead. */
const OPTIMISTIC_ATTEMPTS = 2;
/** After contention, how long this instance takes numbers atomically without trying the optimistic way. */
const CONTENDED_MS = 5_000;
/** Tries of a transaction that lost only to a concurrent transaction on the same items. */
const CONFLICT_ATTEMPTS = 8;
const backoffMs = (attempt: number) => Math.random() * Math.min(50, 2 ** attempt);

type CreateAttempt =
  | { readonly kind: 'created'; readonly ticket: Ticket }
  | { readonly kind: 'duplicate'; readonly ticket: Ticket }
  | { readonly kind: 'counter-moved'; readonly current: number }
  | { readonly kind: 'conflict' };

const ChildLink = z.object({ id: z.string(), number: z.string() });

/**
 * Tickets in the single-table design (see `keys.ts`).
 *
 * A create is one `TransactWriteItems`: the number counter moves from the value this
 * instance last saw to the next one, and the ticket, its first article, audit entries and
 * idempotency record are written with it — one request, no gap, no duplicate. When another
 * writer moved the counter first, the cancellation carries the current value and the create
 * tries once more with it; when writers keep colliding, the instance takes numbers with an
 * atomic counter update instead (two requests, and a number is lost only if its transaction
 * then fails) for a few seconds, so a crowd of Lambda containers never starves anyone.
 * An update is one transaction, conditioned on the version.
 */
export class DynamoTicketStore implements TicketStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #idempotencyTable: string;
  readonly #idempotencyTtl: number;
  readonly #onRequest: (operation: string) => void;
  readonly #lastSequence = new Map<TicketKind, number>();
  readonly #contendedUntil = new Map<TicketKind, number>();

  constructor(options: DynamoTicketStoreOptions) {
    this.#db = options.client;
    this.#table = options.domainTable;
    this.#idempotencyTable = options.idempotencyTable;
    this.#idempotencyTtl = options.idempotencyTtlSeconds ?? 7 * 24 * 3600;
    this.#onRequest = options.onRequest ?? (() => undefined);
  }

  async create(newTicket: NewTicket, kind: TicketKind): Promise<{ ticket: Ticket; created: boolean }> {
    if ((this.#contendedUntil.get(kind) ?? 0) <= Date.now()) {
      let seen = this.#lastSequence.get(kind);
      for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
        const sequence = (seen ?? FIRST_SEQUENCE - 1) + 1;
        const outcome = await this.#tryCreate(newTicket, kind, sequence, { seen });
        if (outcome.kind === 'created') this.#lastSequence.set(kind, sequence);
        if (outcome.kind === 'created' || outcome.kind === 'duplicate') {
          return { ticket: outcome.ticket, created: outcome.kind === 'created' };
        }
        if (outcome.kind === 'counter-moved') seen = outcome.current;
        this.#lastSequence.set(kind, seen ?? FIRST_SEQUENCE - 1);
      }
      this.#contendedUntil.set(kind, Date.now() + CONTENDED_MS);
    }
    const sequence = await this.#allocate(kind);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#tryCreate(newTicket, kind, sequence, undefined);
      if (outcome.kind === 'created' || outcome.kind === 'duplicate') {
        return { ticket: outcome.ticket, created: outcome.kind === 'created' };
      }
      if (attempt >= CONFLICT_ATTEMPTS)
        throw new Error(`Could not store ticket ${formatTicketNumber(kind, sequence)}`);
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }

  /** One create transaction; with `counter`, it also moves the counter from `seen` to `sequence`. */
  async #tryCreate(
    newTicket: NewTicket,
    kind: TicketKind,
    sequence: number,
    counter: { readonly seen: number | undefined } | undefined,
  ): Promise<CreateAttempt> {
    const ticket = Ticket.parse({ ...newTicket.ticket, number: formatTicketNumber(kind, sequence) });
    try {
      await this.#transact([
        ...(counter ? [this.#counterUpdate(kind, counter.seen, sequence)] : []),
        this.#put(
          { ...ticketKey(ticket.id), ...ticketIndexKeys(ticket), entity: 'ticket', ...ticket },
          'attribute_not_exists(pk)',
        ),
        this.#articlePut(newTicket.firstArticle),
        ...this.#auditPuts(ticket.id, newTicket.audit),
        ...this.#childLinks(ticket, undefined),
        ...this.#idempotencyPut(newTicket.idempotencyKey, ticket.id),
      ]);
      return { kind: 'created', ticket };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (newTicket.idempotencyKey && reasons.at(-1)?.Code === 'ConditionalCheckFailed') {
        const first = await this.#ticketForIdempotencyKey(newTicket.idempotencyKey);
        if (first) return { kind: 'duplicate', ticket: first };
      }
      if (counter && reasons[0]?.Code === 'ConditionalCheckFailed') {
        const current = reasons[0].Item?.seq?.N;
        return { kind: 'counter-moved', current: current ? Number(current) : FIRST_SEQUENCE - 1 };
      }
      if (reasons.some((r) => r.Code === 'TransactionConflict')) return { kind: 'conflict' };
      throw error;
    }
  }

  /** Takes the next number with one atomic counter update. */
  async #allocate(kind: TicketKind): Promise<number> {
    this.#onRequest('UpdateItem');
    const result = await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: counterKey(kind),
        UpdateExpression: 'SET seq = if_not_exists(seq, :before) + :one',
        ExpressionAttributeValues: { ':before': FIRST_SEQUENCE - 1, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const sequence = Number(result.Attributes?.seq);
    this.#lastSequence.set(kind, Math.max(sequence, this.#lastSequence.get(kind) ?? 0));
    return sequence;
  }

  async update(change: TicketChange): Promise<{ ticket: Ticket; applied: boolean }> {
    const ticket = Ticket.parse(change.ticket);
    const { previousParentId } = change;
    try {
      await this.#transact([
        this.#put(
          {
            ...ticketKey(ticket.id),
            ...ticketIndexKeys(ticket, change.autoCloseAt),
            entity: 'ticket',
            ...ticket,
          },
          'version = :expected',
          { ':expected': change.expectedVersion },
        ),
        ...(change.articles ?? []).map((article) => this.#articlePut(article)),
        ...this.#auditPuts(ticket.id, change.audit),
        ...(previousParentId === ticket.parentId ? [] : this.#childLinks(ticket, previousParentId)),
        ...this.#idempotencyPut(change.idempotencyKey, ticket.id),
      ]);
      return { ticket, applied: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (change.idempotencyKey && reasons.at(-1)?.Code === 'ConditionalCheckFailed') {
        const stored = await this.get(ticket.id);
        if (stored) return { ticket: stored.ticket, applied: false };
      }
      const head = reasons[0];
      if (head?.Code === 'ConditionalCheckFailed') {
        const current = head.Item ? Ticket.parse(withoutKeys(unmarshall(head.Item))) : undefined;
        throw new ConflictError(`Ticket ${ticket.number} was changed by someone else`, current, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async get(id: string): Promise<TicketWithConversation | undefined> {
    const items = await this.#queryAll({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND sk < :audit',
      ExpressionAttributeValues: { ':pk': ticketKey(id).pk, ':audit': AUDIT_PREFIX.slice(0, 1) },
      ConsistentRead: true,
    });
    const [head, ...rest] = items;
    if (head?.entity !== 'ticket') return undefined;
    return {
      ticket: Ticket.parse(withoutKeys(head)),
      articles: rest
        .filter((item) => item.entity === 'article')
        .map((item) => Article.parse(withoutKeys(item))),
      children: rest
        .filter((item) => item.entity === 'child')
        .map((item) => ChildLink.parse(withoutKeys(item))),
    };
  }

  async list(list: TicketList, page: TicketListRequest): Promise<Page<Ticket>> {
    const partition =
      list.by === 'requester'
        ? listPartitions.requester(list.email)
        : list.by === 'assignee'
          ? listPartitions.assignee(list.email)
          : list.by === 'queue'
            ? listPartitions.queue(list.group, list.state)
            : listPartitions.unassigned(list.group);
    const result = await this.#query({
      TableName: this.#table,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: {
        ':pk': partition.value,
        ...(page.priority === undefined ? {} : { ':priority': page.priority }),
      },
      ...(page.priority === undefined
        ? {}
        : {
            FilterExpression: '#priority = :priority',
            ExpressionAttributeNames: { '#priority': 'priority' },
          }),
      ScanIndexForward: page.oldestFirst === true,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, partition),
    });
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => Ticket.parse(withoutKeys(item))),
      ...(cursor ? { cursor } : {}),
    };
  }

  async findByNumber(number: string): Promise<Ticket | undefined> {
    const partition = listPartitions.number(number);
    const result = await this.#query({
      TableName: this.#table,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
      Limit: 1,
    });
    const item = result.Items?.[0];
    return item ? Ticket.parse(withoutKeys(item)) : undefined;
  }

  async history(id: string, page: PageRequest): Promise<Page<AuditEntry>> {
    const partition = { name: 'pk', value: ticketKey(id).pk, sortKeyPrefix: AUDIT_PREFIX };
    const result = await this.#query({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
      ExpressionAttributeValues: { ':pk': partition.value, ':audit': AUDIT_PREFIX },
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, partition),
    });
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => AuditEntry.parse(withoutKeys(item))),
      ...(cursor ? { cursor } : {}),
    };
  }

  async dueForAutoClose(before: string, limit: number): Promise<readonly Ticket[]> {
    const result = await this.#query({
      TableName: this.#table,
      IndexName: 'gsi5',
      KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk < :before',
      ExpressionAttributeValues: { ':pk': AUTOCLOSE_PARTITION, ':before': before },
      Limit: limit,
    });
    return (result.Items ?? []).map((item) => Ticket.parse(withoutKeys(item)));
  }

  #counterUpdate(kind: TicketKind, seen: number | undefined, sequence: number) {
    return {
      Update: {
        TableName: this.#table,
        Key: counterKey(kind),
        UpdateExpression: 'SET seq = :next',
        ConditionExpression: seen === undefined ? 'attribute_not_exists(pk)' : 'seq = :seen',
        ExpressionAttributeValues: { ':next': sequence, ...(seen === undefined ? {} : { ':seen': seen }) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  #put(
    Item: Record<string, unknown>,
    ConditionExpression: string,
    ExpressionAttributeValues?: Record<string, unknown>,
  ) {
    return {
      Put: {
        TableName: this.#table,
        Item,
        ConditionExpression,
        ...(ExpressionAttributeValues ? { ExpressionAttributeValues } : {}),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  #articlePut(article: Article) {
    return this.#put(
      {
        ...articleKey(article.ticketId, article.createdAt, article.id),
        entity: 'article',
        ...Article.parse(article),
      },
      'attribute_not_exists(pk)',
    );
  }

  #auditPuts(ticketId: string, audit: TicketChange['audit']) {
    const offset = Date.now() % 10_000;
    return audit.map((entry, n) =>
      this.#put(
        {
          ...auditKey(ticketId, entry.at, offset + n),
          entity: 'audit',
          ...AuditEntry.parse({ ticketId, ...entry }),
        },
        'attribute_not_exists(pk)',
      ),
    );
  }

  /** Keeps the parent's list of children in step with the child's `parentId`. */
  #childLinks(ticket: Ticket, previousParentId: string | undefined) {
    return [
      ...(previousParentId
        ? [{ Delete: { TableName: this.#table, Key: childKey(previousParentId, ticket.id) } }]
        : []),
      ...(ticket.parentId
        ? [
            {
              Put: {
                TableName: this.#table,
                Item: {
                  ...childKey(ticket.parentId, ticket.id),
                  entity: 'child',
                  id: ticket.id,
                  number: ticket.number,
                },
              },
            },
          ]
        : []),
    ];
  }

  #idempotencyPut(key: string | undefined, ticketId: string) {
    if (!key) return [];
    return [
      {
        Put: {
          TableName: this.#idempotencyTable,
          Item: {
            ...idempotencyKey(key),
            ticketId,
            expiresAt: Math.floor(Date.now() / 1000) + this.#idempotencyTtl,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
    ];
  }

  async #transact(items: object[]) {
    this.#onRequest('TransactWriteItems');
    await this.#db.send(new TransactWriteCommand({ TransactItems: items as TransactItems }));
  }

  async #query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    this.#onRequest('Query');
    return this.#db.send(new QueryCommand(input));
  }

  #queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    return queryAll((page) => this.#query(page), input);
  }

  async #ticketForIdempotencyKey(key: string): Promise<Ticket | undefined> {
    this.#onRequest('GetItem');
    const record = await this.#db.send(
      new GetCommand({ TableName: this.#idempotencyTable, Key: idempotencyKey(key), ConsistentRead: true }),
    );
    const ticketId = record.Item?.ticketId;
    if (typeof ticketId !== 'string') return undefined;
    return (await this.get(ticketId))?.ticket;
  }
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { Article } from '#core/ticket/article.ts';
import { FIRST_SEQUENCE, formatTicketNumber, Ticket, type TicketKind } from '#core/ticket/ticket.ts';
import type {
  NewTicket,
  Page,
  PageRequest,
  TicketStore,
  TicketWithConversation,
} from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import {
  AUDIT_PREFIX,
  articleKey,
  auditKey,
  counterKey,
  idempotencyKey,
  keyAttributes,
  numberKey,
  requesterIndexKeys,
  requesterPartition,
  ticketKey,
} from './keys.ts';

export interface DynamoTicketStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly domainTable: string;
  readonly idempotencyTable: string;
  /** How long an idempotency key is remembered. @default 7 days */
  readonly idempotencyTtlSeconds?: number;
}

const MAX_CREATE_ATTEMPTS = 12;

/**
 * Tickets in the single-table design. A create is one `TransactWriteItems`: the counter
 * moves from the value this instance last saw to the next one, and the ticket, its number,
 * first article, audit entries and idempotency record are written with it. When another
 * writer moved the counter first, the cancellation reason carries the current value and the
 * transaction is retried with it, so the common case costs exactly one request.
 */
export class DynamoTicketStore implements TicketStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #idempotencyTable: string;
  readonly #idempotencyTtl: number;
  readonly #lastSequence = new Map<TicketKind, number>();
  readonly #queue = new Map<TicketKind, Promise<unknown>>();

  constructor(options: DynamoTicketStoreOptions) {
    this.#db = options.client;
    this.#table = options.domainTable;
    this.#idempotencyTable = options.idempotencyTable;
    this.#idempotencyTtl = options.idempotencyTtlSeconds ?? 7 * 24 * 3600;
  }

  create(newTicket: NewTicket, kind: TicketKind): Promise<{ ticket: Ticket; created: boolean }> {
    const previous = this.#queue.get(kind) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#create(newTicket, kind));
    this.#queue.set(kind, run);
    return run;
  }

  async #create(newTicket: NewTicket, kind: TicketKind): Promise<{ ticket: Ticket; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const seen = this.#lastSequence.get(kind);
      const sequence = (seen ?? FIRST_SEQUENCE - 1) + 1;
      const ticket = Ticket.parse({ ...newTicket.ticket, number: formatTicketNumber(kind, sequence) });
      try {
        await this.#db.send(
          new TransactWriteCommand({ TransactItems: this.#createItems(newTicket, ticket, seen, sequence) }),
        );
        this.#lastSequence.set(kind, sequence);
        return { ticket, created: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || attempt >= MAX_CREATE_ATTEMPTS) throw error;
        const reasons = error.CancellationReasons ?? [];
        const counter = reasons[0];
        const idempotency = newTicket.idempotencyKey ? reasons[reasons.length - 1] : undefined;
        if (idempotency?.Code === 'ConditionalCheckFailed') {
          const first = await this.#ticketForIdempotencyKey(newTicket.idempotencyKey as string);
          if (first) return { ticket: first, created: false };
        }
        if (counter?.Code === 'ConditionalCheckFailed') {
          const current = counter.Item?.seq?.N;
          this.#lastSequence.set(kind, current ? Number(current) : FIRST_SEQUENCE - 1);
        } else if (!reasons.some((r) => r.Code === 'TransactionConflict')) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  #createItems(newTicket: NewTicket, ticket: Ticket, seen: number | undefined, sequence: number) {
    const { firstArticle } = newTicket;
    const counterUpdate = {
      Update: {
        TableName: this.#table,
        Key: counterKey(ticket.kind),
        UpdateExpression: 'SET seq = :next',
        ConditionExpression: seen === undefined ? 'attribute_not_exists(pk)' : 'seq = :seen',
        ExpressionAttributeValues: { ':next': sequence, ...(seen === undefined ? {} : { ':seen': seen }) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
    const put = (Item: Record<string, unknown>) => ({
      Put: { TableName: this.#table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    const items: object[] = [
      counterUpdate,
      put({
        ...ticketKey(ticket.id),
        ...requesterIndexKeys(ticket.requester.email, ticket.updatedAt, ticket.id),
        entity: 'ticket',
        ...ticket,
      }),
      put({ ...numberKey(ticket.number), entity: 'number', ticketId: ticket.id }),
      put({
        ...articleKey(ticket.id, firstArticle.createdAt, firstArticle.id),
        entity: 'article',
        ...firstArticle,
      }),
      ...newTicket.audit.map((entry, n) =>
        put({ ...auditKey(ticket.id, entry.at, n), entity: 'audit', ticketId: ticket.id, ...entry }),
      ),
    ];
    if (newTicket.idempotencyKey) {
      items.push({
        Put: {
          TableName: this.#idempotencyTable,
          Item: {
            ...idempotencyKey(newTicket.idempotencyKey),
            ticketId: ticket.id,
            expiresAt: Math.floor(Date.now() / 1000) + this.#idempotencyTtl,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    return items as NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
  }

  async #ticketForIdempotencyKey(key: string): Promise<Ticket | undefined> {
    const record = await this.#db.send(
      new GetCommand({ TableName: this.#idempotencyTable, Key: idempotencyKey(key), ConsistentRead: true }),
    );
    const ticketId = record.Item?.ticketId;
    if (typeof ticketId !== 'string') return undefined;
    return (await this.get(ticketId))?.ticket;
  }

  async get(id: string): Promise<TicketWithConversation | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk < :audit',
          ExpressionAttributeValues: { ':pk': ticketKey(id).pk, ':audit': AUDIT_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const [head, ...rest] = items;
    if (head?.entity !== 'ticket') return undefined;
    return { ticket: Ticket.parse(record(head)), articles: rest.map((item) => Article.parse(record(item))) };
  }

  async listByRequester(email: string, page: PageRequest): Promise<Page<Ticket>> {
    const partition = { name: 'gsi1pk', value: requesterPartition(email) };
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition.value },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partition),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => Ticket.parse(record(item))),
      ...(cursor ? { cursor } : {}),
    };
  }
}

/** The record without its keys and entity tag; zod then refuses anything else unexpected. */
function record(item: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...item };
  for (const key of keyAttributes) delete copy[key];
  delete copy.entity;
  return copy;
}

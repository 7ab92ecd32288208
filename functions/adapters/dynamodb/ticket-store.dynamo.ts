import { ConflictError } from '#core/shared/errors.ts';
import type { Article, AuditEntry } from '#core/ticket/article.ts';
import { Ticket, type TicketKind } from '#core/ticket/ticket.ts';
import type {
  NewTicket,
  Page,
  PageRequest,
  ReservedNumber,
  TicketChange,
  TicketList,
  TicketListRequest,
  TicketStore,
  TicketWithConversation,
} from '#ports/ticket-store.ts';
import { articleEntity, childEntity, ticketAuditEntity, ticketEntity } from './entities.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';

/**
 * The filters of a list request as one FilterExpression: applied by DynamoDB within the
 * partition's Query (the page may hold fewer than its limit; the cursor goes on).
 */
function listFilter(page: TicketListRequest) {
  const terms: [string, string, unknown][] = [];
  if (page.priority !== undefined) terms.push(['#priority = :priority', 'priority', page.priority]);
  if (page.state) terms.push(['#state = :state', 'state', page.state]);
  if (page.assignee) terms.push(['#assignee.#email = :assignee', 'assignee', page.assignee]);
  if (terms.length === 0) return {};
  return {
    filter: {
      expression: terms.map(([expression]) => expression).join(' AND '),
      names: Object.fromEntries(
        terms.flatMap(([, name]) => [
          [`#${name}`, name],
          ...(name === 'assignee' ? [['#email', 'email']] : []),
        ]),
      ),
      values: Object.fromEntries(terms.map(([expression, , value]) => [expression.split(' = ')[1], value])),
    },
  };
}

/** Where the tickets live; see `RecordTableOptions`. */
export type DynamoTicketStoreOptions = RecordTableOptions;

/**
 * Tickets on the record table (keys in `entities.ts`): a create takes its number from the
 * counter, then writes the ticket, its first article, audit entries and idempotency key in
 * one transaction; an update is one transaction conditioned on the version.
 */
export class DynamoTicketStore implements TicketStore {
  readonly #records: RecordTable;

  constructor(options: DynamoTicketStoreOptions) {
    this.#records = new RecordTable(options);
  }

  async create(newTicket: NewTicket, kind: TicketKind): Promise<{ ticket: Ticket; created: boolean }> {
    const records = this.#records;
    const reserved = newTicket.number?.kind === kind ? newTicket.number.number : undefined;
    const ticket = Ticket.parse({
      ...newTicket.ticket,
      number: await (reserved ?? records.allocateNumber(kind)),
    });
    try {
      await records.transact([
        records.put(ticketEntity, ticketEntity.item(ticket, {}), { expression: 'attribute_not_exists(pk)' }),
        this.#articlePut(newTicket.firstArticle),
        ...this.#auditPuts(ticket.id, newTicket.audit),
        ...this.#childLinks(ticket, undefined),
        ...records.idempotencyPut(newTicket.idempotencyKey, ticket.id),
      ]);
      return { ticket, created: true };
    } catch (error) {
      if (error instanceof ConditionFailed && newTicket.idempotencyKey && error.failedAt(-1)) {
        const first = await this.#ticketForKey(newTicket.idempotencyKey);
        if (first) return { ticket: first, created: false };
      }
      throw error;
    }
  }

  reserveNumber(kind: TicketKind): ReservedNumber {
    const number = this.#records.allocateNumber(kind);
    // Reserved for a create that may not come (a copy, a policy): an unused failure is no crash.
    number.catch(() => undefined);
    return { kind, number };
  }

  async update(change: TicketChange): Promise<{ ticket: Ticket; applied: boolean }> {
    const ticket = Ticket.parse(change.ticket);
    try {
      await this.#records.transact([
        ...this.#changeItems(ticket, change),
        ...this.#records.idempotencyPut(change.idempotencyKey, ticket.id),
      ]);
      return { ticket, applied: true };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      if (change.idempotencyKey && error.failedAt(-1)) {
        const stored = await this.get(ticket.id);
        if (stored) return { ticket: stored.ticket, applied: false };
      }
      throw this.#conflictAt(error, 0, ticket) ?? error;
    }
  }

  async updateTogether(changes: readonly TicketChange[]): Promise<readonly Ticket[]> {
    const tickets = changes.map((change) => Ticket.parse(change.ticket));
    const parts = tickets.map((ticket, i) => this.#changeItems(ticket, changes[i] as TicketChange));
    try {
      await this.#records.transact(parts.flat());
      return tickets;
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      let start = 0;
      for (const [i, part] of parts.entries()) {
        const conflict = this.#conflictAt(error, start, tickets[i] as Ticket);
        if (conflict) throw conflict;
        start += part.length;
      }
      throw error;
    }
  }

  /** The writes of one change: the versioned ticket, its new articles, audit entries and child link. */
  #changeItems(ticket: Ticket, change: TicketChange): TransactItem[] {
    const records = this.#records;
    const { previousParentId } = change;
    return [
      records.put(ticketEntity, ticketEntity.item(ticket, { autoCloseAt: change.autoCloseAt }), {
        expression: 'version = :expected',
        values: { ':expected': change.expectedVersion },
      }),
      ...(change.articles ?? []).map((article) => this.#articlePut(article)),
      ...this.#auditPuts(ticket.id, change.audit),
      ...(previousParentId === ticket.parentId ? [] : this.#childLinks(ticket, previousParentId)),
      ...(change.links ?? []).flatMap((link) => records.linkPuts(link)),
    ];
  }

  /** The 409 for a ticket whose versioned put (at `index`) failed its condition, if it did. */
  #conflictAt(error: ConditionFailed, index: number, ticket: Ticket): ConflictError | undefined {
    if (!error.failedAt(index)) return undefined;
    const old = error.itemAt(index);
    return new ConflictError(
      `Ticket ${ticket.number} was changed by someone else`,
      old ? ticketEntity.parse(old) : undefined,
      { cause: error },
    );
  }

  async get(id: string): Promise<TicketWithConversation | undefined> {
    const partition = ticketEntity.partition('primary', { id });
    const items = await this.#records.queryAll({
      TableName: this.#records.domainTable,
      KeyConditionExpression: 'pk = :pk AND sk < :audit',
      ExpressionAttributeValues: {
        ':pk': partition.value,
        ':audit': ticketAuditEntity.sortPrefix().slice(0, 1),
      },
      ConsistentRead: true,
    });
    const [head, ...rest] = items;
    if (!head || !ticketEntity.is(head)) return undefined;
    return {
      ticket: ticketEntity.parse(head),
      articles: rest.filter(articleEntity.is).map(articleEntity.parse),
      children: rest.filter(childEntity.is).map(childEntity.parse),
    };
  }

  async list(list: TicketList, page: TicketListRequest): Promise<Page<Ticket>> {
    const partition =
      list.by === 'requester'
        ? ticketEntity.partition('gsi1', { requester: list.email })
        : list.by === 'assignee'
          ? ticketEntity.partition('gsi2', { assignee: list.email })
          : list.by === 'queue'
            ? ticketEntity.partition('gsi3', { group: list.group, state: list.state })
            : ticketEntity.partition('gsi2', { unassignedGroup: list.group });
    return this.#records.page(
      partition,
      {
        limit: page.limit,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        forward: page.oldestFirst === true,
        ...listFilter(page),
      },
      ticketEntity.parse,
    );
  }

  async findByNumber(number: string): Promise<Ticket | undefined> {
    const partition = ticketEntity.partition('gsi4', { number });
    const result = await this.#records.query({
      TableName: this.#records.domainTable,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
      Limit: 1,
    });
    const item = result.Items?.[0];
    return item && ticketEntity.is(item) ? ticketEntity.parse(item) : undefined;
  }

  async history(id: string, page: PageRequest): Promise<Page<AuditEntry>> {
    return this.#records.page(
      ticketEntity.partition('primary', { id }),
      {
        limit: page.limit,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        forward: true,
        sortPrefix: ticketAuditEntity.sortPrefix(),
      },
      ticketAuditEntity.parse,
    );
  }

  async dueForAutoClose(before: string, limit: number): Promise<readonly Ticket[]> {
    const result = await this.#records.query({
      TableName: this.#records.domainTable,
      IndexName: 'gsi5',
      KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk < :before',
      ExpressionAttributeValues: {
        ':pk': ticketEntity.partition('gsi5', {}).value,
        ':before': before,
      },
      Limit: limit,
    });
    return (result.Items ?? []).map(ticketEntity.parse);
  }

  #articlePut(article: Article): TransactItem {
    return this.#records.put(articleEntity, articleEntity.item(article), {
      expression: 'attribute_not_exists(pk)',
    });
  }

  #auditPuts(ticketId: string, audit: TicketChange['audit']): TransactItem[] {
    return this.#records.auditPuts(ticketAuditEntity, (draft) => ({ ticketId, ...draft }), audit);
  }

  /** Keeps the parent's list of children in step with the child's `parentId`. */
  #childLinks(ticket: Ticket, previousParentId: string | undefined): TransactItem[] {
    const records = this.#records;
    return [
      ...(previousParentId
        ? [
            {
              Delete: {
                TableName: records.domainTable,
                Key: childEntity.key({ parentId: previousParentId, id: ticket.id }),
              },
            },
          ]
        : []),
      ...(ticket.parentId
        ? [
            records.put(
              childEntity,
              childEntity.item({ id: ticket.id, number: ticket.number }, { parentId: ticket.parentId }),
            ),
          ]
        : []),
    ];
  }

  async #ticketForKey(key: string): Promise<Ticket | undefined> {
    const ticketId = await this.#records.recordForKey(key);
    return ticketId ? (await this.get(ticketId))?.ticket : undefined;
  }
}

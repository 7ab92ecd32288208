import type { AuditDraft } from '#core/record/audit.ts';
import type { NumberedKind, Page, PageRequest } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { ItemKey, Partition, TableId } from './entity.ts';
import { ConditionFailed, type RecordTable, type TransactItem } from './record-table.ts';

/** What a record type's entity offers, as far as storing records goes (see `entities.ts`). */
export interface RecordEntity<R> {
  readonly definition: { readonly table: TableId };
  item(record: R): Record<string, unknown>;
  key(facets: { readonly id: string }): ItemKey;
  partition(index: 'primary' | 'gsi4', facets: Readonly<Record<string, string>>): Partition;
  is(item: Readonly<Record<string, unknown>>): boolean;
  parse(item: Readonly<Record<string, unknown>>): R;
  sortPrefix(): string;
}

export interface AuditEntity<A> extends Omit<RecordEntity<A>, 'item'> {
  item(record: never, context: { readonly n: string }): Record<string, unknown>;
}

/**
 * The storage every numbered record type shares, on the record table: create under the next
 * number with the first history entries (and any items of its own), read by id or number,
 * update at the expected version (409 with the current record otherwise), read the history.
 * A record type's store is this plus its lists and its own items.
 */
export class RecordCollection<R extends { readonly id: string; readonly number: string }, A> {
  readonly #table: RecordTable;
  readonly #kind: NumberedKind;
  readonly #record: RecordEntity<R>;
  readonly #audit: AuditEntity<A>;
  readonly #idField: string;

  constructor(
    table: RecordTable,
    spec: {
      readonly kind: NumberedKind;
      readonly record: RecordEntity<R>;
      readonly audit: AuditEntity<A>;
      /** The field naming the record in its audit entries (`changeId`, `problemId`). */
      readonly idField: string;
    },
  ) {
    this.#table = table;
    this.#kind = spec.kind;
    this.#record = spec.record;
    this.#audit = spec.audit;
    this.#idField = spec.idField;
  }

  async create(
    draft: Omit<R, 'number'>,
    audit: readonly AuditDraft[],
    parse: (record: unknown) => R,
    /** Items of the type's own written in the same transaction (links, a first article). */
    extra: (record: R) => readonly TransactItem[] = () => [],
  ): Promise<R> {
    const record = parse({ ...draft, number: await this.#table.allocateNumber(this.#kind) });
    await this.#table.transact([
      this.#table.put(this.#record, this.#record.item(record), { expression: 'attribute_not_exists(pk)' }),
      ...this.auditPuts(record.id, audit),
      ...extra(record),
    ]);
    return record;
  }

  async get(id: string): Promise<R | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.tableOf(this.#record),
      Key: this.#record.key({ id }),
      ConsistentRead: true,
    });
    return item ? this.#record.parse(item) : undefined;
  }

  async findByNumber(number: string): Promise<R | undefined> {
    const partition = this.#record.partition('gsi4', { number });
    const { Items } = await this.#table.query({
      TableName: this.#table.tableOf(this.#record),
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
      Limit: 1,
    });
    const item = Items?.[0];
    return item && this.#record.is(item) ? this.#record.parse(item) : undefined;
  }

  async update(
    record: R,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    extra: readonly TransactItem[] = [],
  ): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(this.#record, this.#record.item(record), {
          expression: 'version = :expected',
          values: { ':expected': expectedVersion },
        }),
        ...this.auditPuts(record.id, audit),
        ...extra,
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0)) {
        const old = error.itemAt(0);
        throw new ConflictError(
          `${record.number} was changed by someone else`,
          old ? this.#record.parse(old) : undefined,
          { cause: error },
        );
      }
      throw error;
    }
  }

  history(id: string, page: PageRequest): Promise<Page<A>> {
    return this.#table.page(
      this.#record.partition('primary', { id }),
      {
        limit: page.limit,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        forward: true,
        sortPrefix: this.#audit.sortPrefix(),
      },
      (item) => this.#audit.parse(item),
    );
  }

  /** History entries under their record. */
  auditPuts(id: string, entries: readonly AuditDraft[]): TransactItem[] {
    return this.#table.auditPuts(this.#audit, (draft) => ({ [this.#idField]: id, ...draft }), entries);
  }
}

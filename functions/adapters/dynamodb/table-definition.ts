/**
 * The DynamoDB tables Spoke needs, described once. The CDK data construct turns each
 * definition into a `TableV2`, the local cloud and the integration tests into a
 * `CreateTable` call, so the deployed and the local schema cannot drift apart.
 */

/** A key attribute. Every key in Spoke is a string: composite keys are built in key modules. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S';
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  /** Logical id used by CDK and the suffix of the physical name (`<prefix>-<id>`). */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, when the table's records expire. */
  readonly timeToLiveAttribute?: string;
  /** Whether changes are streamed (new and old images) to the domain-event publisher. */
  readonly stream: boolean;
}

const s = (name: string): KeyAttribute => ({ name, type: 'S' });

/**
 * The domain table (single-table design): tickets, articles, audit entries, counters,
 * groups and users. GSIs serve the lists; see `entities.ts` for what each one holds.
 */
export const domainTable: TableDefinition = {
  id: 'domain',
  partitionKey: s('pk'),
  sortKey: s('sk'),
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: s('gsi1pk'), sortKey: s('gsi1sk') },
    { indexName: 'gsi2', partitionKey: s('gsi2pk'), sortKey: s('gsi2sk') },
    { indexName: 'gsi3', partitionKey: s('gsi3pk'), sortKey: s('gsi3sk') },
    { indexName: 'gsi4', partitionKey: s('gsi4pk'), sortKey: s('gsi4sk') },
    { indexName: 'gsi5', partitionKey: s('gsi5pk'), sortKey: s('gsi5sk') },
  ],
  stream: true,
};

/**
 * Short-lived records with their own lifecycle: idempotency keys of API writes and of
 * processed SES messages, rate-limit windows. Kept apart so TTL never touches domain data.
 */
export const idempotencyTable: TableDefinition = {
  id: 'idempotency',
  partitionKey: s('pk'),
  globalIndexes: [],
  timeToLiveAttribute: 'expiresAt',
  stream: false,
};

export const tableDefinitions = [domainTable, idempotencyTable] as const;

/** The physical table name for a deployment prefix, the same in AWS and locally. */
export const tableName = (prefix: string, table: TableDefinition): string => `${prefix}-${table.id}`;

import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { systemClock } from '#adapters/system/system.ts';
import { type Group, GroupMember } from '#core/group/group.ts';
import { normalizeEmail } from '#core/identity/actor.ts';
import { decideRouting, type RoutingConfig } from '#core/routing/routing-rules.ts';
import { ConflictError, NotFoundError } from '#core/shared/errors.ts';
import type { Clock } from '#ports/clock.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { RoutingDecision, RoutingInput, RoutingPolicy } from '#ports/routing-policy.ts';
import type { Page, PageRequest } from '#ports/ticket-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { agentGroupEntity, groupEntity, memberEntity, routingConfigEntity } from './entities.ts';

const groupKey = (id: string) => groupEntity.key({ id });
const memberKey = (groupId: string, email: string) => memberEntity.key({ groupId, email });
const agentGroupKey = (email: string, groupId: string) => agentGroupEntity.key({ email, groupId });
const routingConfigKey = () => routingConfigEntity.key({});

export interface DynamoGroupStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly domainTable: string;
  /**
   * How long `groupsOf` and `route` answer from memory. Lambda containers live for minutes
   * and serve many requests, so a membership or routing change made through another
   * container shows within this time; changes made through this instance show at once.
   * @default 30_000
   */
  readonly cacheTtlMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Most addresses whose groups are kept in memory; the oldest entry goes first. @default 1000 */
  readonly maxCachedPeople?: number;
}

interface Cached<T> {
  readonly at: number;
  readonly value: Promise<T>;
}

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ATTEMPTS = 8;

/**
 * Groups, memberships and the routing configuration in the domain table (keys in
 * `entities.ts`). It is also the `GroupDirectory` agents' visibility is decided by and the
 * `RoutingPolicy` new tickets are routed by; both read through a short in-memory cache,
 * because they run on every request and every new ticket while their data changes rarely.
 */
export class DynamoGroupStore implements GroupStore, GroupDirectory, RoutingPolicy {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #maxPeople: number;
  readonly #groupsOf = new Map<string, Cached<readonly string[]>>();
  #routing: Cached<RoutingConfig | undefined> | undefined;

  constructor(options: DynamoGroupStoreOptions) {
    this.#db = options.client;
    this.#table = options.domainTable;
    this.#clock = options.clock ?? systemClock;
    this.#ttl = options.cacheTtlMs ?? 30_000;
    this.#maxPeople = options.maxCachedPeople ?? 1000;
  }

  async createGroup(group: Group): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#groupItem(group),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw new ConflictError(`Group ${group.id} exists already`, await this.getGroup(group.id), {
        cause: error,
      });
    }
  }

  async updateGroup(group: Group, expectedVersion: number): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#groupItem(group),
          ConditionExpression: 'attribute_exists(pk) AND version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.getGroup(group.id);
      if (!current) throw new NotFoundError(`No group ${group.id}`, { cause: error });
      throw new ConflictError(`Group ${group.id} has changed since version ${expectedVersion}`, current, {
        cause: error,
      });
    }
  }

  #groupItem(group: Group): Record<string, unknown> {
    return groupEntity.item(group);
  }

  async getGroup(id: string): Promise<Group | undefined> {
    const result = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: groupKey(id), ConsistentRead: true }),
    );
    return result.Item ? groupEntity.parse(result.Item) : undefined;
  }

  async listGroups(page: PageRequest): Promise<Page<Group>> {
    const partition = groupEntity.partition('gsi1', {});
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition.value },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partition),
      }),
    );
    return pageOf(result, groupEntity);
  }

  async existingGroups(ids: readonly string[]): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = unique.slice(start, start + BATCH_GET_LIMIT).map(groupKey);
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > MAX_BATCH_ATTEMPTS) throw new Error('DynamoDB left group keys unprocessed; try again');
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10));
        const result = await this.#db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.#table]: {
                Keys: keys,
                ProjectionExpression: '#id',
                ExpressionAttributeNames: { '#id': 'id' },
                ConsistentRead: true,
              },
            },
          }),
        );
        for (const item of result.Responses?.[this.#table] ?? [])
          if (typeof item.id === 'string') found.add(item.id);
        keys = result.UnprocessedKeys?.[this.#table]?.Keys ?? [];
      }
    }
    return found;
  }

  async addMember(member: GroupMember): Promise<{ member: GroupMember; added: boolean }> {
    const stored = GroupMember.parse(member);
    try {
      await this.#db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.#table,
                Key: groupKey(stored.groupId),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: memberEntity.item(stored),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: agentGroupEntity.item(stored),
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [group, memberItem] = error.CancellationReasons ?? [];
      if (group?.Code === 'ConditionalCheckFailed')
        throw new NotFoundError(`No group ${stored.groupId}`, { cause: error });
      if (memberItem?.Code !== 'ConditionalCheckFailed') throw error;
      const existing = await this.#member(stored.groupId, stored.email);
      if (!existing) throw error;
      return { member: existing, added: false };
    } finally {
      this.#groupsOf.delete(stored.email);
    }
    return { member: stored, added: true };
  }

  async #member(groupId: string, email: string): Promise<GroupMember | undefined> {
    const result = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: memberKey(groupId, email), ConsistentRead: true }),
    );
    return result.Item ? memberEntity.parse(result.Item) : undefined;
  }

  async removeMember(groupId: string, email: string): Promise<void> {
    const address = normalizeEmail(email);
    try {
      await this.#db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.#table,
                Key: memberKey(groupId, address),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Delete: { TableName: this.#table, Key: agentGroupKey(address, groupId) } },
          ],
        }),
      );
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      )
        throw new NotFoundError(`${address} is not a member of ${groupId}`, { cause: error });
      throw error;
    } finally {
      this.#groupsOf.delete(address);
    }
  }

  async listMembers(groupId: string, page: PageRequest): Promise<Page<GroupMember>> {
    const partition = {
      ...memberEntity.partition('primary', { groupId }),
      sortKeyPrefix: memberEntity.sortPrefix(),
    };
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
        ExpressionAttributeValues: { ':pk': partition.value, ':member': partition.sortKeyPrefix },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partition),
      }),
    );
    return pageOf(result, memberEntity);
  }

  /**
   * The groups of a person, from memory when asked within the cache time. A membership
   * added or removed through another container shows here after at most `cacheTtlMs`.
   */
  groupsOf(email: string): Promise<readonly string[]> {
    const address = normalizeEmail(email);
    const now = this.#clock.now().getTime();
    const hit = this.#groupsOf.get(address);
    if (hit && now - hit.at < this.#ttl) return hit.value;
    const value = this.#readGroupsOf(address);
    this.#groupsOf.delete(address);
    if (this.#groupsOf.size >= this.#maxPeople) {
      const oldest = this.#groupsOf.keys().next();
      if (!oldest.done) this.#groupsOf.delete(oldest.value);
    }
    this.#groupsOf.set(address, { at: now, value });
    value.catch(() => {
      if (this.#groupsOf.get(address)?.value === value) this.#groupsOf.delete(address);
    });
    return value;
  }

  async #readGroupsOf(email: string): Promise<readonly string[]> {
    const ids: string[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :group)',
          ExpressionAttributeValues: {
            ':pk': agentGroupEntity.partition('primary', { email }).value,
            ':group': agentGroupEntity.sortPrefix(),
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(agentGroupEntity.parse(item).groupId);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  async getRoutingConfig(): Promise<RoutingConfig | undefined> {
    const result = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: routingConfigKey(), ConsistentRead: true }),
    );
    return result.Item ? routingConfigEntity.parse(result.Item) : undefined;
  }

  async saveRoutingConfig(config: RoutingConfig, expectedVersion: number): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: routingConfigEntity.item(config),
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = (await this.getRoutingConfig()) ?? { rules: [], version: 0 };
      throw new ConflictError(`Routing has changed since version ${expectedVersion}`, current, {
        cause: error,
      });
    } finally {
      this.#routing = undefined;
    }
  }

  /**
   * Routes a new ticket by the stored configuration, read at most once per `cacheTtlMs`.
   * Before any configuration is saved, nothing is decided.
   */
  async route(input: RoutingInput): Promise<RoutingDecision> {
    const now = this.#clock.now().getTime();
    let entry = this.#routing;
    if (!entry || now - entry.at >= this.#ttl) {
      const fresh = { at: now, value: this.getRoutingConfig() };
      fresh.value.catch(() => {
        if (this.#routing === fresh) this.#routing = undefined;
      });
      this.#routing = entry = fresh;
    }
    const config = await entry.value;
    return config ? decideRouting(config, input) : {};
  }
}

function pageOf<T>(result: QueryCommandOutput, entity: { parse(item: Record<string, unknown>): T }): Page<T> {
  const cursor = encodeCursor(result.LastEvaluatedKey);
  return { items: (result.Items ?? []).map((item) => entity.parse(item)), ...(cursor ? { cursor } : {}) };
}

import { type AssetAssignment, modelKey } from '#core/cmdb/asset.ts';
import { type CiAuditEntry, type CiRelation, ConfigurationItem } from '#core/cmdb/ci.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest, StoredLink } from '#core/record/record.ts';
import { ConflictError, NotFoundError } from '#core/shared/errors.ts';
import type { AssetMove, CiList, CiWithRelations, CmdbStore } from '#ports/cmdb-store.ts';
import { assetAssignmentEntity } from './asset-entities.ts';
import { ciAuditEntity, ciEntity, ciExternalIdEntity, ciRelationEntity, nameKey } from './cmdb-entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';

/** Sort keys of a CI's own item and its outgoing relations sort below this; its history above. */
const BELOW_HISTORY = '~';

/** The CMDB on the record table (keys in `cmdb-entities.ts`). */
export class DynamoCmdbStore implements CmdbStore {
  readonly #table: RecordTable;
  readonly #cis: RecordCollection<ConfigurationItem, CiAuditEntry>;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
    this.#cis = new RecordCollection(this.#table, {
      kind: 'configuration_item',
      record: ciEntity as unknown as RecordEntity<ConfigurationItem>,
      audit: ciAuditEntity as unknown as AuditEntity<CiAuditEntry>,
      idField: 'ciId',
    });
  }

  async create(
    draft: Omit<ConfigurationItem, 'number'>,
    audit: readonly AuditDraft[],
    assignment?: AssetAssignment,
  ): Promise<ConfigurationItem> {
    const opened = assignment ? [this.#assignmentPut(assignment, 'attribute_not_exists(pk)')] : [];
    if (!draft.externalId)
      return this.#cis.create(
        draft,
        audit,
        (r) => ConfigurationItem.parse(r),
        () => opened,
      );
    const ci = ConfigurationItem.parse({
      ...draft,
      number: await this.#table.allocateNumber('configuration_item'),
    });
    const claim = ciExternalIdEntity.item({ externalId: draft.externalId, ciId: ci.id });
    try {
      await this.#table.transact([
        this.#table.put(ciExternalIdEntity, claim, { expression: 'attribute_not_exists(pk)' }),
        this.#table.put(ciEntity, ciEntity.item(ci), { expression: 'attribute_not_exists(pk)' }),
        ...this.#cis.auditPuts(ci.id, audit),
        ...opened,
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0)) {
        const held = error.itemAt(0);
        throw new ConflictError(
          `External id ${draft.externalId} belongs to another configuration item`,
          held ? { ciId: ciExternalIdEntity.parse(held).ciId } : undefined,
          { cause: error },
        );
      }
      throw error;
    }
    return ci;
  }

  get(id: string): Promise<ConfigurationItem | undefined> {
    return this.#cis.get(id);
  }

  async getWithRelations(id: string): Promise<CiWithRelations | undefined> {
    const [own, incoming] = await Promise.all([
      this.#table.queryAll({
        TableName: this.#table.domainTable,
        KeyConditionExpression: 'pk = :pk AND sk < :history',
        ExpressionAttributeValues: { ':pk': ciEntity.key({ id }).pk, ':history': BELOW_HISTORY },
        ConsistentRead: true,
      }),
      this.incoming(id),
    ]);
    const ciItem = own.find((item) => ciEntity.is(item));
    if (!ciItem) return undefined;
    return {
      ci: ciEntity.parse(ciItem),
      outgoing: own.filter((item) => ciRelationEntity.is(item)).map((item) => ciRelationEntity.parse(item)),
      incoming,
    };
  }

  findByNumber(number: string): Promise<ConfigurationItem | undefined> {
    return this.#cis.findByNumber(number);
  }

  async findByExternalId(externalId: string): Promise<ConfigurationItem | undefined> {
    const claim = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: ciExternalIdEntity.key({ externalId }),
      ConsistentRead: true,
    });
    return claim ? this.get(ciExternalIdEntity.parse(claim).ciId) : undefined;
  }

  update(ci: ConfigurationItem, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void> {
    return this.#cis.update(ci, expectedVersion, audit);
  }

  list(list: CiList, page: PageRequest): Promise<Page<ConfigurationItem>> {
    const request = { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}), forward: true };
    if (list.by === 'class')
      return this.#table.page(
        ciEntity.partition('gsi2', { class: list.class }),
        { ...request, ...(list.status ? { sortPrefix: `${list.status}#` } : {}) },
        ciEntity.parse,
      );
    if (list.by === 'owner')
      return this.#table.page(ciEntity.partition('gsi1', { owner: list.owner }), request, ciEntity.parse);
    return this.#table.page(
      ciEntity.partition('gsi3', { status: list.status }),
      { ...request, ...(list.namePrefix ? { sortPrefix: nameKey(list.namePrefix) } : {}) },
      ciEntity.parse,
    );
  }

  history(id: string, page: PageRequest): Promise<Page<CiAuditEntry>> {
    return this.#cis.history(id, page);
  }

  async outgoing(ciId: string): Promise<readonly CiRelation[]> {
    const partition = ciRelationEntity.partition('primary', { fromId: ciId });
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :out)',
      ExpressionAttributeValues: { ':pk': partition.value, ':out': ciRelationEntity.sortPrefix() },
    });
    return items.map((item) => ciRelationEntity.parse(item));
  }

  async incoming(ciId: string): Promise<readonly CiRelation[]> {
    const partition = ciRelationEntity.partition('gsi1', { toId: ciId });
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      IndexName: partition.index,
      KeyConditionExpression: `${partition.name} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
    });
    return items.map((item) => ciRelationEntity.parse(item));
  }

  async relate(relation: CiRelation, audit: AuditDraft): Promise<void> {
    try {
      await this.#table.transact([
        this.#table.put(ciRelationEntity, ciRelationEntity.item(relation), {
          expression: 'attribute_not_exists(pk)',
        }),
        this.#exists(relation.from.id),
        this.#exists(relation.to.id),
        ...this.#cis.auditPuts(relation.from.id, [audit]),
        ...this.#cis.auditPuts(relation.to.id, [audit]),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.failedAt(0))
        throw new ConflictError(
          `${relation.from.number} already ${relation.type} ${relation.to.number}`,
          error.itemAt(0) ? ciRelationEntity.parse(error.itemAt(0) ?? {}) : undefined,
          { cause: error },
        );
      throw new NotFoundError('A configuration item of the relation does not exist', { cause: error });
    }
  }

  async unrelate(relation: Pick<CiRelation, 'type' | 'from' | 'to'>, audit: AuditDraft): Promise<boolean> {
    try {
      await this.#table.transact([
        {
          Delete: {
            TableName: this.#table.domainTable,
            Key: ciRelationEntity.key({
              fromId: relation.from.id,
              type: relation.type,
              toId: relation.to.id,
            }),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        ...this.#cis.auditPuts(relation.from.id, [audit]),
        ...this.#cis.auditPuts(relation.to.id, [audit]),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0)) return false;
      throw error;
    }
  }

  async moveAsset(
    ci: ConfigurationItem,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    move: AssetMove,
  ): Promise<void> {
    const extra = [
      ...(move.open ? [this.#assignmentPut(move.open, 'attribute_not_exists(pk)')] : []),
      ...(move.close
        ? [this.#assignmentPut(move.close, 'attribute_exists(pk) AND attribute_not_exists(returnedAt)')]
        : []),
    ];
    try {
      await this.#cis.update(ci, expectedVersion, audit, extra);
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError(`${ci.number}'s assignment was changed by someone else`, undefined, {
          cause: error,
        });
      throw error;
    }
  }

  async assignments(ciId: string): Promise<readonly AssetAssignment[]> {
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :assign)',
      ExpressionAttributeValues: {
        ':pk': assetAssignmentEntity.partition('primary', { ciId }).value,
        ':assign': assetAssignmentEntity.sortPrefix(),
      },
      ConsistentRead: true,
    });
    return items.map((item) => assetAssignmentEntity.parse(item));
  }

  inStock(model: string, page: PageRequest): Promise<Page<ConfigurationItem>> {
    return this.#table.page(
      ciEntity.partition('gsi5', { stockModel: modelKey(model) }),
      { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}), forward: true },
      ciEntity.parse,
    );
  }

  async linkRecord(link: StoredLink): Promise<void> {
    try {
      await this.#table.transact(this.#table.linkPuts(link));
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError(
          `${link.source.number} is linked to ${link.target.number} already`,
          undefined,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  #assignmentPut(assignment: AssetAssignment, expression: string): TransactItem {
    return this.#table.put(assetAssignmentEntity, assetAssignmentEntity.item(assignment), { expression });
  }

  #exists(id: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.#table.domainTable,
        Key: ciEntity.key({ id }),
        ConditionExpression: 'attribute_exists(pk)',
      },
    };
  }
}

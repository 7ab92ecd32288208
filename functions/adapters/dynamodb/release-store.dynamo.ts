import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditDraft } from '#core/record/audit.ts';
import type { NumberedKind, Page, PageRequest, RecordRef, StoredLink } from '#core/record/record.ts';
import type { PipelineRun, PipelineToken } from '#core/release/pipeline.ts';
import {
  type GoNoGoStep,
  MAX_RELEASE_WINDOW_DAYS,
  type Release,
  type ReleaseAuditEntry,
  Release as ReleaseSchema,
  type ReleaseStage,
} from '#core/release/release.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { PipelineStore, ReleaseStore, ReleaseWithLinks } from '#ports/release-store.ts';
import { recordLinkEntity } from './entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';
import {
  goNoGoStepEntity,
  pipelineRunEntity,
  pipelineTokenEntity,
  releaseAuditEntity,
  releaseEntity,
} from './release-entities.ts';
import { consumeLink } from './used-links.ts';

const DAY_MS = 24 * 3600 * 1000;

/** `2026-11` for every month from `daysBefore` days before `from` up to `to`. */
function months(from: string, to: string, daysBefore: number): string[] {
  const start = new Date(Date.parse(from) - daysBefore * DAY_MS);
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  const found: string[] = [];
  while (cursor.getTime() <= Date.parse(to) && found.length < 40) {
    found.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return found;
}

/**
 * Releases on the record table: the release, its links (its changes), its go/no-go steps and
 * its history in one item collection (`RELEASE#<id>`); lists by stage and the release calendar
 * (by the month a window starts) are index partitions. The pipeline gate's runs and hashed
 * tokens are items of their own.
 */
export class DynamoReleaseStore implements ReleaseStore, PipelineStore {
  readonly #records: RecordTable;
  readonly #releases: RecordCollection<Release, ReleaseAuditEntry>;

  constructor(options: RecordTableOptions) {
    this.#records = new RecordTable(options);
    this.#releases = new RecordCollection(this.#records, {
      kind: 'release',
      record: releaseEntity as unknown as RecordEntity<Release>,
      audit: releaseAuditEntity as unknown as AuditEntity<ReleaseAuditEntry>,
      idField: 'releaseId',
    });
  }

  create(release: Omit<Release, 'number'>, audit: readonly AuditDraft[]): Promise<Release> {
    return this.#releases.create(release, audit, ReleaseSchema.parse);
  }

  async get(id: string): Promise<ReleaseWithLinks | undefined> {
    const items = await this.#records.queryAll({
      TableName: this.#records.domainTable,
      KeyConditionExpression: 'pk = :pk AND sk < :audit',
      ExpressionAttributeValues: {
        ':pk': releaseEntity.partition('primary', { id }).value,
        ':audit': releaseAuditEntity.sortPrefix().slice(0, 1),
      },
      ConsistentRead: true,
    });
    const head = items.find(releaseEntity.is);
    if (!head) return undefined;
    return {
      release: releaseEntity.parse(head),
      links: items.filter(recordLinkEntity.is).map(recordLinkEntity.parse),
    };
  }

  findByNumber(number: string): Promise<Release | undefined> {
    return this.#releases.findByNumber(number);
  }

  update(release: Release, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void> {
    return this.#releases.update(release, expectedVersion, audit);
  }

  list(stage: ReleaseStage, page: PageRequest): Promise<Page<Release>> {
    return this.#records.page(
      releaseEntity.partition('gsi2', { stage }),
      { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) },
      releaseEntity.parse,
    );
  }

  async inWindow(from: string, to: string): Promise<Release[]> {
    const since = new Date(Date.parse(from) - MAX_RELEASE_WINDOW_DAYS * DAY_MS).toISOString();
    const pages = await Promise.all(
      months(from, to, MAX_RELEASE_WINDOW_DAYS).map((month) => {
        const partition = releaseEntity.partition('gsi3', { month });
        return this.#records.queryAll({
          TableName: this.#records.domainTable,
          IndexName: partition.index,
          KeyConditionExpression: `${partition.name} = :pk AND gsi3sk BETWEEN :from AND :to`,
          ExpressionAttributeValues: { ':pk': partition.value, ':from': since, ':to': `${to}~` },
        });
      }),
    );
    return pages
      .flat()
      .map(releaseEntity.parse)
      .filter(
        (r) => Date.parse(r.plannedEnd) > Date.parse(from) && Date.parse(r.plannedStart) < Date.parse(to),
      );
  }

  history(id: string, page: PageRequest): Promise<Page<ReleaseAuditEntry>> {
    return this.#releases.history(id, page);
  }

  link(link: StoredLink, releaseId: string, audit: readonly AuditDraft[]): Promise<boolean> {
    return this.#linkWrite(this.#records.linkPuts(link), releaseId, audit);
  }

  unlink(link: StoredLink, releaseId: string, audit: readonly AuditDraft[]): Promise<boolean> {
    return this.#linkWrite(this.#records.unlinkDeletes(link), releaseId, audit);
  }

  linksOf(owner: Pick<RecordRef, 'kind' | 'id'>, kind: NumberedKind): Promise<StoredLink[]> {
    return this.#records.links(owner, kind);
  }

  async getStep(releaseId: string, attempt: number) {
    const item = await this.#records.get({
      TableName: this.#records.domainTable,
      Key: goNoGoStepEntity.key({ releaseId, attempt: String(attempt).padStart(3, '0') }),
      ConsistentRead: true,
    });
    if (!item) return undefined;
    const { taskToken, ...step } = goNoGoStepEntity.parse(item);
    return { step: step as GoNoGoStep, ...(taskToken ? { taskToken } : {}) };
  }

  async saveStep(step: GoNoGoStep, expectedVersion: number, taskToken?: string): Promise<void> {
    const records = this.#records;
    try {
      await records.transact([
        records.put(
          goNoGoStepEntity,
          goNoGoStepEntity.item({ ...step, ...(taskToken ? { taskToken } : {}) }),
          expectedVersion === 0
            ? { expression: 'attribute_not_exists(pk)' }
            : { expression: 'version = :expected', values: { ':expected': expectedVersion } },
        ),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError('The go/no-go step was changed meanwhile', undefined, { cause: error });
      throw error;
    }
  }

  consumeLink(linkId: string, expiresAt: string): Promise<boolean> {
    return consumeLink(this.#records, linkId, expiresAt);
  }

  // ——— pipeline gate ———

  async putRun(run: PipelineRun): Promise<boolean> {
    try {
      await this.#records.transact([
        this.#records.put(pipelineRunEntity, pipelineRunEntity.item(run), {
          expression: 'attribute_not_exists(pk)',
        }),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  async getRun(pipeline: string, executionId: string): Promise<PipelineRun | undefined> {
    const item = await this.#records.get({
      TableName: this.#records.domainTable,
      Key: pipelineRunEntity.key({ pipeline, executionId }),
      ConsistentRead: true,
    });
    return item ? pipelineRunEntity.parse(item) : undefined;
  }

  async finishRun(run: PipelineRun): Promise<boolean> {
    try {
      await this.#records.transact([
        this.#records.put(pipelineRunEntity, pipelineRunEntity.item(run), {
          expression: 'attribute_exists(pk) AND attribute_not_exists(outcome)',
        }),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  runs(pipeline: string, page: PageRequest): Promise<Page<PipelineRun>> {
    return this.#records.page(
      pipelineRunEntity.partition('gsi1', { pipeline }),
      { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) },
      pipelineRunEntity.parse,
    );
  }

  async putToken(token: PipelineToken): Promise<void> {
    await this.#records.db.send(
      new PutCommand({ TableName: this.#records.domainTable, Item: pipelineTokenEntity.item(token) }),
    );
  }

  async tokenByHash(hash: string): Promise<PipelineToken | undefined> {
    const item = await this.#records.get({
      TableName: this.#records.domainTable,
      Key: pipelineTokenEntity.key({ hash }),
    });
    return item ? pipelineTokenEntity.parse(item) : undefined;
  }

  async tokens(pipeline: string): Promise<PipelineToken[]> {
    const page = await this.#records.page(
      pipelineTokenEntity.partition('gsi1', { pipeline }),
      { limit: 100 },
      pipelineTokenEntity.parse,
    );
    return [...page.items];
  }

  async deleteToken(hash: string): Promise<void> {
    await this.#records.db.send(
      new DeleteCommand({ TableName: this.#records.domainTable, Key: pipelineTokenEntity.key({ hash }) }),
    );
  }

  async #linkWrite(items: TransactItem[], releaseId: string, audit: readonly AuditDraft[]): Promise<boolean> {
    try {
      await this.#records.transact([...items, ...this.#releases.auditPuts(releaseId, audit)]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed && (error.failedAt(0) || error.failedAt(1))) return false;
      throw error;
    }
  }
}

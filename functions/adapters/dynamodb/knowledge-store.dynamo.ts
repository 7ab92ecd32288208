import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  KnowledgeArticle,
  type KnowledgeAuditEntry,
  type KnowledgeFeedback,
  type KnowledgeRevision,
  type KnowledgeStats,
} from '#core/knowledge/knowledge.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';
import type { KnowledgeCounter, KnowledgeList, KnowledgeStore } from '#ports/knowledge-store.ts';
import {
  knowledgeAuditEntity,
  knowledgeEntity,
  knowledgeFeedbackEntity,
  knowledgeRevisionEntity,
  knowledgeStatsEntity,
  revisionKey,
} from './knowledge-entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';

/** Knowledge articles on the record table (keys in `knowledge-entities.ts`). */
export class DynamoKnowledgeStore implements KnowledgeStore {
  readonly #table: RecordTable;
  readonly #articles: RecordCollection<KnowledgeArticle, KnowledgeAuditEntry>;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
    this.#articles = new RecordCollection(this.#table, {
      kind: 'knowledge',
      record: knowledgeEntity as unknown as RecordEntity<KnowledgeArticle>,
      audit: knowledgeAuditEntity as unknown as AuditEntity<KnowledgeAuditEntry>,
      idField: 'articleId',
    });
  }

  #revisionPut(revision: KnowledgeRevision): TransactItem {
    return this.#table.put(knowledgeRevisionEntity, knowledgeRevisionEntity.item(revision), {
      expression: 'attribute_not_exists(pk)',
    });
  }

  create(
    article: Omit<KnowledgeArticle, 'number'>,
    revision: KnowledgeRevision,
    audit: readonly AuditDraft[],
  ): Promise<KnowledgeArticle> {
    return this.#articles.create(
      article,
      audit,
      (r) => KnowledgeArticle.parse(r),
      () => [this.#revisionPut(revision)],
    );
  }

  get(id: string): Promise<KnowledgeArticle | undefined> {
    return this.#articles.get(id);
  }

  findByNumber(number: string): Promise<KnowledgeArticle | undefined> {
    return this.#articles.findByNumber(number);
  }

  update(
    article: KnowledgeArticle,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    revision?: KnowledgeRevision,
  ): Promise<void> {
    return this.#articles.update(
      article,
      expectedVersion,
      audit,
      revision ? [this.#revisionPut(revision)] : [],
    );
  }

  list(list: KnowledgeList, page: PageRequest): Promise<Page<KnowledgeArticle>> {
    const partition =
      list.by === 'state'
        ? knowledgeEntity.partition('gsi2', { state: list.state })
        : list.by === 'published'
          ? knowledgeEntity.partition('gsi1', { readers: list.audience })
          : list.by === 'category'
            ? knowledgeEntity.partition('gsi3', { readers: list.audience, category: list.category })
            : knowledgeEntity.partition('gsi5', {});
    return this.#table.page(
      partition,
      { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}), forward: list.by === 'review' },
      knowledgeEntity.parse,
    );
  }

  history(id: string, page: PageRequest): Promise<Page<KnowledgeAuditEntry>> {
    return this.#articles.history(id, page);
  }

  revisions(id: string, page: PageRequest): Promise<Page<KnowledgeRevision>> {
    return this.#table.page(
      knowledgeEntity.partition('primary', { id }),
      { ...page, sortPrefix: knowledgeRevisionEntity.sortPrefix() },
      knowledgeRevisionEntity.parse,
    );
  }

  async revision(id: string, revision: number): Promise<KnowledgeRevision | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: knowledgeRevisionEntity.key({ articleId: id, revision: revisionKey(revision) }),
    });
    return item ? knowledgeRevisionEntity.parse(item) : undefined;
  }

  async stats(id: string): Promise<KnowledgeStats> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: knowledgeStatsEntity.key({ articleId: id }),
    });
    return item ? knowledgeStatsEntity.parse(item) : knowledgeStatsEntity.parse({ articleId: id });
  }

  /** One atomic ADD on the counters item: readers never conflict with each other or with an editor. */
  async count(id: string, counter: KnowledgeCounter): Promise<void> {
    await this.#table.db.send(new UpdateCommand(this.#raise(id, counter)));
  }

  #raise(id: string, counter: KnowledgeCounter | 'helpful' | 'notHelpful') {
    return {
      TableName: this.#table.domainTable,
      Key: knowledgeStatsEntity.key({ articleId: id }),
      UpdateExpression: 'ADD #counter :one SET articleId = :id, entity = :entity, #v = :v',
      ExpressionAttributeNames: { '#counter': counter, '#v': '_v' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':id': id,
        ':entity': knowledgeStatsEntity.name,
        ':v': knowledgeStatsEntity.version,
      },
    };
  }

  async addFeedback(feedback: KnowledgeFeedback): Promise<void> {
    await this.#table.transact([
      this.#table.put(knowledgeFeedbackEntity, knowledgeFeedbackEntity.item(feedback)),
      { Update: this.#raise(feedback.articleId, feedback.helpful ? 'helpful' : 'notHelpful') },
    ]);
  }

  feedback(id: string, page: PageRequest): Promise<Page<KnowledgeFeedback>> {
    return this.#table.page(
      knowledgeEntity.partition('primary', { id }),
      { ...page, sortPrefix: knowledgeFeedbackEntity.sortPrefix() },
      knowledgeFeedbackEntity.parse,
    );
  }
}

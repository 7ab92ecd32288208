import type {
  HitDimension,
  Problem,
  ProblemArticle,
  ProblemAuditEntry,
  ProblemSuggestion,
} from '#core/problem/problem.ts';
import { Problem as ProblemSchema } from '#core/problem/problem.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { NumberedKind, Page, PageRequest, RecordRef, StoredLink } from '#core/record/record.ts';
import type { ProblemList, ProblemStore, ProblemWithConversation } from '#ports/problem-store.ts';
import { recordLinkEntity } from './entities.ts';
import {
  incidentHitsEntity,
  problemArticleEntity,
  problemAuditEntity,
  problemEntity,
  problemSuggestionEntity,
} from './problem-entities.ts';
import { type AuditEntity, RecordCollection, type RecordEntity } from './record-collection.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions, type TransactItem } from './record-table.ts';

/**
 * Problems on the record table (keys in `entities.ts`): the problem, its conversation, its
 * links and its audit trail in one item collection (`PROBLEM#<id>`), so the problem page is one
 * Query; lists by state and by group, the known errors and the suggestions are index
 * partitions. The incident counters are one item per service or category per day.
 */
export class DynamoProblemStore implements ProblemStore {
  readonly #records: RecordTable;
  readonly #problems: RecordCollection<Problem, ProblemAuditEntry>;

  constructor(options: RecordTableOptions) {
    this.#records = new RecordTable(options);
    this.#problems = new RecordCollection(this.#records, {
      kind: 'problem',
      record: problemEntity as unknown as RecordEntity<Problem>,
      audit: problemAuditEntity as unknown as AuditEntity<ProblemAuditEntry>,
      idField: 'problemId',
    });
  }

  create(
    record: Omit<Problem, 'number'>,
    audit: readonly AuditDraft[],
    links: (problem: Problem) => readonly StoredLink[] = () => [],
  ): Promise<Problem> {
    return this.#problems.create(record, audit, ProblemSchema.parse, (problem) =>
      links(problem).flatMap((link) => this.#records.linkPuts(link)),
    );
  }

  async get(id: string): Promise<ProblemWithConversation | undefined> {
    const items = await this.#records.queryAll({
      TableName: this.#records.domainTable,
      KeyConditionExpression: 'pk = :pk AND sk < :audit',
      ExpressionAttributeValues: {
        ':pk': problemEntity.partition('primary', { id }).value,
        ':audit': problemAuditEntity.sortPrefix().slice(0, 1),
      },
      ConsistentRead: true,
    });
    const head = items.find(problemEntity.is);
    if (!head) return undefined;
    return {
      problem: problemEntity.parse(head),
      articles: items.filter(problemArticleEntity.is).map(problemArticleEntity.parse),
      links: items.filter(recordLinkEntity.is).map(recordLinkEntity.parse),
    };
  }

  findByNumber(number: string): Promise<Problem | undefined> {
    return this.#problems.findByNumber(number);
  }

  update(
    problem: Problem,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    articles: readonly ProblemArticle[] = [],
  ): Promise<void> {
    const records = this.#records;
    return this.#problems.update(
      problem,
      expectedVersion,
      audit,
      articles.map((a) => records.put(problemArticleEntity, problemArticleEntity.item(a))),
    );
  }

  list(list: ProblemList, page: PageRequest): Promise<Page<Problem>> {
    const partition =
      list.by === 'state'
        ? problemEntity.partition('gsi2', { state: list.state })
        : problemEntity.partition('gsi3', { group: list.group });
    return this.#records.page(partition, pageOf(page), problemEntity.parse);
  }

  history(id: string, page: PageRequest): Promise<Page<ProblemAuditEntry>> {
    return this.#problems.history(id, page);
  }

  async knownErrors(limit: number): Promise<Problem[]> {
    const page = await this.#records.page(
      problemEntity.partition('gsi1', {}),
      { limit },
      problemEntity.parse,
    );
    return [...page.items];
  }

  async link(link: StoredLink, problemId: string, audit: readonly AuditDraft[]): Promise<boolean> {
    return this.#linkWrite(this.#records.linkPuts(link), problemId, audit);
  }

  async unlink(link: StoredLink, problemId: string, audit: readonly AuditDraft[]): Promise<boolean> {
    return this.#linkWrite(this.#records.unlinkDeletes(link), problemId, audit);
  }

  linksOf(owner: Pick<RecordRef, 'kind' | 'id'>, kind: NumberedKind): Promise<StoredLink[]> {
    return this.#records.links(owner, kind);
  }

  async countIncident(
    eventId: string,
    day: string,
    hits: readonly { readonly dimension: HitDimension; readonly value: string }[],
  ): Promise<boolean> {
    if (hits.length === 0) return false;
    const records = this.#records;
    const table = records.tableOf(incidentHitsEntity);
    try {
      await records.transact([
        ...hits.map(
          ({ dimension, value }): TransactItem => ({
            Update: {
              TableName: table,
              Key: incidentHitsEntity.key({ dimension, value: value.toLowerCase(), day }),
              UpdateExpression: 'SET entity = :entity, #v = :v ADD hits :one',
              ExpressionAttributeNames: { '#v': '_v' },
              ExpressionAttributeValues: {
                ':entity': incidentHitsEntity.name,
                ':v': incidentHitsEntity.version,
                ':one': 1,
              },
            },
          }),
        ),
        ...records.idempotencyPut(`incident-hits:${eventId}`, eventId),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(-1)) return false;
      throw error;
    }
  }

  async hits(dimension: HitDimension, value: string, days: readonly string[]): Promise<number> {
    const items = await this.#records.queryAll({
      TableName: this.#records.domainTable,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': incidentHitsEntity.partition('primary', { dimension, value: value.toLowerCase() }).value,
        ':from': days[0],
        ':to': days.at(-1),
      },
      ConsistentRead: true,
    });
    return items.map(incidentHitsEntity.parse).reduce((sum, item) => sum + item.hits, 0);
  }

  async suggest(suggestion: ProblemSuggestion, since: string): Promise<boolean> {
    const records = this.#records;
    try {
      await records.transact([
        records.put(problemSuggestionEntity, problemSuggestionEntity.item(suggestion), {
          expression: 'attribute_not_exists(pk) OR suggestedAt < :since',
          values: { ':since': since },
        }),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  suggestions(page: PageRequest): Promise<Page<ProblemSuggestion>> {
    return this.#records.page(
      problemSuggestionEntity.partition('gsi1', {}),
      pageOf(page),
      problemSuggestionEntity.parse,
    );
  }

  async #linkWrite(items: TransactItem[], problemId: string, audit: readonly AuditDraft[]): Promise<boolean> {
    try {
      await this.#records.transact([...items, ...this.#auditPuts(problemId, audit)]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed && (error.failedAt(0) || error.failedAt(1))) return false;
      throw error;
    }
  }

  #auditPuts(problemId: string, audit: readonly AuditDraft[]): TransactItem[] {
    return this.#problems.auditPuts(problemId, audit);
  }
}

const pageOf = (page: PageRequest) => ({
  limit: page.limit,
  ...(page.cursor ? { cursor: page.cursor } : {}),
});

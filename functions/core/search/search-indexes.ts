import type { Clock } from '#ports/clock.ts';
import type { ArticleDigestStore, SearchIndexStore } from '#ports/search-index-store.ts';
import { type ArticleDigest, distinctWords } from './article-digest.ts';
import { SearchIndexKeeper } from './index-keeper.ts';
import type { IndexChange, SearchKind, StoredDocument } from './search-document.ts';
import type { ShardedSearchIndex } from './search-index.ts';

/**
 * Knowledge articles are few (thousands, not hundreds of thousands): two shards hold them, and a
 * reader that needs only articles (the ticket form's suggestions, the acknowledgement mail)
 * loads those two and none of the tickets'.
 */
export const KNOWLEDGE_SHARDS = 2;

/** Which index a change belongs to: its document's kind, or the `kind:` of a removed key. */
export const kindOfChange = (change: IndexChange): SearchKind =>
  change.op === 'put' ? change.document.kind : change.key.startsWith('knowledge:') ? 'knowledge' : 'ticket';

/**
 * The search index as two indexes kept apart — tickets and knowledge articles, each its own
 * shards and manifest — so a search of one kind loads and refreshes only that kind's shards
 * (docs/adr/0003-search-without-a-cluster.md, "the cold load"). Each is read lazily: a function
 * instance that only ever suggests articles never reads a ticket shard.
 */
export class SearchIndexes {
  readonly #keepers: Readonly<Record<SearchKind, SearchIndexKeeper>>;

  readonly #digest: ArticleDigestStore | undefined;

  constructor(
    stores: Readonly<Record<SearchKind, SearchIndexStore>> & { readonly digest?: ArticleDigestStore },
    options: { readonly ticketShards: number; readonly refreshMs: number; readonly clock: Clock },
  ) {
    this.#digest = stores.digest;
    const common = { refreshMs: options.refreshMs, clock: options.clock };
    this.#keepers = {
      ticket: new SearchIndexKeeper(stores.ticket, { ...common, shards: options.ticketShards }),
      knowledge: new SearchIndexKeeper(stores.knowledge, { ...common, shards: KNOWLEDGE_SHARDS }),
    };
  }

  /** The index of one kind, refreshed as its keeper decides. */
  current(kind: SearchKind): Promise<ShardedSearchIndex> {
    return this.#keepers[kind].current();
  }

  /**
   * Applies a batch: each kind's changes to its own index (the two are stored independently);
   * a batch that changed articles writes the intake's article digest again.
   */
  async apply(changes: readonly IndexChange[]): Promise<void> {
    const of = (kind: SearchKind) => changes.filter((change) => kindOfChange(change) === kind);
    const articles = of('knowledge');
    await Promise.all([this.#keepers.ticket.apply(of('ticket')), this.#keepers.knowledge.apply(articles)]);
    if (articles.length > 0 && this.#digest)
      await this.#digest.save(digestOf(await this.current('knowledge')));
  }
}

/** The published articles for employees, with the words of their titles and excerpts. */
export function digestOf(index: ShardedSearchIndex): ArticleDigest {
  const found = index.matches({
    words: [],
    filter: (d) => d.kind === 'knowledge' && d.state === 'published' && d.audience === 'employees',
    offset: 0,
    limit: Number.POSITIVE_INFINITY,
  });
  return {
    articles: found.map((result) => {
      const d = result as unknown as StoredDocument;
      return {
        id: d.id,
        number: d.number,
        title: d.title,
        titleWords: distinctWords(d.title).slice(0, 100),
        words: distinctWords(d.excerpt).slice(0, 300),
      };
    }),
  };
}

import type { ArticleSuggester } from '#channels/email/acknowledgement.ts';
import type { SearchIndexes } from '#core/search/search-indexes.ts';
import { suggestArticles } from '#core/search/search-service.ts';

/** How stale the intake's copy of the article index may be: articles change slowly. */
const SUGGESTION_REFRESH_MS = 60_000;

/**
 * The mail intake's article suggestions: the knowledge part of the search index only (two small
 * shards, read from S3 on the first acknowledgement of an instance and looked at again at most
 * once a minute); the tickets' shards are never read here.
 */
export function articleSuggester(
  indexes: (options: { readonly ticketShards: number; readonly refreshMs: number }) => SearchIndexes,
): ArticleSuggester {
  let kept: SearchIndexes | undefined;
  return async (subject) => {
    kept ??= indexes({ ticketShards: 1, refreshMs: SUGGESTION_REFRESH_MS });
    return suggestArticles(await kept.current('knowledge'), subject);
  };
}

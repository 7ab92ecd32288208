import type { ArticleSuggester } from '#channels/email/acknowledgement.ts';
import type { ArticleDigest } from '#core/search/article-digest.ts';
import { suggestFromDigest } from '#core/search/article-digest.ts';
import type { ArticleDigestStore } from '#ports/search-index-store.ts';

/** How stale the intake's copy of the article digest may be (one small GET when it is older). */
export const DIGEST_REFRESH_MS = 10_000;

/**
 * The mail intake's article suggestions: the digest of the published employee articles that the
 * indexer keeps beside the knowledge shards (one small object, read on the first acknowledgement
 * of an instance and again when it is older than ten seconds). No search library and no ticket shard here.
 */
export function articleSuggester(store: ArticleDigestStore, clock: { now(): Date }): ArticleSuggester {
  let kept: { digest: ArticleDigest; at: number } | undefined;
  return async (subject) => {
    const now = clock.now().getTime();
    if (!kept || now - kept.at >= DIGEST_REFRESH_MS) {
      const digest = await store.load();
      // None yet (no article published since the index was built): look again next time.
      if (!digest) return [];
      kept = { digest, at: now };
    }
    return suggestFromDigest(kept.digest, subject);
  };
}

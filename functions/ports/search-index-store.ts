import type { ArticleDigest } from '#core/search/article-digest.ts';

/** One stored shard of the search index, with the tag its next conditional write names. */
export interface StoredShard {
  readonly json: string;
  readonly etag: string;
}

/** Which version of each shard is current: written after the shards, read first by every reader. */
export interface SearchManifest {
  readonly shards: number;
  /** The etag of each shard's current object, by shard number ('' for a shard never written). */
  readonly etags: readonly string[];
}

/**
 * Where the search index is kept between function instances (S3 in AWS and locally). Writes
 * are conditional on the etag the writer read: a writer that lost to another gets
 * `ConflictError` and starts again from what is stored.
 */
export interface SearchIndexStore {
  manifest(): Promise<{ readonly manifest: SearchManifest; readonly etag: string } | undefined>;
  load(shard: number): Promise<StoredShard | undefined>;
  /** Stores a shard; `expected` is the etag it must still have ('' for none yet). Answers the new etag. */
  save(shard: number, json: string, expected: string): Promise<string>;
  saveManifest(manifest: SearchManifest, expected: string): Promise<void>;
}

/** The digest of the published employee articles (the mail intake's suggestions), kept beside the knowledge shards. */
export interface ArticleDigestStore {
  load(): Promise<ArticleDigest | undefined>;
  save(digest: ArticleDigest): Promise<void>;
}

import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SearchKind } from '#core/search/search-document.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { SearchIndexStore, SearchManifest, StoredShard } from '#ports/search-index-store.ts';
import { s3Sdk } from './s3-sdk.ts';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/**
 * Where the index lives in its bucket: one prefix, granted to the search functions (and its
 * knowledge part, read-only, to the mail intake). v2 keeps tickets and knowledge articles apart
 * (`tickets/`, `knowledge/`); v1 (one index of both) is left behind on upgrade and rebuilt by
 * `npm run search:reindex` (docs/upgrade.md).
 */
export const SEARCH_INDEX_PREFIX = 'search-index/v2/';

/** The prefix of one kind's index. */
export const searchIndexPrefix = (kind: SearchKind): string =>
  `${SEARCH_INDEX_PREFIX}${kind === 'ticket' ? 'tickets' : 'knowledge'}/`;

/** The HTTP status of an S3 service error (the SDK is imported at first use, so no instanceof here). */
const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
const missing = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'NoSuchKey' || statusOf(error) === 404;
const lostRace = (error: unknown) => statusOf(error) === 412 || statusOf(error) === 409;

/**
 * The search index's shards as gzipped JSON objects in S3, and a manifest naming the current
 * etag of each. Writes use S3's conditional writes (`If-Match` / `If-None-Match: *`): a
 * writer that read an older shard gets 412, reported as `ConflictError`.
 */
export class S3SearchIndexStore implements SearchIndexStore {
  readonly #s3: Pick<S3Client, 'send'>;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(s3: Pick<S3Client, 'send'>, bucket: string, kind: SearchKind) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#prefix = searchIndexPrefix(kind);
  }

  async #get(key: string): Promise<{ body: Uint8Array; etag: string } | undefined> {
    const { GetObjectCommand } = await s3Sdk();
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!object.Body) return undefined;
      return { body: await object.Body.transformToByteArray(), etag: object.ETag ?? '' };
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async #put(key: string, body: Uint8Array | string, expected: string, type: string): Promise<string> {
    const { PutObjectCommand } = await s3Sdk();
    try {
      const result = await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: type,
          ...(expected ? { IfMatch: expected } : { IfNoneMatch: '*' }),
        }),
      );
      return result.ETag ?? '';
    } catch (error) {
      if (lostRace(error))
        throw new ConflictError(`${key} was changed by another writer`, undefined, { cause: error });
      throw error;
    }
  }

  async manifest(): Promise<{ manifest: SearchManifest; etag: string } | undefined> {
    const found = await this.#get(`${this.#prefix}manifest.json`);
    if (!found) return undefined;
    return {
      manifest: JSON.parse(Buffer.from(found.body).toString('utf8')) as SearchManifest,
      etag: found.etag,
    };
  }

  async load(shard: number): Promise<StoredShard | undefined> {
    const found = await this.#get(`${this.#prefix}shard-${shard}.json.gz`);
    if (!found) return undefined;
    return { json: (await unzip(found.body)).toString('utf8'), etag: found.etag };
  }

  async save(shard: number, json: string, expected: string): Promise<string> {
    return this.#put(
      `${this.#prefix}shard-${shard}.json.gz`,
      await zip(json, { level: 6 }),
      expected,
      'application/gzip',
    );
  }

  async saveManifest(manifest: SearchManifest, expected: string): Promise<void> {
    await this.#put(`${this.#prefix}manifest.json`, JSON.stringify(manifest), expected, 'application/json');
  }
}

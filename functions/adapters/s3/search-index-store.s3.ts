import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ConflictError } from '#core/shared/errors.ts';
import type { SearchIndexStore, SearchManifest, StoredShard } from '#ports/search-index-store.ts';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** Where the index lives in its bucket: one prefix, granted to the search functions alone. */
export const SEARCH_INDEX_PREFIX = 'search-index/v1/';

const missing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);
const lostRace = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.$metadata.httpStatusCode === 412 || error.$metadata.httpStatusCode === 409);

/**
 * The search index's shards as gzipped JSON objects in S3, and a manifest naming the current
 * etag of each. Writes use S3's conditional writes (`If-Match` / `If-None-Match: *`): a
 * writer that read an older shard gets 412, reported as `ConflictError`.
 */
export class S3SearchIndexStore implements SearchIndexStore {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async #get(key: string): Promise<{ body: Uint8Array; etag: string } | undefined> {
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
    const found = await this.#get(`${SEARCH_INDEX_PREFIX}manifest.json`);
    if (!found) return undefined;
    return {
      manifest: JSON.parse(Buffer.from(found.body).toString('utf8')) as SearchManifest,
      etag: found.etag,
    };
  }

  async load(shard: number): Promise<StoredShard | undefined> {
    const found = await this.#get(`${SEARCH_INDEX_PREFIX}shard-${shard}.json.gz`);
    if (!found) return undefined;
    return { json: (await unzip(found.body)).toString('utf8'), etag: found.etag };
  }

  async save(shard: number, json: string, expected: string): Promise<string> {
    return this.#put(
      `${SEARCH_INDEX_PREFIX}shard-${shard}.json.gz`,
      await zip(json, { level: 6 }),
      expected,
      'application/gzip',
    );
  }

  async saveManifest(manifest: SearchManifest, expected: string): Promise<void> {
    await this.#put(
      `${SEARCH_INDEX_PREFIX}manifest.json`,
      JSON.stringify(manifest),
      expected,
      'application/json',
    );
  }
}

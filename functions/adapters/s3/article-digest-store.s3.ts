import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { ArticleDigest } from '#core/search/article-digest.ts';
import type { ArticleDigestStore } from '#ports/search-index-store.ts';
import { s3Sdk } from './s3-sdk.ts';
import { searchIndexPrefix } from './search-index-store.s3.ts';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** The key of the article digest: in the knowledge index's prefix, which the intake may read. */
export const ARTICLE_DIGEST_KEY = `${searchIndexPrefix('knowledge')}digest.json.gz`;

/** The article digest as one gzipped JSON object in the search bucket (the last writer wins). */
export class S3ArticleDigestStore implements ArticleDigestStore {
  readonly #s3: Pick<S3Client, 'send'>;
  readonly #bucket: string;

  constructor(s3: Pick<S3Client, 'send'>, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async load(): Promise<ArticleDigest | undefined> {
    const { GetObjectCommand } = await s3Sdk();
    try {
      const object = await this.#s3.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: ARTICLE_DIGEST_KEY }),
      );
      if (!object.Body) return undefined;
      const json = (await unzip(await object.Body.transformToByteArray())).toString('utf8');
      return ArticleDigest.parse(JSON.parse(json));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if ((error as { name?: string }).name === 'NoSuchKey' || status === 404) return undefined;
      throw error;
    }
  }

  async save(digest: ArticleDigest): Promise<void> {
    const { PutObjectCommand } = await s3Sdk();
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: ARTICLE_DIGEST_KEY,
        Body: await zip(JSON.stringify(digest)),
        ContentType: 'application/gzip',
      }),
    );
  }
}

import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from './s3-sdk.ts';

/** Largest oversized-item notification read (Config items are at most a few MB). */
const MAX_BYTES = 50 * 1024 * 1024;

/**
 * Reads the full notification of an oversized AWS Config item from where Config delivered it
 * (`s3DeliverySummary.s3BucketLocation`, `bucket/key`), gunzipping it when it is compressed.
 */
export class S3ConfigNotificationReader {
  readonly #s3: Pick<S3Client, 'send'>;

  constructor(s3: Pick<S3Client, 'send'>) {
    this.#s3 = s3;
  }

  async read(location: string): Promise<unknown> {
    const slash = location.indexOf('/');
    if (slash <= 0 || slash === location.length - 1)
      throw new Error(`Not a bucket/key location: ${location}`);
    const { GetObjectCommand } = await s3Sdk();
    const response = await this.#s3.send(
      new GetObjectCommand({ Bucket: location.slice(0, slash), Key: location.slice(slash + 1) }),
    );
    if (!response.Body) throw new Error(`Empty notification at ${location}`);
    if ((response.ContentLength ?? 0) > MAX_BYTES)
      throw new Error(`Notification at ${location} is too large`);
    const bytes = Buffer.from(await response.Body.transformToByteArray());
    const text =
      bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    return JSON.parse(text);
  }
}

import type { S3Client } from '@aws-sdk/client-s3';
import type { RawMailStore } from '#ports/mail.ts';
import { s3Sdk } from './s3-sdk.ts';

/** Raw inbound messages in the mail bucket, where the SES receipt rule's S3 action put them. */
export class S3RawMailStore implements RawMailStore {
  readonly #s3: Pick<S3Client, 'send'>;
  readonly #bucket: string;

  constructor(s3: Pick<S3Client, 'send'>, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async get(key: string): Promise<Uint8Array> {
    const { GetObjectCommand } = await s3Sdk();
    const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    if (!object.Body) throw new Error(`Raw message ${key} has no body`);
    return object.Body.transformToByteArray();
  }

  async put(key: string, raw: Uint8Array): Promise<void> {
    const { PutObjectCommand } = await s3Sdk();
    await this.#s3.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: raw, ContentType: 'message/rfc822' }),
    );
  }
}

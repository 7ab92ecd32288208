import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RawMailStore } from '#ports/mail.ts';

/** Raw inbound messages in the mail bucket, where the SES receipt rule's S3 action put them. */
export class S3RawMailStore implements RawMailStore {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async get(key: string): Promise<Uint8Array> {
    const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    if (!object.Body) throw new Error(`Raw message ${key} has no body`);
    return object.Body.transformToByteArray();
  }

  async put(key: string, raw: Uint8Array): Promise<void> {
    await this.#s3.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: raw, ContentType: 'message/rfc822' }),
    );
  }
}

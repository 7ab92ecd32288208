import type { S3Client } from '@aws-sdk/client-s3';
import { FullMailBody } from '#core/mail/full-body.ts';
import type { MailBodyStore } from '#ports/mail-body-store.ts';
import { s3Sdk } from './s3-sdk.ts';

/** Full bodies of large mail as JSON objects in the attachments bucket, beside the ticket files. */
export class S3MailBodyStore implements MailBodyStore {
  readonly #s3: Pick<S3Client, 'send'>;
  readonly #bucket: string;

  constructor(s3: Pick<S3Client, 'send'>, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async put(key: string, body: FullMailBody): Promise<void> {
    const { PutObjectCommand } = await s3Sdk();
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: JSON.stringify(FullMailBody.parse(body)),
        ContentType: 'application/json; charset=utf-8',
      }),
    );
  }

  async get(key: string): Promise<FullMailBody | undefined> {
    const { GetObjectCommand, NoSuchKey } = await s3Sdk();
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!object.Body) return undefined;
      return FullMailBody.parse(JSON.parse(await object.Body.transformToString('utf-8')));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

import type { FullMailBody } from '#core/mail/full-body.ts';

/**
 * Where the whole text of a large mail is kept (S3 in AWS, s3rver locally) when the article
 * holds only an excerpt: a DynamoDB item takes 400 KB, a mail up to 40 MB.
 */
export interface MailBodyStore {
  /** Stores the body under its key; storing the same key again replaces it with the same content. */
  put(key: string, body: FullMailBody): Promise<void>;
  get(key: string): Promise<FullMailBody | undefined>;
}

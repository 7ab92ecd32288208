import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type {
  AttachmentStorage,
  PresignedDownload,
  PresignedDownloadRequest,
  PresignedUpload,
  PresignedUploadRequest,
  StoredObject,
} from '#ports/attachment-storage.ts';
import { type ClientSource, clientOf, s3Sdk } from './s3-sdk.ts';

const presigner = () => import('@aws-sdk/s3-request-presigner');

export interface S3AttachmentStorageOptions {
  /** How long an upload URL stays valid, in seconds. @default 900 (15 minutes) */
  readonly uploadExpiresIn?: number;
  /** How long a download URL stays valid, in seconds. @default 300 (5 minutes) */
  readonly downloadExpiresIn?: number;
}

/**
 * `Content-Disposition: attachment` with the name in RFC 5987 form, so any Unicode name
 * survives and a quote or semicolon in it cannot break out of the header. A plain ASCII
 * `filename=` fallback comes first for old clients.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Attachments in S3 through presigned URLs. The PUT signs `Content-Type`, `Content-Length`
 * and `x-amz-checksum-sha256`, so S3 refuses any file but the declared one; the GET overrides
 * the response's type and disposition so the browser always downloads, never renders.
 */
export class S3AttachmentStorage implements AttachmentStorage {
  readonly #s3: () => Promise<S3Client>;
  readonly #bucket: string;
  readonly #uploadExpiresIn: number;
  readonly #downloadExpiresIn: number;

  /** `s3` a client, or how to make one at first use (presigning needs the whole client). */
  constructor(s3: ClientSource<S3Client>, bucket: string, options: S3AttachmentStorageOptions = {}) {
    this.#s3 = clientOf(s3);
    this.#bucket = bucket;
    this.#uploadExpiresIn = options.uploadExpiresIn ?? 900;
    this.#downloadExpiresIn = options.downloadExpiresIn ?? 300;
  }

  async presignUpload({ key, contentType, size, sha256 }: PresignedUploadRequest): Promise<PresignedUpload> {
    const expiresAt = this.#expiry(this.#uploadExpiresIn);
    const [{ PutObjectCommand }, { getSignedUrl }, s3] = await Promise.all([
      s3Sdk(),
      presigner(),
      this.#s3(),
    ]);
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        ContentType: contentType,
        ContentLength: size,
        ChecksumSHA256: sha256,
      }),
      {
        expiresIn: this.#uploadExpiresIn,
        signableHeaders: new Set(['content-type', 'content-length']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    );
    return {
      url,
      headers: { 'content-type': contentType, 'x-amz-checksum-sha256': sha256 },
      expiresAt,
    };
  }

  async presignDownload({
    key,
    fileName,
    contentType,
  }: PresignedDownloadRequest): Promise<PresignedDownload> {
    const expiresAt = this.#expiry(this.#downloadExpiresIn);
    const [{ GetObjectCommand }, { getSignedUrl }, s3] = await Promise.all([
      s3Sdk(),
      presigner(),
      this.#s3(),
    ]);
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        ResponseContentDisposition: attachmentDisposition(fileName),
        ResponseContentType: contentType,
      }),
      { expiresIn: this.#downloadExpiresIn },
    );
    return { url, expiresAt };
  }

  async put(key: string, content: Uint8Array, contentType: string, sha256: string): Promise<void> {
    const [{ PutObjectCommand }, s3] = await Promise.all([s3Sdk(), this.#s3()]);
    await s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: content,
        ContentType: contentType,
        ChecksumSHA256: sha256,
      }),
    );
  }

  /**
   * Size and SHA-256 of a stored object. S3 keeps the checksum of a PUT that carried one and
   * returns it with `ChecksumMode: ENABLED`; where it is missing (s3rver stores none, and a
   * multipart upload has a composite one) the object is read once and hashed here.
   */
  async head(key: string): Promise<StoredObject | undefined> {
    const [{ HeadObjectCommand }, s3] = await Promise.all([s3Sdk(), this.#s3()]);
    let head: HeadObjectCommandOutput;
    try {
      head = await s3.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const size = head.ContentLength ?? 0;
    const checksum = head.ChecksumSHA256;
    if (checksum && /^[A-Za-z0-9+/]{43}=$/.test(checksum)) return { size, sha256: checksum };
    return { size, sha256: await this.#hash(key) };
  }

  async #hash(key: string): Promise<string> {
    const [{ GetObjectCommand }, s3] = await Promise.all([s3Sdk(), this.#s3()]);
    const object = await s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('base64');
  }

  #expiry(seconds: number): string {
    return new Date(Date.now() + seconds * 1000).toISOString();
  }
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'NotFound' || error.name === 'NoSuchKey' || status === 404;
}

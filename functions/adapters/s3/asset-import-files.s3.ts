import type { S3Client } from '@aws-sdk/client-s3';
import type { ImportFiles } from '#core/cmdb/asset-import.ts';
import { MAX_IMPORT_BYTES } from '#core/cmdb/asset-import.ts';
import type { AttachmentStorage } from '#ports/attachment-storage.ts';
import { s3Sdk } from './s3-sdk.ts';

/**
 * The uploaded CSV files of asset imports: presigned like attachments (the PUT signs type,
 * length and SHA-256, so only the announced file lands), read whole by the import function.
 */
export class S3AssetImportFiles implements ImportFiles {
  readonly #storage: Pick<AttachmentStorage, 'presignUpload' | 'head'>;
  readonly #s3: Pick<S3Client, 'send'>;
  readonly #bucket: string;

  constructor(
    storage: Pick<AttachmentStorage, 'presignUpload' | 'head'>,
    s3: Pick<S3Client, 'send'>,
    bucket: string,
  ) {
    this.#storage = storage;
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  presignUpload(request: Parameters<ImportFiles['presignUpload']>[0]) {
    return this.#storage.presignUpload(request);
  }

  head(key: string) {
    return this.#storage.head(key);
  }

  async read(key: string): Promise<string> {
    const { GetObjectCommand } = await s3Sdk();
    const response = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    if ((response.ContentLength ?? 0) > MAX_IMPORT_BYTES) throw new Error(`The file ${key} is too large`);
    return response.Body ? response.Body.transformToString('utf8') : '';
  }
}

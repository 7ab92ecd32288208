/**
 * Where attachment bytes live (S3 in AWS, s3rver locally). The core never moves the bytes:
 * it hands out short-lived presigned URLs and later checks what arrived.
 */
export interface PresignedUploadRequest {
  readonly key: string;
  readonly contentType: string;
  /** Exact length in bytes; part of the signature, so another length is refused. */
  readonly size: number;
  /** Base64 SHA-256 of the content; part of the signature, so other content is refused. */
  readonly sha256: string;
}

export interface PresignedUpload {
  readonly url: string;
  /** Headers the uploader must send with the PUT, exactly as given (browsers add Content-Length). */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export interface PresignedDownloadRequest {
  readonly key: string;
  /** Offered to the browser as the download's name (`Content-Disposition: attachment`). */
  readonly fileName: string;
  readonly contentType: string;
}

export interface PresignedDownload {
  readonly url: string;
  readonly expiresAt: string;
}

export interface StoredObject {
  readonly size: number;
  /** Base64 SHA-256 of the stored content, when the storage can tell. */
  readonly sha256?: string;
}

export interface AttachmentStorage {
  presignUpload(request: PresignedUploadRequest): Promise<PresignedUpload>;
  presignDownload(request: PresignedDownloadRequest): Promise<PresignedDownload>;
  /** What is stored under a key, or undefined when nothing is (yet). */
  head(key: string): Promise<StoredObject | undefined>;
  /** Stores a file Spoke received itself (an attachment of inbound mail), with its checksum. */
  put(key: string, content: Uint8Array, contentType: string, sha256: string): Promise<void>;
}

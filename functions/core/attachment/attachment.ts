import * as z from 'zod';

/**
 * A file attached to a ticket. The bytes never pass through the API: the portal uploads them
 * to S3 through a presigned PUT and downloads them through a presigned GET, so the API's
 * 256 KB body limit and Lambda's payload limit do not apply. An attachment is `pending` from
 * the upload request until the stored object is checked against the declared size and checksum.
 */

/** Largest attachment: 25 MB, the size most mail systems still deliver. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** Longest file name in characters; most file systems allow 255 bytes per path element. */
export const MAX_FILE_NAME_LENGTH = 255;

/**
 * The content types Spoke accepts. Nothing a browser would run or render as a document of
 * the portal's origin (no HTML, SVG, JavaScript, XML): files are served from S3 as downloads,
 * but a short list is the second wall.
 */
export const attachmentContentTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/zip',
  'message/rfc822',
] as const;

export const AttachmentContentType = z.enum(attachmentContentTypes);
export type AttachmentContentType = z.infer<typeof AttachmentContentType>;

/**
 * What a stored attachment may be: the upload list, plus the types mail brings that the portal
 * does not take (old Office formats, archives, calendars, logs, `application/octet-stream` for
 * whatever is not recognised). Still nothing that is stored as HTML, SVG, script or XML: mail
 * files of those kinds are kept as `application/octet-stream`, and every file is downloaded,
 * never rendered.
 */
export const storedContentTypes = [
  ...attachmentContentTypes,
  'application/octet-stream',
  'application/gzip',
  'application/x-7z-compressed',
  'application/vnd.rar',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.ms-outlook',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/rtf',
  'application/json',
  'text/calendar',
  'image/bmp',
  'image/tiff',
  'image/heic',
  'audio/mpeg',
  'video/mp4',
] as const;
export const StoredContentType = z.enum(storedContentTypes);
export type StoredContentType = z.infer<typeof StoredContentType>;

/**
 * Path separators, C0/C1 controls, and the Unicode format characters that make a name display
 * differently from what it is (bidi overrides turn `invoice‮fdp.exe` into `invoiceexe.pdf`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const forbiddenInFileName = /[/\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * A file name as a person gave it, reduced to something safe to store and to hand back in a
 * `Content-Disposition` header: Unicode NFC, trimmed, with no directories, no control or
 * bidi characters, and not `.`/`..`. Names that break these rules are refused rather than
 * repaired, so what the requester sees is what they uploaded.
 */
export const FileName = z
  .string()
  .transform((name) => name.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_FILE_NAME_LENGTH, `must be at most ${MAX_FILE_NAME_LENGTH} characters`)
      .refine(
        (name) => !forbiddenInFileName.test(name),
        'must not contain path separators or control characters',
      )
      .refine((name) => !/^\.+$/.test(name), 'must be a file name, not . or ..'),
  );

/** SHA-256 of the content, base64 (44 characters), as S3's `x-amz-checksum-sha256` carries it. */
export const Sha256Base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 SHA-256 of the file (44 characters)');

export const AttachmentSize = z
  .number()
  .int('must be a whole number of bytes')
  .min(1, 'must be at least 1 byte')
  .max(MAX_ATTACHMENT_BYTES, `must be at most ${MAX_ATTACHMENT_BYTES} bytes (25 MB)`);

export const AttachmentState = z.enum(['pending', 'available']);
export type AttachmentState = z.infer<typeof AttachmentState>;

/** Ticket and attachment ids become parts of object keys: letters, digits, `_` and `-` only. */
export const RecordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a valid id');

export const Attachment = z.object({
  id: RecordId,
  ticketId: RecordId,
  fileName: FileName,
  contentType: StoredContentType,
  size: AttachmentSize,
  sha256: Sha256Base64,
  uploadedBy: z.object({ id: z.string().min(1).max(200), email: z.email().max(254) }),
  createdAt: z.iso.datetime(),
  state: AttachmentState,
});
export type Attachment = z.infer<typeof Attachment>;

/** What a client declares before uploading; the presigned PUT then accepts exactly that file. */
export const NewAttachmentInput = z.strictObject({
  fileName: FileName,
  contentType: z
    .string()
    .transform((type) => type.trim().toLowerCase())
    .pipe(AttachmentContentType),
  size: AttachmentSize,
  sha256: Sha256Base64,
});
export type NewAttachmentInput = z.input<typeof NewAttachmentInput>;

/** Objects of a ticket's attachments live under this prefix; the API function may touch nothing else. */
export const ATTACHMENT_KEY_PREFIX = 'tickets/';

/** The object key of an attachment: `tickets/<ticketId>/<attachmentId>` (never the file name). */
export const attachmentObjectKey = (attachment: Pick<Attachment, 'ticketId' | 'id'>): string =>
  `${ATTACHMENT_KEY_PREFIX}${attachment.ticketId}/${attachment.id}`;

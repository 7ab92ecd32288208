import type { StoredContentType } from '#core/attachment/attachment.ts';
import { StoredContentType as StoredType } from '#core/attachment/attachment.ts';

/**
 * What a mail's file is, from its first bytes: the declared type is often wrong
 * (`application/octet-stream` for a PDF, `image/jpg`, `application/x-zip-compressed`).
 */
const magic: readonly { readonly bytes: readonly (number | undefined)[]; readonly type: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], type: 'application/pdf' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], type: 'image/png' },
  { bytes: [0xff, 0xd8, 0xff], type: 'image/jpeg' },
  { bytes: [0x47, 0x49, 0x46, 0x38], type: 'image/gif' },
  { bytes: [0x42, 0x4d], type: 'image/bmp' },
  { bytes: [0x49, 0x49, 0x2a, 0x00], type: 'image/tiff' },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], type: 'image/tiff' },
  {
    bytes: [0x52, 0x49, 0x46, 0x46, undefined, undefined, undefined, undefined, 0x57, 0x45, 0x42, 0x50],
    type: 'image/webp',
  },
  { bytes: [0x1f, 0x8b], type: 'application/gzip' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], type: 'application/x-7z-compressed' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], type: 'application/vnd.rar' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], type: 'application/zip' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], type: 'ole' },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], type: 'application/rtf' },
  { bytes: [0x78, 0x9f, 0x3e, 0x22], type: 'tnef' },
  { bytes: [0x4d, 0x5a], type: 'executable' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], type: 'executable' },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], type: 'executable' },
  { bytes: [0xca, 0xfe, 0xba, 0xbe], type: 'executable' },
];

const startsWith = (content: Uint8Array, bytes: readonly (number | undefined)[]) =>
  content.byteLength >= bytes.length && bytes.every((b, i) => b === undefined || content[i] === b);

/** The type the first bytes show, `ole`/`tnef`/`executable` for those families, or undefined. */
export function sniffType(content: Uint8Array): string | undefined {
  return magic.find((m) => startsWith(content, m.bytes))?.type;
}

/** Declared types that mean one of ours under another name. */
const aliases: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  'image/x-bmp': 'image/bmp',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'application/x-gzip': 'application/gzip',
  'application/x-compressed': 'application/gzip',
  'application/x-rar-compressed': 'application/vnd.rar',
  'text/rtf': 'application/rtf',
  'text/x-log': 'text/plain',
  'text/x-csv': 'text/csv',
  'application/csv': 'text/csv',
  'application/x-pdf': 'application/pdf',
  'application/vnd.ms-word': 'application/msword',
  'application/x-msexcel': 'application/vnd.ms-excel',
  'text/json': 'application/json',
};

/** File name extensions, for what neither the bytes nor the declared type settle. */
const extensions: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  webp: 'image/webp',
  heic: 'image/heic',
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  ics: 'text/calendar',
  json: 'application/json',
  rtf: 'application/rtf',
  doc: 'application/msword',
  dot: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  msg: 'application/vnd.ms-outlook',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
  eml: 'message/rfc822',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

/**
 * Extensions of files that run when opened: the default of `BLOCKED_ATTACHMENT_EXTENSIONS`.
 * Such files (and anything whose bytes are a Windows, Linux or macOS executable) are not kept.
 */
export const defaultBlockedExtensions = [
  'exe',
  'com',
  'scr',
  'pif',
  'cpl',
  'dll',
  'sys',
  'drv',
  'ocx',
  'msi',
  'msp',
  'mst',
  'bat',
  'cmd',
  'ps1',
  'psm1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'lnk',
  'inf',
  'reg',
  'jar',
  'app',
  'dmg',
  'pkg',
  'sh',
  'elf',
  'appx',
  'msix',
  'iso',
  'img',
  'vhd',
] as const;

export interface AttachmentPolicy {
  /** File name extensions (lower case, no dot) that are never kept. */
  readonly blockedExtensions: readonly string[];
}

export const defaultAttachmentPolicy: AttachmentPolicy = { blockedExtensions: defaultBlockedExtensions };

const extensionOf = (fileName: string) => /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();

export type FileVerdict =
  | { readonly keep: true; readonly contentType: StoredContentType }
  | { readonly keep: false; readonly why: string };

const stored = (type: string | undefined): StoredContentType | undefined => {
  const parsed = StoredType.safeParse(type);
  return parsed.success ? parsed.data : undefined;
};

/**
 * Whether a mail's file is kept, and as what type: blocked only when its name or its bytes
 * say it runs (policy); otherwise the type its bytes show, or the declared type (under its
 * usual name), or its extension's, or `application/octet-stream`. What the bytes show wins
 * over a declaration, so a PDF sent as `application/octet-stream` is a PDF.
 */
export function fileVerdict(
  fileName: string,
  declared: string,
  content: Uint8Array,
  policy: AttachmentPolicy,
): FileVerdict {
  const extension = extensionOf(fileName);
  const sniffed = sniffType(content);
  if (sniffed === 'executable') return { keep: false, why: 'executable files are blocked by policy' };
  if (extension && policy.blockedExtensions.includes(extension))
    return { keep: false, why: `.${extension} files are blocked by policy` };
  const declaredType = declared.trim().toLowerCase().split(';')[0]?.trim() ?? '';
  const named = aliases[declaredType] ?? declaredType;
  const byExtension = extension ? extensions[extension] : undefined;
  const fromBytes =
    sniffed === 'ole'
      ? (stored(byExtension) ?? stored(named) ?? 'application/octet-stream')
      : sniffed === 'application/zip'
        ? (stored(byExtension) ?? 'application/zip')
        : sniffed === 'tnef'
          ? 'application/octet-stream'
          : stored(sniffed);
  const generic = ['', 'application/octet-stream', 'application/binary', 'application/x-download'].includes(
    named,
  );
  const contentType =
    fromBytes ?? (generic ? undefined : stored(named)) ?? stored(byExtension) ?? 'application/octet-stream';
  return { keep: true, contentType: stored(contentType) ?? 'application/octet-stream' };
}

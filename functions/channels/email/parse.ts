import PostalMime, { type Email } from 'postal-mime';
import { ValidationError } from '#core/shared/errors.ts';
import { finishParsed, repairRaw } from './charsets.ts';

/** Limits on what the parser will take apart. SES itself refuses messages over 40 MB. */
export const mailLimits = {
  maxBytes: 40 * 1024 * 1024,
  maxNestingDepth: 32,
  maxHeadersSize: 256 * 1024,
  /** postal-mime has no limit on parts, and each costs time and memory: count them first. */
  maxParts: 1000,
} as const;

const BOUNDARY = /^boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/i;

/**
 * The MIME parts of a message, counted before parsing: delimiter lines (`--` + a boundary
 * that some Content-Type of the message declares), stopping once past `stopAfter`. Lines that
 * merely start with `--` (an SQL script, a signature) are not parts; a single-part message
 * declares no boundary and has none. Works on the bytes with native searches: a 40 MB
 * message costs milliseconds.
 */
export function mimePartCount(raw: Uint8Array, stopAfter: number): number {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const boundaries = new Set<string>();
  for (let at = bytes.indexOf('oundary'); at !== -1; at = bytes.indexOf('oundary', at + 7)) {
    if (at === 0 || ((bytes[at - 1] ?? 0) | 0x20) !== 0x62) continue;
    const match = BOUNDARY.exec(bytes.subarray(at - 1, at + 220).toString('latin1'));
    const boundary = (match?.[1] ?? match?.[2] ?? '').trim();
    if (boundary) boundaries.add(boundary);
    if (boundaries.size > stopAfter) return boundaries.size;
  }
  if (boundaries.size === 0) return 0;
  const delimiters = [...boundaries].map((b) => Buffer.from(b, 'latin1'));
  let count = 0;
  for (let line = bytes.indexOf('--') === 0 ? 0 : bytes.indexOf('\n--'); line !== -1; ) {
    const start = bytes[line] === 0x0a ? line + 3 : line + 2;
    const rest = bytes.subarray(start, start + 201);
    if (delimiters.some((d) => rest.subarray(0, d.length).equals(d)) && ++count > stopAfter) break;
    line = bytes.indexOf('\n--', start);
  }
  return count;
}

export type ParsedMail = Email;

/** Parses raw MIME within the limits; a message over them is a ValidationError naming the limit. */
export async function parseMail(raw: Uint8Array): Promise<ParsedMail> {
  if (raw.byteLength > mailLimits.maxBytes) {
    throw new ValidationError('Message too large', [
      { path: 'message', message: `is over ${mailLimits.maxBytes} bytes` },
    ]);
  }
  if (mimePartCount(raw, mailLimits.maxParts) > mailLimits.maxParts) {
    throw new ValidationError('Too many MIME parts', [
      { path: 'message', message: `has more than ${mailLimits.maxParts} MIME parts` },
    ]);
  }
  const repairs = repairRaw(raw);
  try {
    const mail = await PostalMime.parse(repairs.raw, {
      maxNestingDepth: mailLimits.maxNestingDepth,
      maxHeadersSize: mailLimits.maxHeadersSize,
      attachmentEncoding: 'arraybuffer',
    });
    return finishParsed(mail, repairs);
  } catch (cause) {
    throw new ValidationError(
      'Message cannot be parsed',
      [{ path: 'message', message: (cause as Error).message }],
      { cause },
    );
  }
}

/** The value of the first header with this (lower-case) name. */
export const header = (mail: ParsedMail, name: string): string | undefined =>
  mail.headers.find((h) => h.key === name)?.value;

/**
 * The headers of a message that cannot be parsed whole (too many parts, too large, broken):
 * enough to show its sender and subject in quarantine. Undefined when even they cannot be read.
 */
export async function headersOnly(raw: Uint8Array): Promise<ParsedMail | undefined> {
  const text = Buffer.from(
    raw.buffer,
    raw.byteOffset,
    Math.min(raw.byteLength, mailLimits.maxHeadersSize),
  ).toString('latin1');
  const end = /\r?\n\r?\n/.exec(text)?.index ?? text.length;
  try {
    return await PostalMime.parse(Buffer.from(`${text.slice(0, end)}\r\n\r\n`, 'latin1'), {
      maxHeadersSize: mailLimits.maxHeadersSize,
    });
  } catch {
    return undefined;
  }
}

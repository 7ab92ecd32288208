import PostalMime, { type Email } from 'postal-mime';
import { ValidationError } from '#core/shared/errors.ts';

/** Limits on what the parser will take apart. SES itself refuses messages over 40 MB. */
export const mailLimits = {
  maxBytes: 40 * 1024 * 1024,
  maxNestingDepth: 32,
  maxHeadersSize: 256 * 1024,
  /** postal-mime has no limit on parts, and each costs time and memory: count them first. */
  maxParts: 1000,
} as const;

const DASH = 0x2d;
const LF = 0x0a;

/** Lines that start with `--`: an upper bound on the MIME parts of a message, found in one pass. */
export function boundaryLineCount(raw: Uint8Array, stopAfter: number): number {
  let count = 0;
  for (let i = 0; i < raw.length - 1; i++) {
    if ((i === 0 || raw[i - 1] === LF) && raw[i] === DASH && raw[i + 1] === DASH && ++count > stopAfter)
      break;
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
  if (boundaryLineCount(raw, mailLimits.maxParts) > mailLimits.maxParts) {
    throw new ValidationError('Too many MIME parts', [
      { path: 'message', message: `has more than ${mailLimits.maxParts} MIME parts` },
    ]);
  }
  try {
    return await PostalMime.parse(raw, {
      maxNestingDepth: mailLimits.maxNestingDepth,
      maxHeadersSize: mailLimits.maxHeadersSize,
      attachmentEncoding: 'arraybuffer',
    });
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

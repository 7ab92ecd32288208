import PostalMime, { type Email } from 'postal-mime';
import { ValidationError } from '#core/shared/errors.ts';

/** Limits on what the parser will take apart. SES itself refuses messages over 40 MB. */
export const mailLimits = {
  maxBytes: 40 * 1024 * 1024,
  maxNestingDepth: 32,
  maxHeadersSize: 256 * 1024,
} as const;

export type ParsedMail = Email;

/** Parses raw MIME within the limits; a message over them is a ValidationError naming the limit. */
export async function parseMail(raw: Uint8Array): Promise<ParsedMail> {
  if (raw.byteLength > mailLimits.maxBytes) {
    throw new ValidationError('Message too large', [
      { path: 'message', message: `is over ${mailLimits.maxBytes} bytes` },
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

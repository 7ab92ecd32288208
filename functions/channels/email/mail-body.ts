import { ATTACHMENT_KEY_PREFIX } from '#core/attachment/attachment.ts';
import { articleExcerptBytes, excerptBytes, type FullMailBody } from '#core/mail/full-body.ts';
import type { MailBody } from '#core/ticket/ticket-service.ts';
import type { MailBodyStore } from '#ports/mail-body-store.ts';

/**
 * Where the full body of one inbound message is kept: beside the ticket files, named by the
 * SES message id so a retried message writes the same object again.
 */
export const fullBodyKey = (sesMessageId: string) =>
  `${ATTACHMENT_KEY_PREFIX}mail/${sesMessageId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 128)}.json`;

export interface KeptMailBody {
  /** The new part of the message, cut to what an article item holds. */
  readonly text: string;
  /** The quoted history and HTML as far as the item holds them, and the full body's key when cut. */
  readonly mail: MailBody;
}

/**
 * Keeps a mail's text within what a DynamoDB item holds: when any part is over its limit,
 * the whole body goes to the mail body store first and the article keeps excerpts and the key.
 * HTML over its limit is left out of the item entirely (half an HTML document is not one).
 */
export async function keepMailBody(
  store: MailBodyStore,
  sesMessageId: string,
  full: FullMailBody,
  /** Where the text must also fit a character limit (a ticket's description). */
  maxTextChars = Number.POSITIVE_INFINITY,
): Promise<KeptMailBody> {
  const bytes = excerptBytes(full.text, articleExcerptBytes.text);
  const text =
    bytes.text.length > maxTextChars
      ? { text: `${full.text.slice(0, maxTextChars - 1)}…`, cut: true }
      : bytes;
  const quoted = full.quoted ? excerptBytes(full.quoted, articleExcerptBytes.quoted) : undefined;
  const htmlFits = full.html !== undefined && !excerptBytes(full.html, articleExcerptBytes.html).cut;
  const cut = text.cut || quoted?.cut === true || (full.html !== undefined && !htmlFits);
  const key = cut ? fullBodyKey(sesMessageId) : undefined;
  if (key) await store.put(key, full);
  return {
    text: text.text,
    mail: {
      ...(quoted?.text.trim() ? { quoted: quoted.text } : {}),
      ...(htmlFits && full.html ? { html: full.html } : {}),
      ...(key ? { fullBodyKey: key } : {}),
    },
  };
}

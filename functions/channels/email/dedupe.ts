import { createHash } from 'node:crypto';
import type { MailDedupe } from '#ports/mail-dedupe.ts';
import type { ParsedMail } from './parse.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The key under which a mail counts as "the same": its Message-ID, its sender and a hash of
 * what it says (subject, text, HTML and every attachment). Two different mails share a key
 * only if a client reuses a Message-ID for the same sender and the same words, which is the
 * same mail. Without a Message-ID there is no key: the SES message id alone makes it once.
 */
export function dedupeKey(
  mail: ParsedMail,
  messageId: string | undefined,
  sender: string,
): string | undefined {
  if (!messageId) return undefined;
  const hash = createHash('sha256');
  for (const part of [mail.subject ?? '', mail.text ?? '', mail.html ?? '']) hash.update(part).update('\0');
  for (const file of mail.attachments)
    hash.update(sha256(typeof file.content === 'string' ? file.content : new Uint8Array(file.content)));
  const content = hash.digest('hex');
  return sha256(`${messageId.toLowerCase()}\n${sender.toLowerCase()}\n${content}`);
}

/** The SES message id that first delivered this mail, when this delivery is a second copy of it. */
export async function earlierDelivery(
  dedupe: MailDedupe,
  key: string | undefined,
  sesMessageId: string,
): Promise<string | undefined> {
  if (!key) return undefined;
  const { first } = await dedupe.claim(key, sesMessageId);
  return first === sesMessageId ? undefined : first;
}

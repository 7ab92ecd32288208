import { header, type ParsedMail } from '../parse.ts';

const robotSenders = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+@]|$)/i;

/**
 * Why a message must never get an automatic answer, or undefined when it may: the rules of
 * RFC 3834 plus the habits of the mailers that ignore it. Answering any of these is how
 * mail loops start.
 */
export function automaticMailReason(
  mail: ParsedMail,
  envelopeSender: string | undefined,
): string | undefined {
  const autoSubmitted = header(mail, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.trim().toLowerCase() !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header(mail, 'precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'list', 'junk'].includes(precedence)) return `Precedence: ${precedence}`;
  if (header(mail, 'x-auto-response-suppress')) return 'X-Auto-Response-Suppress';
  if (header(mail, 'list-id') || header(mail, 'list-unsubscribe')) return 'mailing list';
  const contentType = header(mail, 'content-type') ?? '';
  if (/multipart\/report/i.test(contentType) && /report-type="?delivery-status/i.test(contentType)) {
    return 'delivery status notification';
  }
  if (envelopeSender !== undefined && (envelopeSender === '' || envelopeSender === '<>'))
    return 'empty return path';
  const from = mail.from && 'address' in mail.from ? (mail.from.address ?? '') : '';
  if (robotSenders.test(from)) return `robot sender ${from}`;
  if (envelopeSender && robotSenders.test(envelopeSender)) return `robot sender ${envelopeSender}`;
  return undefined;
}

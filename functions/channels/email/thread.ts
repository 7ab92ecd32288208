import { MESSAGE_ID } from '#core/mail/message-id.ts';
import { TicketNumber } from '#core/ticket/ticket.ts';
import type { MailReferenceStore } from '#ports/mail-references.ts';
import type { ParsedMail } from './parse.ts';

/**
 * How Spoke names its own mail, so that a reply can be traced without a lookup:
 * `<ticketId.<what>@domain>` for Message-IDs and `local+<ticketId>@domain` for Reply-To.
 */
export const ourMessageId = (ticketId: string, what: string, domain: string) =>
  `<${ticketId}.${what}@${domain}>`;

export const replyAddress = (supportAddress: string, ticketId: string) => {
  const [local, domain] = supportAddress.split('@');
  return `${local}+${ticketId.toLowerCase()}@${domain}`;
};

const TICKET_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The ticket id in one of our Message-IDs, if it is one. */
export function ticketIdFromMessageId(messageId: string, domain: string): string | undefined {
  const match = /^<([^.@<>]+)\.[^@<>]+@([^<>]+)>$/.exec(messageId.trim());
  if (!match || match[2]?.toLowerCase() !== domain.toLowerCase()) return undefined;
  const id = match[1]?.toUpperCase() ?? '';
  return TICKET_ID.test(id) ? id : undefined;
}

/** The ticket id in a `local+<ticketId>@domain` recipient of ours, if there is one. */
export function ticketIdFromRecipient(recipient: string, supportAddress: string): string | undefined {
  const [local, domain] = supportAddress.toLowerCase().split('@');
  const match = /^([^+@]+)\+([^@]+)@(.+)$/.exec(recipient.trim().toLowerCase());
  if (!match || match[1] !== local || match[3] !== domain) return undefined;
  const id = match[2]?.toUpperCase() ?? '';
  return TICKET_ID.test(id) ? id : undefined;
}

/** `[INC0001042]` (or a bare number) in a subject. */
export function ticketNumberFromSubject(subject: string | undefined): string | undefined {
  const match = /\b(INC|REQ|PRB|CHG|RLS)\d{7,}\b/i.exec(subject ?? '');
  const number = match?.[0].toUpperCase();
  return number && TicketNumber.safeParse(number).success ? number : undefined;
}

/** Every Message-ID in In-Reply-To and References, nearest first. */
export function referencedMessageIds(mail: ParsedMail): string[] {
  const ids = `${mail.inReplyTo ?? ''} ${(mail.references ?? '').split(/\s+/).reverse().join(' ')}`.match(
    /<[^<>\s]+>/g,
  );
  return [...new Set((ids ?? []).filter((id) => MESSAGE_ID.test(id)))].slice(0, 100);
}

/**
 * The keys a referenced id is remembered under: the id itself, and for SES's
 * `<id@…amazonses.com>` the bare id SES returned when the mail was sent.
 */
export function sesMessageIds(messageId: string): string[] {
  const match = /^<([^@<>]+)@([^<>]+)>$/.exec(messageId);
  return match?.[2]?.toLowerCase().endsWith('amazonses.com') && match[1]
    ? [messageId, match[1]]
    : [messageId];
}

/**
 * Whether a message names no ticket at all — no Message-ID it answers, no reply address, no
 * number in the subject — so `findThread` answers "none" without a lookup: a new conversation.
 */
export function namesNoThread(
  mail: ParsedMail,
  recipients: readonly string[],
  supportAddress: string,
): boolean {
  return (
    referencedMessageIds(mail).length === 0 &&
    !recipients.some((recipient) => ticketIdFromRecipient(recipient, supportAddress)) &&
    ticketNumberFromSubject(mail.subject) === undefined
  );
}

export type ThreadMatch =
  | { readonly by: 'message-id' | 'reply-address'; readonly ticketId: string }
  | { readonly by: 'subject'; readonly number: string };

/**
 * Which ticket a message answers, in the order DESIGN §5 sets: our Message-IDs in
 * In-Reply-To/References (including the ids SES gave our mail), then the per-ticket reply
 * address, then a ticket number in the subject. Whether the sender may add to that ticket is
 * the caller's check.
 */
export async function findThread(
  mail: ParsedMail,
  recipients: readonly string[],
  context: { readonly supportAddress: string; readonly references: MailReferenceStore },
): Promise<ThreadMatch | undefined> {
  const domain = context.supportAddress.split('@')[1] ?? '';
  const referenced = referencedMessageIds(mail);
  for (const id of referenced) {
    const ticketId = ticketIdFromMessageId(id, domain);
    if (ticketId) return { by: 'message-id', ticketId };
  }
  const remembered = await context.references.ticketFor(referenced.flatMap(sesMessageIds));
  if (remembered) return { by: 'message-id', ticketId: remembered };
  for (const recipient of recipients) {
    const ticketId = ticketIdFromRecipient(recipient, context.supportAddress);
    if (ticketId) return { by: 'reply-address', ticketId };
  }
  const number = ticketNumberFromSubject(mail.subject);
  return number ? { by: 'subject', number } : undefined;
}

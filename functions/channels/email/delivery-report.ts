import { MESSAGE_ID } from '#core/mail/message-id.ts';
import type { ParsedMail } from './parse.ts';

/** One recipient a delivery report speaks about. */
export interface FailedRecipient {
  readonly address: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded` (RFC 3464). */
  readonly action: string;
  /** The enhanced status code (`5.1.1`); 5.x.x is permanent. */
  readonly status: string;
  readonly permanent: boolean;
}

export interface DeliveryReport {
  readonly recipients: readonly FailedRecipient[];
  /** The Message-ID(s) of the message that bounced, from its returned headers. */
  readonly originalMessageIds: readonly string[];
}

const text = (content: string | ArrayBuffer | Uint8Array) =>
  typeof content === 'string' ? content : Buffer.from(content as ArrayBuffer).toString('utf8');

/**
 * Reads a delivery status notification (RFC 3464): who it is about, with what status, and
 * which message bounced — the Message-ID in the returned message or its headers, falling
 * back to In-Reply-To/References of the report itself.
 */
export function readDeliveryReport(mail: ParsedMail): DeliveryReport {
  const parts = mail.attachments.map((file) => ({
    type: file.mimeType.toLowerCase(),
    body: text(file.content),
  }));
  const status = parts
    .filter((p) => p.type === 'message/delivery-status')
    .map((p) => p.body)
    .join('\n\n');
  const recipients: FailedRecipient[] = [];
  for (const block of status.split(/\r?\n\s*\r?\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(block)?.[1]?.trim() ?? '';
    const finalRecipient = field('Final-Recipient')
      .replace(/^rfc822;\s*/i, '')
      .replace(/[<>]/g, '');
    if (!finalRecipient.includes('@')) continue;
    const code = /\d\.\d{1,3}\.\d{1,3}/.exec(field('Status'))?.[0] ?? '';
    const action = field('Action').toLowerCase();
    recipients.push({
      address: finalRecipient.toLowerCase(),
      action,
      status: code,
      permanent: code.startsWith('5') && (action === 'failed' || action === 'fail'),
    });
  }
  const returned = parts
    .filter(
      (p) =>
        p.type === 'message/rfc822' ||
        p.type === 'text/rfc822-headers' ||
        p.type === 'message/rfc822-headers',
    )
    .map((p) => p.body.split(/\r?\n\r?\n/)[0] ?? '')
    .join('\n')
    .replace(/\r?\n[ \t]+/g, ' ');
  const fromReturned = [...returned.matchAll(/^Message-ID:\s*(<[^<>\s]+>)/gim)].map((m) => m[1] as string);
  const fromThread = `${mail.inReplyTo ?? ''} ${mail.references ?? ''}`.match(/<[^<>\s]+>/g) ?? [];
  const originalMessageIds = [...new Set([...fromReturned, ...fromThread])].filter((id) =>
    MESSAGE_ID.test(id),
  );
  return { recipients, originalMessageIds: originalMessageIds.slice(0, 20) };
}

import { MESSAGE_ID } from '#core/mail/message-id.ts';
import type { OutboundMail } from '#ports/mail.ts';

const ADDRESS = /^[^\s<>@,;:"]+@[^\s<>@,;:"]+$/;

/** Refuses a header value that could end the header and start another (CR, LF or any control character). */
function headerValue(name: string, value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\x00-\x1f\x7f]/.test(value))
    throw new Error(`Refusing to send: the ${name} header holds a control character`);
  return value;
}

const messageId = (name: string, id: string) => {
  if (!MESSAGE_ID.test(id))
    throw new Error(`Refusing to send: ${name} ${JSON.stringify(id.slice(0, 80))} is not a Message-ID`);
  return id;
};

const address = (name: string, value: string) => {
  if (!ADDRESS.test(value))
    throw new Error(`Refusing to send: ${name} ${JSON.stringify(value.slice(0, 80))} is not a plain address`);
  return value;
};

/** RFC 2047 encoded-word for a header value that is not plain ASCII; line breaks become spaces. */
export function encodeHeaderValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are replaced before encoding
  const clean = value.replace(/[\x00-\x1f\x7f]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

const base64Lines = (text: string) =>
  Buffer.from(text, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');

/**
 * The raw MIME of an outbound message. Raw, because the threading headers (References,
 * In-Reply-To) and Auto-Submitted are what keeps replies in the right ticket and robots quiet.
 * Every header value is checked, so text from an inbound mail can never add a header or a body.
 */
export function buildRawMessage(mail: OutboundMail & { readonly from: string }, boundary: string): string {
  const references = [...(mail.references ?? []), mail.messageId].map((id) => messageId('References', id));
  const headers = [
    `From: ${headerValue('From', mail.from)}`,
    `To: ${mail.to.map((to) => address('To', to)).join(', ')}`,
    ...(mail.replyTo ? [`Reply-To: ${address('Reply-To', mail.replyTo)}`] : []),
    `Subject: ${encodeHeaderValue(mail.subject)}`,
    `Message-ID: ${messageId('Message-ID', mail.messageId)}`,
    ...(mail.inReplyTo ? [`In-Reply-To: ${messageId('In-Reply-To', mail.inReplyTo)}`] : []),
    `References: ${references.join(' ')}`,
    ...(mail.automatic ? ['Auto-Submitted: auto-replied', 'X-Auto-Response-Suppress: All'] : []),
    'MIME-Version: 1.0',
  ];
  const text = [
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(mail.text),
  ];
  if (!mail.html) return [...headers, ...text, ''].join('\r\n');
  return [
    ...headers,
    `Content-Type: multipart/alternative; boundary="${headerValue('boundary', boundary)}"`,
    '',
    `--${boundary}`,
    ...text,
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(mail.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

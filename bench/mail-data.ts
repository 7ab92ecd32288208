import { randomBytes } from 'node:crypto';

/**
 * The mail the `mail` suite sends: raw MIME built here, byte for byte what the SMTP intake
 * receives and what the parser-alone figures parse. Two sizes, as the email issue asks:
 * about 5 KB (a text part and its HTML alternative, as mail clients send) and about 1 MB
 * (a short text part and a base64 attachment, a PDF or a screenshot).
 */

export const SMALL_BYTES = 5 * 1024;
export const LARGE_BYTES = 1024 * 1024;

export type Size = 'small' | 'large';

export interface BenchMail {
  /** A token unique to the message, carried in the subject so its acknowledgement can be found. */
  readonly token: string;
  readonly from: string;
  readonly raw: Buffer;
}

const firstNames = ['Emma', 'Lukas', 'Sofia', 'Noah', 'Mia', 'Elias', 'Hanna', 'Jonas', 'Lea', 'Finn'];
const lastNames = ['Müller', 'Schmidt', 'Novák', 'García', 'Rossi', 'Dubois', 'Jensen', 'Kowalski'];

/** Sender `i` of a pool: a name with non-ASCII letters, an address at one of a few domains. */
export function sender(i: number): { name: string; email: string } {
  const first = firstNames[i % firstNames.length] as string;
  const last = lastNames[Math.floor(i / firstNames.length) % lastNames.length] as string;
  const domain = ['example.com', 'corp.example.com', 'example.org'][i % 3] as string;
  return { name: `${first} ${last}`, email: `${first.toLowerCase()}.${i}@${domain}` };
}

const problems = [
  'Printer on floor 3 prints blank pages',
  'VPN drops every few minutes since the update',
  'Cannot open the shared drive S:',
  'Outlook asks for my password again and again',
  'New laptop for a starter on Monday',
  'Monitor flickers when docked',
  'Access to the finance reporting workspace',
  'Teams calls have no sound on my headset',
];

const paragraph = (i: number) =>
  `Hello service desk, this is about the ${problems[i % problems.length]?.toLowerCase()}. ` +
  'It started this morning after I came back from the meeting room (Besprechungsraum 2.14); ' +
  'my colleagues next to me see the same thing, so it is probably not only my machine. ' +
  'I restarted twice and checked the cable, the lights look normal. Could someone have a look? ' +
  'I am at my desk until 17:00, phone extension 4711. Grüße, merci, díky.';

/** Quoted-printable for the text parts: UTF-8 bytes above 0x7e and `=` encoded, soft breaks at 76. */
function quotedPrintable(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    let out = '';
    let width = 0;
    for (const byte of Buffer.from(line, 'utf8')) {
      const token =
        byte === 0x3d || byte > 0x7e || (byte < 0x20 && byte !== 0x09)
          ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
          : String.fromCharCode(byte);
      if (width + token.length > 75) {
        out += '=\r\n';
        width = 0;
      }
      out += token;
      width += token.length;
    }
    lines.push(out);
  }
  return lines.join('\r\n');
}

const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

function headers(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
}

export interface MailSpec {
  readonly index: number;
  readonly size: Size;
  readonly supportAddress: string;
  /** Senders the messages are spread over. */
  readonly senders: number;
  /** For a reply: the acknowledgement it answers and the ticket number in its subject. */
  readonly replyTo?: { readonly messageId: string; readonly number: string; readonly from: string };
  /** A prefix for tokens, so runs and phases never share one. */
  readonly run: string;
}

/**
 * One message of about `SMALL_BYTES` or `LARGE_BYTES`: the text is padded (small) or the
 * attachment sized (large) so the whole raw message lands within a few bytes of the size.
 */
export function buildMail(spec: MailSpec): BenchMail {
  const token = `${spec.run}-${spec.size}-${String(spec.index).padStart(5, '0')}`;
  const person = spec.replyTo
    ? { name: spec.replyTo.from.split('@')[0] as string, email: spec.replyTo.from }
    : sender(spec.index % spec.senders);
  const problem = problems[spec.index % problems.length] as string;
  const subject = spec.replyTo
    ? `Re: [${spec.replyTo.number}] ${problem} (${token})`
    : `${problem} (${token})`;
  const domain = person.email.split('@')[1] as string;
  const boundary = `----=_Part_${randomBytes(8).toString('hex')}`;
  const head = headers({
    'Return-Path': `<${person.email}>`,
    Received: `from mail.${domain} (mail.${domain} [192.0.2.${spec.index % 250}]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id ${randomBytes(10).toString('hex')}; ${new Date().toUTCString()}`,
    From: `"${person.name}" <${person.email}>`,
    To: `Service Desk <${spec.supportAddress}>`,
    Subject: subject,
    Date: new Date().toUTCString(),
    'Message-ID': `<${token}.${randomBytes(6).toString('hex')}@${domain}>`,
    'In-Reply-To': spec.replyTo?.messageId,
    References: spec.replyTo?.messageId,
    'MIME-Version': '1.0',
    'X-Mailer': 'Microsoft Outlook 16.0',
    'Content-Language': 'en-GB',
    'Content-Type': `multipart/${spec.size === 'small' ? 'alternative' : 'mixed'}; boundary="${boundary}"`,
  });
  const intro = spec.replyTo
    ? `Thanks, still happening here. A bit more detail for ${token}:`
    : `Reference ${token}.`;
  const quote = spec.replyTo
    ? `\n\nOn ${new Date().toUTCString()}, Spoke <${spec.supportAddress}> wrote:\n> We have received your message and opened ${spec.replyTo.number}.\n> Reply to this mail to add to it.`
    : '';
  const textPart = (body: string) =>
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(body)}\r\n`;
  const htmlPart = (body: string) => {
    const html = `<html><head><meta charset="utf-8"></head><body><div style="font-family:Calibri,sans-serif;font-size:11pt">${body
      .split('\n')
      .map((line) => `<p>${line.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</p>`)
      .join('')}</div></body></html>`;
    return `--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(html)}\r\n`;
  };
  const end = `--${boundary}--\r\n`;

  if (spec.size === 'small') {
    // Text and HTML carry the same words; add paragraphs until the message reaches the size.
    let paragraphs = 1;
    let raw = '';
    for (;;) {
      const words = Array.from({ length: paragraphs }, (_, p) => paragraph(spec.index + p)).join('\n\n');
      const body = `${intro}\n\n${words}${quote}`;
      const candidate = `${head}\r\n\r\n${textPart(body)}${htmlPart(body)}${end}`;
      if (Buffer.byteLength(candidate) > SMALL_BYTES) break;
      raw = candidate;
      paragraphs++;
    }
    return { token, from: person.email, raw: Buffer.from(raw, 'utf8') };
  }

  const text = textPart(`${intro}\n\n${paragraph(spec.index)}\n\nThe export is attached.${quote}`);
  const name = spec.replyTo ? `screenshot-${spec.index}.png` : `report-${spec.index}.pdf`;
  const type = spec.replyTo ? 'image/png' : 'application/pdf';
  const attachmentHead = `--${boundary}\r\nContent-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  const fixed = Buffer.byteLength(`${head}\r\n\r\n${text}${attachmentHead}\r\n${end}`);
  // base64: 4 characters per 3 bytes, plus CRLF after every 76 characters.
  const room = LARGE_BYTES - fixed;
  const binary = Math.floor(((room * 76) / 78) * 0.75);
  const raw = `${head}\r\n\r\n${text}${attachmentHead}${base64Lines(randomBytes(binary))}\r\n${end}`;
  return { token, from: person.email, raw: Buffer.from(raw, 'utf8') };
}

import { isUtf8 } from 'node:buffer';
import type { Email } from 'postal-mime';

/**
 * Repairs for mail that real clients send and a strict parser reads wrongly, applied around
 * postal-mime:
 *
 * - a body in Latin-1/Windows-1252 with no declared charset (not valid UTF-8): read as
 *   windows-1252 rather than as replacement characters;
 * - raw 8-bit bytes inside a Q-encoded word of a header (old Eudora): read in the word's charset;
 * - UTF-7 bodies, which `TextDecoder` does not know: decoded here;
 * - `format=flowed` (RFC 3676): unwrapped here, joining only lines of the same quote depth, so
 *   a reply's new text is never glued onto the quoted line above it.
 */
export interface RawRepairs {
  readonly raw: Uint8Array;
  readonly utf7: boolean;
  readonly flowed?: { readonly delsp: boolean };
}

const windows1252 = new TextDecoder('windows-1252');

const headerEnd = (text: string) => {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? match.index : text.length;
};

/** Raw 8-bit bytes inside `=?charset?Q?…?=` become `=XX`, so the word's own charset decodes them. */
const fixEncodedWords = (headers: string) =>
  headers.replace(/=\?([^?\s]+)\?[Qq]\?([^?]*)\?=/g, (word, charset: string, text: string) =>
    /[\x80-\xff]/.test(text)
      ? `=?${charset}?Q?${text.replace(/[\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}?=`
      : word,
  );

const CONTENT_TYPE = /^(content-type:[ \t]*)([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/gim;

/** Prepares raw MIME for the parser, and says what is left to do on the parsed result. */
export function repairRaw(raw: Uint8Array): RawRepairs {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const head = bytes.subarray(0, Math.min(bytes.length, 256 * 1024)).toString('latin1');
  const end = headerEnd(head);
  const needsWords = /=\?[^?\s]+\?[Qq]\?[^?]*[\x80-\xff]/.test(head.slice(0, end));
  const latin1Body = !isUtf8(bytes.subarray(end));
  const latin1Head = !isUtf8(bytes.subarray(0, end));
  const mentions = (word: string) => bytes.includes(word) || bytes.includes(word.toUpperCase());
  const utf7 = mentions('utf-7');
  const flowed = mentions('format=flowed');
  if (!needsWords && !latin1Head && !latin1Body && !utf7 && !flowed) return { raw, utf7: false };

  let text = bytes.toString('latin1');
  let delsp = false;
  let sawFlowed = false;
  let sawUtf7 = false;
  if (needsWords) text = fixEncodedWords(text.slice(0, end)) + text.slice(end);
  text = text.replace(CONTENT_TYPE, (_, name: string, value: string) => {
    let next = value;
    if (flowed && /format\s*=\s*"?flowed/i.test(next)) {
      sawFlowed = true;
      delsp ||= /delsp\s*=\s*"?yes/i.test(next);
      next = next.replace(/;\s*format\s*=\s*"?flowed"?/i, '').replace(/;\s*delsp\s*=\s*"?\w+"?/i, '');
    }
    if (utf7 && /charset\s*=\s*"?utf-7/i.test(next)) {
      sawUtf7 = true;
      next = next.replace(/charset\s*=\s*"?utf-7"?/i, 'charset=utf-8');
    }
    if (latin1Body && /^\s*text\//i.test(next) && !/charset\s*=/i.test(next))
      next = `${next}; charset=windows-1252`;
    return `${name}${next}`;
  });
  const newEnd = headerEnd(text);
  if (latin1Body && !/^content-type:/im.test(text.slice(0, newEnd))) {
    text = `Content-Type: text/plain; charset=windows-1252\r\n${text}`;
  }
  // Raw 8-bit header text outside encoded words that is not UTF-8: read as Windows-1252.
  const finalEnd = headerEnd(text);
  const headBytes = Buffer.from(text.slice(0, finalEnd), 'latin1');
  const headers = isUtf8(headBytes) ? headBytes : Buffer.from(windows1252.decode(headBytes), 'utf8');
  return {
    raw: new Uint8Array(Buffer.concat([headers, Buffer.from(text.slice(finalEnd), 'latin1')])),
    utf7: sawUtf7,
    ...(sawFlowed ? { flowed: { delsp } } : {}),
  };
}

/** RFC 2152: `+` base64 of UTF-16BE `-`; `+-` is a plus sign. */
export function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (whole, b64: string) => {
    if (b64 === '') return whole === '+-' ? '+' : whole;
    const bytes = Buffer.from(b64, 'base64');
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2)
      out += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
    return out;
  });
}

/**
 * RFC 3676 unwrapping: a line that ends in a space continues on the next line of the same
 * quote depth (its `>` markers and one stuffed space removed). A change of quote depth ends
 * the paragraph, and so does the signature separator `-- `.
 */
export function unflow(text: string, delsp: boolean): string {
  const out: string[] = [];
  let open: { depth: number; text: string } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const depth = /^>*/.exec(raw)?.[0].length ?? 0;
    let line = raw.slice(depth);
    if (line.startsWith(' ')) line = line.slice(1);
    const soft = line.endsWith(' ') && line !== '-- ';
    const content = soft && delsp ? line.slice(0, -1) : line;
    if (open && open.depth === depth && line !== '-- ') open.text += content;
    else {
      if (open) out.push(render(open));
      open = { depth, text: content };
    }
    if (!soft) {
      out.push(render(open));
      open = undefined;
    }
  }
  if (open) out.push(render(open));
  return out.join('\n');
}

const render = ({ depth, text }: { depth: number; text: string }) =>
  depth > 0 ? `${'>'.repeat(depth)} ${text}` : text;

/** Finishes what `repairRaw` found: UTF-7 and format=flowed text. */
export function finishParsed(mail: Email, repairs: RawRepairs): Email {
  let { text, html } = mail;
  if (repairs.utf7) {
    text = text === undefined ? text : decodeUtf7(text);
    html = html === undefined ? html : decodeUtf7(html);
  }
  if (repairs.flowed && text !== undefined) text = unflow(text, repairs.flowed.delsp);
  return { ...mail, ...(text === undefined ? {} : { text }), ...(html === undefined ? {} : { html }) };
}

import { Parser } from 'htmlparser2';

/**
 * How much of a mail's HTML is looked at. Longer bodies are cut here (at a character, never
 * inside a surrogate pair) and the parser closes whatever was left open, so the cut is safe.
 */
export const MAIL_HTML_MAX_CHARS = 2 * 1024 * 1024;

/** Largest `data:image/…` source kept, in characters of base64: about 750 KB of image. */
export const DATA_IMAGE_MAX_CHARS = 1024 * 1024;

/** Deeper nesting is flattened (tags dropped, text kept): no mail needs it, and renderers choke on it. */
const MAX_DEPTH = 256;

/**
 * How many elements may be open at once while parsing; past it the rest of the input is
 * treated as cut off. htmlparser2 keeps its stack with `unshift`, so thousands of unclosed
 * tags (2 MB of `<b>`) would cost quadratic time: minutes of Lambda instead of milliseconds.
 */
export const MAX_PARSE_DEPTH = 1024;

export interface SanitizeMailHtmlOptions {
  /**
   * Where each inline part can be fetched, by Content-ID (with or without `<>`): `cid:` image
   * sources are rewritten to it. An image whose cid is not listed is removed.
   * @default {}
   */
  readonly inlineImages?: Readonly<Record<string, string>>;
  /**
   * Keep remote (http/https) image sources. Off, they are removed, which stops tracking pixels
   * and the leak of the reader's address; the URL is kept in `data-blocked-src` so the portal
   * can offer "show images".
   * @default false
   */
  readonly allowRemoteImages?: boolean;
}

export interface SanitizedMailHtml {
  readonly html: string;
  /** How many remote images were blocked (0 when `allowRemoteImages`). */
  readonly blockedRemoteImages: number;
  /**
   * Whether the input was cut: longer than {@link MAIL_HTML_MAX_CHARS}, or more than
   * {@link MAX_PARSE_DEPTH} elements open at once (the rest after that point is left out).
   */
  readonly truncated: boolean;
}

/**
 * Class names and ids that mark where a mail client put the quoted history. They are the
 * only classes and ids kept, so that `splitHtmlReply` can find the history in sanitized HTML
 * and nothing in a mail can borrow the portal's own classes or ids.
 */
export const quoteMarkerClasses: ReadonlySet<string> = new Set([
  'gmail_quote',
  'gmail_quote_container',
  'gmail_attr',
  'moz-cite-prefix',
  'yahoo_quoted',
  'protonmail_quote',
  'zmail_extra',
]);
export const quoteMarkerIds: ReadonlySet<string> = new Set(['divRplyFwdMsg', 'appendonsend', 'stopSpelling']);

const allowedTags = new Set([
  'a',
  'abbr',
  'address',
  'b',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'div',
  'dl',
  'dt',
  'em',
  'font',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
  'wbr',
]);

/**
 * Elements removed together with everything inside them: active content, raw-text elements
 * whose content is code or markup rather than prose, form controls and foreign (SVG, MathML)
 * content, where the HTML and XML parsing rules differ and mutation XSS lives.
 */
export const droppedWithContent: ReadonlySet<string> = new Set([
  'applet',
  'audio',
  'canvas',
  'datalist',
  'embed',
  'frame',
  'frameset',
  'iframe',
  'input',
  'link',
  'math',
  'meta',
  'noembed',
  'noframes',
  'noscript',
  'object',
  'optgroup',
  'option',
  'param',
  'picture',
  'script',
  'select',
  'source',
  'style',
  'svg',
  'template',
  'textarea',
  'title',
  'track',
  'video',
  'base',
  'basefont',
  'bgsound',
  'portal',
  'dialog',
]);

export const voidTags: ReadonlySet<string> = new Set(['br', 'col', 'hr', 'img', 'wbr']);

const length = /^\d{1,4}(\.\d{1,2})?(%|px)?$/;
const colour = /^(#[0-9a-f]{3,8}|[a-z]{3,24})$/i;
const attributeRules: Record<string, Record<string, RegExp>> = {
  '*': {
    title: /^[\s\S]{0,500}$/,
    dir: /^(ltr|rtl|auto)$/i,
    lang: /^[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}$/i,
    align: /^(left|right|center|justify)$/i,
  },
  a: {},
  img: { alt: /^[\s\S]{0,500}$/, width: length, height: length, border: /^\d{1,2}$/ },
  font: { color: colour, face: /^[\w\s,'"-]{1,100}$/, size: /^[+-]?[1-7]$/ },
  ol: { start: /^-?\d{1,6}$/, type: /^[1aAiI]$/ },
  ul: { type: /^(disc|circle|square)$/i },
  li: { value: /^-?\d{1,6}$/ },
  blockquote: { type: /^cite$/i },
  table: {
    width: length,
    height: length,
    border: /^\d{1,2}$/,
    cellpadding: /^\d{1,3}$/,
    cellspacing: /^\d{1,3}$/,
    bgcolor: colour,
  },
  td: {
    width: length,
    height: length,
    colspan: /^\d{1,3}$/,
    rowspan: /^\d{1,4}$/,
    valign: /^(top|middle|bottom|baseline)$/i,
    bgcolor: colour,
    nowrap: /^(nowrap)?$/i,
  },
  tr: { valign: /^(top|middle|bottom|baseline)$/i, bgcolor: colour },
  col: { width: length, span: /^\d{1,3}$/ },
  colgroup: { width: length, span: /^\d{1,3}$/ },
  hr: { width: length, size: /^\d{1,2}$/ },
};
attributeRules.th = attributeRules.td as Record<string, RegExp>;
attributeRules.thead = attributeRules.tr as Record<string, RegExp>;
attributeRules.tbody = attributeRules.tr as Record<string, RegExp>;
attributeRules.tfoot = attributeRules.tr as Record<string, RegExp>;

/**
 * CSS is kept, but only these properties and only values made of words, numbers, colours,
 * quotes and `rgb()`/`hsl()`: no `url()`, `expression()`, `var()`, escapes, comments, `@`,
 * `!`, `;` smuggling or `:`. Mail without its inline colours and alignment reads badly
 * (Outlook writes almost everything as `style`); what is left out is what can overlay,
 * hide or load: position, display, visibility, opacity, z-index, transform, background(-image),
 * content, behavior/-moz-binding.
 */
const cssProperties = new Set([
  'background-color',
  'border',
  'border-bottom',
  'border-collapse',
  'border-color',
  'border-left',
  'border-radius',
  'border-right',
  'border-spacing',
  'border-style',
  'border-top',
  'border-width',
  'color',
  'direction',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-variant',
  'font-weight',
  'height',
  'letter-spacing',
  'line-height',
  'list-style-type',
  'margin',
  'margin-bottom',
  'margin-left',
  'margin-right',
  'margin-top',
  'max-width',
  'min-width',
  'overflow-wrap',
  'padding',
  'padding-bottom',
  'padding-left',
  'padding-right',
  'padding-top',
  'text-align',
  'text-decoration',
  'text-indent',
  'text-transform',
  'vertical-align',
  'white-space',
  'width',
  'word-break',
  'word-wrap',
]);
const cssColourFunction = /\b(rgba?|hsla?)\(\s*[\d\s.,%/]{1,60}\)/gi;
const cssPlainValue = /^[#\w\s%.,'"+-]{1,200}$/;

/** The declarations of a style attribute that pass the allowlist, or undefined when none do. */
export function sanitizeStyle(style: string): string | undefined {
  const kept: string[] = [];
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration
      .slice(colon + 1)
      .trim()
      .replace(/\s+/g, ' ');
    if (!cssProperties.has(property) || value === '') continue;
    const plain = value.replace(cssColourFunction, 'c');
    if (!cssPlainValue.test(plain)) continue;
    if (/(^|[\s,])-\d/.test(plain)) continue;
    if (/expression|javascript|behaviou?r|binding/i.test(plain)) continue;
    if ((plain.match(/"/g)?.length ?? 0) % 2 || (plain.match(/'/g)?.length ?? 0) % 2) continue;
    kept.push(`${property}: ${value}`);
  }
  return kept.length > 0 ? kept.join('; ') : undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters a browser ignores in a URL
const urlIgnored = /^[\u0000-\u0020]+|[\u0000-\u0020]+$|[\t\n\r]|[\u0000-\u001f\u007f]/g;

export const escapeText = (text: string): string =>
  text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
export const escapeAttribute = (value: string): string =>
  value.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

/**
 * A link target a reader may follow: http(s) (normalized by the URL parser) or mailto, else
 * undefined. The value is the entity-decoded attribute; the characters a browser strips
 * before reading a scheme (`jav&#x09;ascript:`, leading controls) are stripped here first,
 * and what is checked is what is written back.
 */
export function safeLinkUrl(raw: string): string | undefined {
  const url = raw.replace(urlIgnored, '');
  if (url.length > 8192) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'mailto') return url;
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const dataImage = /^data:image\/(png|jpeg|jpg|gif|webp);base64,([a-z0-9+/\s]+={0,2})$/i;

type ImageSource =
  | { readonly kind: 'keep'; readonly src: string }
  | { readonly kind: 'blocked'; readonly url: string }
  | { readonly kind: 'remove' };

function imageSource(raw: string, options: SanitizeMailHtmlOptions): ImageSource {
  const src = raw.replace(urlIgnored, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(src)?.[1]?.toLowerCase();
  if (scheme === 'cid') {
    const target = inlineImage(src.slice(4), options.inlineImages ?? {});
    if (target === undefined) return { kind: 'remove' };
    if (/^\/(?![/\\])/.test(target)) return { kind: 'keep', src: target };
    const url = safeLinkUrl(target);
    return url && !url.startsWith('mailto:') ? { kind: 'keep', src: url } : { kind: 'remove' };
  }
  if (scheme === 'data') {
    const match = dataImage.exec(src);
    const payload = match?.[2]?.replace(/\s+/g, '');
    if (!match || !payload || payload.length > DATA_IMAGE_MAX_CHARS) return { kind: 'remove' };
    const type = match[1]?.toLowerCase() === 'jpg' ? 'jpeg' : match[1]?.toLowerCase();
    return { kind: 'keep', src: `data:image/${type};base64,${payload}` };
  }
  if (scheme === 'http' || scheme === 'https') {
    const url = safeLinkUrl(src);
    if (!url) return { kind: 'remove' };
    return options.allowRemoteImages ? { kind: 'keep', src: url } : { kind: 'blocked', url };
  }
  return { kind: 'remove' };
}

function inlineImage(reference: string, images: Readonly<Record<string, string>>): string | undefined {
  let id = reference;
  try {
    id = decodeURIComponent(reference);
  } catch {}
  id = id.trim().replace(/^<|>$/g, '');
  const candidates = [id, `<${id}>`];
  for (const candidate of candidates) if (Object.hasOwn(images, candidate)) return images[candidate];
  const lower = id.toLowerCase();
  for (const [key, value] of Object.entries(images)) {
    if (key.trim().replace(/^<|>$/g, '').toLowerCase() === lower) return value;
  }
  return undefined;
}

function sanitizeAttributes(
  tag: string,
  attributes: Record<string, string>,
  options: SanitizeMailHtmlOptions,
  counters: { blockedRemoteImages: number },
): [string, string][] | undefined {
  const out: [string, string][] = [];
  const rules = attributeRules[tag] ?? {};
  const common = attributeRules['*'] as Record<string, RegExp>;
  for (const [name, rawValue] of Object.entries(attributes)) {
    const value = rawValue.replace(controlCharacters, '');
    if (name === 'style') {
      const style = sanitizeStyle(value);
      if (style) out.push(['style', style]);
    } else if (name === 'class') {
      const classes = value.split(/\s+/).filter((c) => quoteMarkerClasses.has(c));
      if (classes.length > 0) out.push(['class', classes.join(' ')]);
    } else if (name === 'id') {
      if (quoteMarkerIds.has(value.trim())) out.push(['id', value.trim()]);
    } else if (name === 'href' || name === 'src') {
      // handled below, per element
    } else {
      const rule = Object.hasOwn(rules, name)
        ? rules[name]
        : Object.hasOwn(common, name)
          ? common[name]
          : undefined;
      if (rule?.test(value.trim())) out.push([name, value.trim()]);
    }
  }
  if (tag === 'a') {
    const href = attributes.href === undefined ? undefined : safeLinkUrl(attributes.href);
    if (href) out.push(['href', href], ['target', '_blank'], ['rel', 'noopener noreferrer nofollow']);
  }
  if (tag === 'img') {
    const source = imageSource(attributes.src ?? '', options);
    if (source.kind === 'remove') return undefined;
    if (source.kind === 'keep') out.push(['src', source.src]);
    else {
      counters.blockedRemoteImages += 1;
      out.push(['data-blocked-src', source.url]);
    }
  }
  return out;
}

export const openTagHtml = (tag: string, attributes: readonly (readonly [string, string])[]): string =>
  `<${tag}${attributes.map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join('')}>`;

/** Cuts a string to at most `max` UTF-16 units without splitting a surrogate pair. */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

type Frame = { readonly tag: string; readonly action: 'keep' | 'unwrap' | 'drop' };

/**
 * Mail HTML made safe to store and show: parsed with htmlparser2 (a forgiving, spec-minded
 * tokenizer), then written out again from scratch from an allowlist of tags, attributes,
 * URL schemes and CSS, with every text and attribute re-escaped. Nothing of the input's
 * own spelling survives, so the browser reads the output exactly as it was checked (the
 * defence against parser differentials and mutation XSS); comments, doctypes, CDATA, raw-text
 * elements and foreign content are never written. Shown in a sandboxed frame under a strict
 * CSP all the same (DESIGN §5): this is one of two locks.
 */
export function sanitizeMailHtml(html: string, options: SanitizeMailHtmlOptions = {}): SanitizedMailHtml {
  const truncated = html.length > MAIL_HTML_MAX_CHARS;
  const input = cutAt(html, MAIL_HTML_MAX_CHARS);
  const out: string[] = [];
  const stack: Frame[] = [];
  const counters = { blockedRemoteImages: 0 };
  let dropping = 0;
  let depth = 0;
  let overflow = false;

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (overflow) return;
        if (stack.length >= MAX_PARSE_DEPTH) {
          overflow = true;
          parser.pause();
          return;
        }
        let action: Frame['action'];
        if (dropping > 0 || droppedWithContent.has(name)) action = 'drop';
        else if (!allowedTags.has(name) || depth >= MAX_DEPTH) action = 'unwrap';
        else {
          const kept = sanitizeAttributes(name, attributes, options, counters);
          if (kept === undefined) action = 'unwrap';
          else {
            action = 'keep';
            out.push(openTagHtml(name, kept));
          }
        }
        if (action === 'drop') dropping += 1;
        if (action === 'keep' && !voidTags.has(name)) depth += 1;
        stack.push({ tag: name, action });
      },
      onclosetag(name) {
        if (overflow) return;
        const at = stack.findLastIndex((frame) => frame.tag === name);
        if (at < 0) return;
        for (const frame of stack.splice(at).reverse()) {
          if (frame.action === 'drop') dropping -= 1;
          else if (frame.action === 'keep' && !voidTags.has(frame.tag)) {
            depth -= 1;
            out.push(`</${frame.tag}>`);
          }
        }
      },
      ontext(text) {
        if (!overflow && dropping === 0) out.push(escapeText(text.replace(controlCharacters, '')));
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  );
  parser.write(input);
  parser.end();
  for (const frame of stack.reverse()) {
    if (frame.action === 'keep' && !voidTags.has(frame.tag)) out.push(`</${frame.tag}>`);
  }
  return {
    html: out.join(''),
    blockedRemoteImages: counters.blockedRemoteImages,
    truncated: truncated || overflow,
  };
}

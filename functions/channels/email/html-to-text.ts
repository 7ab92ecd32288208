import { Parser } from 'htmlparser2';
import {
  cutAt,
  droppedWithContent,
  MAIL_HTML_MAX_CHARS,
  MAX_PARSE_DEPTH,
  safeLinkUrl,
} from './sanitize-html.ts';

/** Elements that stand on lines of their own, and how many line breaks surround them (2: a blank line). */
const blocks: Record<string, 1 | 2> = {
  address: 1,
  article: 1,
  aside: 1,
  blockquote: 1,
  caption: 1,
  center: 1,
  dd: 1,
  div: 1,
  dl: 1,
  dt: 1,
  fieldset: 1,
  figcaption: 1,
  figure: 1,
  footer: 1,
  form: 1,
  h1: 2,
  h2: 2,
  h3: 2,
  h4: 2,
  h5: 2,
  h6: 2,
  header: 1,
  hr: 1,
  li: 1,
  main: 1,
  nav: 1,
  ol: 1,
  p: 2,
  pre: 1,
  section: 1,
  table: 1,
  tr: 1,
  ul: 1,
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const sameTarget = (text: string, href: string) => {
  const bare = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/^(https?:\/\/|mailto:)/, '')
      .replace(/^www\./, '')
      .replace(/\/$/, '');
  return bare(text) === bare(href);
};

class PlainText {
  private readonly lines: string[] = [];
  private line = '';
  /** The line's last character, kept apart: reading it from the growing string would flatten it each time. */
  private lineEnd = '';
  private lineStarted = false;
  private pendingBreaks = 0;
  private breakQuoteDepth = Number.POSITIVE_INFINITY;
  quoteDepth = 0;
  readonly items: { bullet: string; shown: boolean }[] = [];
  readonly links: { href: string | undefined; text: string }[] = [];

  private prefix(quoteDepth: number): string {
    const quote = '> '.repeat(quoteDepth);
    let indent = '';
    this.items.forEach((item, index) => {
      if (index === this.items.length - 1 && !item.shown) {
        indent += item.bullet;
        item.shown = true;
      } else indent += ' '.repeat(item.bullet.length);
    });
    return quote + indent;
  }

  private startLine() {
    if (this.lineStarted) return;
    if (this.lines.length > 0 || this.line !== '') {
      this.lines.push(this.line.trimEnd());
      const blankDepth = Math.min(this.breakQuoteDepth, this.quoteDepth);
      for (let i = 1; i < this.pendingBreaks; i++) this.lines.push('> '.repeat(blankDepth).trimEnd());
    }
    this.line = this.prefix(this.quoteDepth);
    this.lineEnd = this.line.at(-1) ?? '';
    this.lineStarted = true;
    this.pendingBreaks = 0;
    this.breakQuoteDepth = Number.POSITIVE_INFINITY;
  }

  /** Text as a browser lays it out: runs of white space become one space. */
  flow(text: string) {
    let words = text.replace(/[\s\u00a0]+/g, ' ');
    if (!this.lineStarted || this.lineEnd === '' || this.lineEnd === ' ') words = words.replace(/^ /, '');
    if (words === '') return;
    this.startLine();
    this.append(words);
  }

  /** Preformatted text: line breaks and spaces kept. */
  verbatim(text: string) {
    const parts = text.split(/\r?\n/);
    parts.forEach((part, index) => {
      if (index > 0) this.hardBreak();
      if (part !== '') {
        this.startLine();
        this.append(part);
      }
    });
  }

  private append(text: string) {
    this.line += text;
    this.lineEnd = text.at(-1) ?? this.lineEnd;
    for (const link of this.links) link.text += text;
  }

  /** A block boundary: at least `count` line breaks before whatever comes next. */
  softBreak(count: 1 | 2) {
    if (this.lines.length === 0 && this.line === '') return;
    this.lineStarted = false;
    this.pendingBreaks = Math.max(this.pendingBreaks, count);
    this.breakQuoteDepth = Math.min(this.breakQuoteDepth, this.quoteDepth);
  }

  /** A `<br>`: one more line break, up to one blank line. */
  hardBreak() {
    if (this.lines.length === 0 && this.line === '') return;
    this.lineStarted = false;
    this.pendingBreaks = Math.min(this.pendingBreaks + 1, 2);
    this.breakQuoteDepth = Math.min(this.breakQuoteDepth, this.quoteDepth);
  }

  literal(text: string) {
    this.startLine();
    this.append(text);
  }

  get lineIsEmpty() {
    return !this.lineStarted || /^[> ]*$/.test(this.line);
  }

  toString() {
    const all = [...this.lines, this.line.trimEnd()];
    return all
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }
}

/**
 * A plain-text rendering of mail HTML, for the "plain text always kept" rule when a message
 * has no text part and for searching: blocks on their own lines, `<br>` kept, lists as
 * `- ` / `1. `, quotes as `> ` (so `splitReply` finds them), links as `text <url>`, entities
 * decoded, white space collapsed, scripts and styles skipped. Input is cut like
 * `sanitizeMailHtml` cuts it (size, and nesting past `MAX_PARSE_DEPTH`).
 */
export function htmlToText(html: string): string {
  const text = new PlainText();
  const lists: { ordered: boolean; next: number }[] = [];
  const stack: { tag: string; skip: boolean }[] = [];
  let skipping = 0;
  let preformatted = 0;
  let overflow = false;

  const open = (name: string, attributes: Record<string, string>) => {
    if (name === 'br') return text.hardBreak();
    const block = blocks[name];
    if (block) text.softBreak(block);
    switch (name) {
      case 'blockquote':
        text.quoteDepth += 1;
        break;
      case 'ul':
      case 'ol':
        lists.push({ ordered: name === 'ol', next: Number.parseInt(attributes.start ?? '1', 10) || 1 });
        break;
      case 'li': {
        const list = lists.at(-1);
        const bullet = list?.ordered ? `${list.next++}. ` : '- ';
        text.items.push({ bullet, shown: false });
        break;
      }
      case 'pre':
        preformatted += 1;
        break;
      case 'a':
        text.links.push({
          href: attributes.href === undefined ? undefined : safeLinkUrl(attributes.href),
          text: '',
        });
        break;
      case 'img': {
        const alt = attributes.alt?.replace(/\s+/g, ' ').trim();
        if (alt) text.flow(` [${alt}] `);
        break;
      }
      case 'hr':
        text.literal('---');
        text.softBreak(1);
        break;
      case 'td':
      case 'th':
        if (!text.lineIsEmpty) text.flow(' ');
        break;
    }
  };

  const close = (name: string) => {
    const block = blocks[name];
    switch (name) {
      case 'blockquote':
        text.softBreak(1);
        text.quoteDepth = Math.max(0, text.quoteDepth - 1);
        return;
      case 'ul':
      case 'ol':
        lists.pop();
        break;
      case 'li':
        text.softBreak(1);
        text.items.pop();
        return;
      case 'pre':
        preformatted = Math.max(0, preformatted - 1);
        break;
      case 'a': {
        const link = text.links.pop();
        const label = link?.text.trim() ?? '';
        if (link?.href && label !== '' && !sameTarget(label, link.href)) text.flow(` <${link.href}>`);
        break;
      }
    }
    if (block) text.softBreak(block);
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (overflow) return;
        if (stack.length >= MAX_PARSE_DEPTH) {
          overflow = true;
          parser.pause();
          return;
        }
        const skip = skipping > 0 || droppedWithContent.has(name);
        stack.push({ tag: name, skip });
        if (skip) skipping += 1;
        else open(name, attributes);
      },
      onclosetag(name) {
        if (overflow) return;
        const at = stack.findLastIndex((frame) => frame.tag === name);
        if (at < 0) return;
        for (const frame of stack.splice(at).reverse()) {
          if (frame.skip) skipping -= 1;
          else close(frame.tag);
        }
      },
      ontext(data) {
        if (overflow || skipping > 0) return;
        const clean = data.replace(controlCharacters, '');
        if (preformatted > 0) text.verbatim(clean);
        else text.flow(clean);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  );
  parser.write(cutAt(html, MAIL_HTML_MAX_CHARS));
  parser.end();
  return text.toString();
}

import { Parser } from 'htmlparser2';
import {
  escapeText,
  MAX_PARSE_DEPTH,
  openTagHtml,
  quoteMarkerClasses,
  quoteMarkerIds,
  voidTags,
} from './sanitize-html.ts';

/**
 * A message cut in two: what the sender wrote now, and what came after it (the quoted
 * history, a forwarded message, the signature). Nothing is dropped: `reply` is a prefix of
 * the input and `quoted` a suffix, with only white space between them.
 */
export interface SplitReply {
  readonly reply: string;
  readonly quoted: string;
}

/** "On <date>, <name> wrote:" as a whole (possibly wrapped) line, in the languages we meet. */
const attributionLines = [
  /^on\b.{1,300}\bwrote\s?:$/i,
  /^am\b.{1,300}\bschrieb\b.{0,300}:$/i,
  /^le\b.{1,300}\ba écrit\s?:$/i,
  /^el\b.{1,300}\bescribió.{0,300}:$/i,
  /^il\b.{1,300}\bha scritto\s?:$/i,
  /^em\b.{1,300}\bescreveu\s?:$/i,
  /^op\b.{1,300}\bschreef\b.{0,300}:$/i,
];
/** Looser: only trusted right above a quoted block, where "Emma Smith wrote:" is enough. */
const looseAttribution =
  /\b(wrote|schrieb|a écrit|escribió|ha scritto|escreveu|schreef|skrev|napisał)(?!\p{L}).{0,200}:$/iu;

const separatorLine =
  /^-{2,}\s*(original message|ursprüngliche nachricht|originalnachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}$/i;
const forwardedIntro =
  /^(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado)\s?:$/i;
const underscores = /^_{10,}$/;
const fromHeader = /^\*?(from|von|de|da|van|från|fra|od)\*?\s?\*?:\*?\s*\S/i;
const dateHeader =
  /^\*?(sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|skickat|sendt)\*?\s?\*?:/i;
const toHeader =
  /^\*?(to|an|à|a|para|aan|till|til|subject|betreff|objet|asunto|oggetto|onderwerp|ämne|emne|cc)\*?\s?\*?:/i;
const quotedLine = /^ ?>/;
const signatureLine = /^--[ \t]?$/;

interface Line {
  readonly text: string;
  readonly start: number;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    lines.push({ text: raw.replace(/\r$/, ''), start });
    start += raw.length + 1;
  }
  return lines;
}

const blank = (line: Line | undefined) => line !== undefined && line.text.trim() === '';

/** Outlook's unquoted header block: From, then a date and a To or Subject within a few lines. */
function isHeaderBlock(lines: readonly Line[], at: number): boolean {
  if (!fromHeader.test(lines[at]?.text.trim() ?? '')) return false;
  const next = lines
    .slice(at + 1, at + 12)
    .map((l) => l.text.trim())
    .filter((l) => l !== '')
    .slice(0, 6);
  return next.some((l) => dateHeader.test(l)) && next.some((l) => toHeader.test(l));
}

/** The first line from which on everything is a forwarded or Outlook-style original message. */
function historyStart(lines: readonly Line[]): number | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.text.trim() ?? '';
    if (separatorLine.test(line) || forwardedIntro.test(line)) return i;
    if (underscores.test(line)) {
      const following = lines.slice(i + 1, i + 6).filter((l) => !blank(l));
      if (following[0] && fromHeader.test(following[0].text.trim())) return i;
    }
    if (line.length > 1000) continue;
    if (attributionLines.some((re) => re.test(line)) && isHeaderBlockOrOriginalFollows(lines, i)) return i;
    if (isHeaderBlock(lines, i)) return i;
  }
  return undefined;
}

/** Outlook on phones writes "On …, … wrote:" above an unquoted original; trust it only before a header block. */
function isHeaderBlockOrOriginalFollows(lines: readonly Line[], at: number): boolean {
  let i = at + 1;
  while (blank(lines[i])) i++;
  return i < lines.length && (isHeaderBlock(lines, i) || separatorLine.test(lines[i]?.text.trim() ?? ''));
}

/**
 * The start of the block of `>` lines that ends the message (blank lines allowed inside),
 * together with the attribution line above it.
 */
function trailingQuoteStart(lines: readonly Line[]): number | undefined {
  let i = lines.length - 1;
  while (i >= 0 && blank(lines[i])) i--;
  if (i < 0 || !quotedLine.test(lines[i]?.text ?? '')) return undefined;
  let start = i;
  while (i >= 0 && (quotedLine.test(lines[i]?.text ?? '') || blank(lines[i]))) {
    if (!blank(lines[i])) start = i;
    i--;
  }
  let above = start - 1;
  while (above >= 0 && blank(lines[above]) && start - above <= 2) above--;
  const group = (count: number) => {
    const span = lines.slice(above - count + 1, above + 1);
    return above - count + 1 < 0 || span.some(blank) || span.some((l) => l.text.length > 1000)
      ? undefined
      : span.map((l) => l.text.trim()).join(' ');
  };
  for (let count = 1; count <= 3; count++) {
    const joined = group(count);
    if (joined !== undefined && attributionLines.some((re) => re.test(joined))) return above - count + 1;
  }
  const single = group(1);
  if (single !== undefined && looseAttribution.test(single)) return above;
  return start;
}

/**
 * Splits a plain-text mail body into the new part and the rest. The rest starts at the first
 * of: the signature delimiter (`-- `), an Outlook/forward block ("-----Original Message-----",
 * "________________________________" + From:, a From/Sent/To header block in English,
 * German, French, Spanish, Italian, Dutch, Swedish), and the block of `>` lines that ends the
 * message with its "On … wrote:" / "Am … schrieb …:" / "Le … a écrit :" / "El … escribió:"
 * line. `>` lines followed by more unquoted text (answers written between the quotes) stay in
 * the reply. When nothing would be left for the reply (a bare forward, an empty answer), the
 * whole text is the reply.
 */
export function splitReply(text: string): SplitReply {
  const lines = linesOf(text);
  const candidates = [
    lines.findIndex((l) => signatureLine.test(l.text)),
    historyStart(lines) ?? -1,
    trailingQuoteStart(lines) ?? -1,
  ].filter((i) => i >= 0);
  if (candidates.length === 0) return { reply: text, quoted: '' };
  const cut = lines[Math.min(...candidates)]?.start ?? text.length;
  const reply = text.slice(0, cut).trimEnd();
  if (reply.trim() === '') return { reply: text, quoted: '' };
  return { reply, quoted: text.slice(cut) };
}

type Token =
  | { readonly kind: 'open'; readonly tag: string; readonly attributes: [string, string][]; close: number }
  | { readonly kind: 'close'; readonly tag: string }
  | { readonly kind: 'text'; readonly text: string };

/** The tokens of the HTML, or undefined when it nests deeper than the parser can afford. */
function tokenize(html: string): Token[] | undefined {
  const tokens: Token[] = [];
  const open: number[] = [];
  let overflow = false;
  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        if (overflow || open.length >= MAX_PARSE_DEPTH) {
          overflow = true;
          parser.pause();
          return;
        }
        open.push(tokens.length);
        tokens.push({ kind: 'open', tag, attributes: Object.entries(attributes), close: -1 });
      },
      onclosetag(tag) {
        const at = open.findLastIndex((i) => (tokens[i] as { tag: string }).tag === tag);
        if (at < 0) return;
        for (const index of open.splice(at).reverse()) {
          const token = tokens[index] as Token & { kind: 'open' };
          token.close = tokens.length;
          tokens.push({ kind: 'close', tag: token.tag });
        }
      },
      ontext(text) {
        tokens.push({ kind: 'text', text });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  );
  parser.write(html);
  parser.end();
  return overflow ? undefined : tokens;
}

const serialize = (token: Token): string =>
  token.kind === 'open'
    ? openTagHtml(token.tag, token.attributes)
    : token.kind === 'close'
      ? voidTags.has(token.tag)
        ? ''
        : `</${token.tag}>`
      : escapeText(token.text);

type Marker = 'history' | 'quote';

function markerOf(token: Token): Marker | undefined {
  if (token.kind !== 'open') return undefined;
  const attribute = (name: string) => token.attributes.find(([n]) => n === name)?.[1];
  if (quoteMarkerIds.has(attribute('id') ?? '')) return 'history';
  if (token.tag === 'blockquote' && attribute('type')?.toLowerCase() === 'cite') return 'quote';
  const classes = (attribute('class') ?? '').split(/\s+/);
  return classes.some((c) => quoteMarkerClasses.has(c) && c !== 'gmail_attr') ? 'quote' : undefined;
}

const meaningful = (token: Token) =>
  (token.kind === 'text' && token.text.replace(/[\s\u00a0\u200b]+/g, '') !== '') ||
  (token.kind === 'open' && token.tag === 'img');

/** Whether nothing but markers and white space follows token `from`. */
function onlyQuotesFrom(tokens: readonly Token[], from: number): boolean {
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const marker = markerOf(token);
    if (marker === 'history') return true;
    if (marker === 'quote' && token.kind === 'open') {
      if (token.close < i) return true;
      i = token.close;
    } else if (meaningful(token)) return false;
  }
  return true;
}

/**
 * The HTML counterpart of {@link splitReply}, for HTML that has been through
 * `sanitizeMailHtml` (which keeps exactly the markers looked for here; it does not sanitize
 * anything itself). The cut is at Outlook's `#appendonsend` / `#divRplyFwdMsg` (everything
 * after is the original), or at the first `<blockquote type="cite">` (Apple Mail,
 * Thunderbird), `.gmail_quote`, `.moz-cite-prefix`, `.yahoo_quoted` after which only more
 * quotes follow. Elements open at the cut are closed in `reply` and opened again in `quoted`.
 * Without a marker, or when the reply would be empty, the whole HTML is the reply.
 */
export function splitHtmlReply(html: string): SplitReply {
  const tokens = tokenize(html);
  if (!tokens) return { reply: html, quoted: '' };
  let cut = -1;
  for (let i = 0; i < tokens.length && cut < 0; i++) {
    const token = tokens[i] as Token;
    const marker = markerOf(token);
    if (marker === 'history' || (marker === 'quote' && onlyQuotesFrom(tokens, i))) cut = i;
  }
  if (cut < 0 || !tokens.slice(0, cut).some(meaningful)) return { reply: html, quoted: '' };

  const ancestors: (Token & { kind: 'open' })[] = [];
  for (let i = 0; i < cut; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'open' && token.close > cut) ancestors.push(token);
  }
  const reply =
    tokens.slice(0, cut).map(serialize).join('') +
    ancestors
      .toReversed()
      .map((a) => (voidTags.has(a.tag) ? '' : `</${a.tag}>`))
      .join('');
  const quoted = ancestors.map(serialize).join('') + tokens.slice(cut).map(serialize).join('');
  return { reply, quoted };
}

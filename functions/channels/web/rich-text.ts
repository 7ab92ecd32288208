import type { SanitizedBody } from '#core/knowledge/knowledge-service.ts';
import { htmlToText } from '../email/html-to-text.ts';
import { sanitizeMailHtml } from '../email/sanitize-html.ts';

/** An image of the article's own attachments, as the editor writes it: `cid:<attachment id>`. */
const ATTACHMENT_IMAGE = /\bsrc\s*=\s*["']?cid:([A-Za-z0-9_-]{1,64})/gi;

/**
 * Rich text written in the portal (knowledge article bodies), made safe with the same
 * allowlist as mail HTML: scripts, handlers, frames and foreign content never survive, remote
 * images are dropped, and the plain text is derived for search and for quoting in a reply.
 * Pictures travel as the article's attachments: the editor names one as `cid:<attachment id>`
 * and it is stored as `/inline/<attachment id>`, which the portal resolves through the article's
 * own download route (an id of another record's file finds nothing there).
 */
export function knowledgeBody(html: string): SanitizedBody {
  const inlineImages = Object.fromEntries(
    [...html.matchAll(ATTACHMENT_IMAGE)].map(([, id]) => [id as string, `/inline/${id}`]),
  );
  const clean = sanitizeMailHtml(html, { inlineImages }).html;
  return { html: clean, text: htmlToText(clean).trim() };
}

import type { SanitizedBody } from '#core/knowledge/knowledge-service.ts';
import { htmlToText } from '../email/html-to-text.ts';
import { sanitizeMailHtml } from '../email/sanitize-html.ts';

/**
 * Rich text written in the portal (knowledge article bodies), made safe with the same
 * allowlist as mail HTML: scripts, handlers, frames and foreign content never survive, remote
 * images are dropped (pictures travel as attachments or inline `data:` images), and the plain
 * text is derived for search and for quoting in a reply.
 */
export function knowledgeBody(html: string): SanitizedBody {
  const clean = sanitizeMailHtml(html).html;
  return { html: clean, text: htmlToText(clean).trim() };
}

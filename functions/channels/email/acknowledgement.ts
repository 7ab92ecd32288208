import type { ArticleSuggestion } from '#core/search/article-digest.ts';
import type { Ticket } from '#core/ticket/ticket.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { ourMessageId, replyAddress } from './thread.ts';

/** Finds published employee articles for a subject; absent, the acknowledgement lists none. */
export type ArticleSuggester = (subject: string) => Promise<readonly ArticleSuggestion[]>;

/** How long the acknowledgement waits for suggestions before it goes without them. */
export const SUGGESTION_WAIT_MS = 2000;

/**
 * Up to three articles for the acknowledgement, or none: a search that fails or is slow never
 * holds back or fails the acknowledgement itself.
 */
export async function suggestionsFor(
  suggest: ArticleSuggester | undefined,
  subject: string,
): Promise<readonly ArticleSuggestion[]> {
  if (!suggest) return [];
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      suggest(subject).then((found) => found.slice(0, 3)),
      new Promise<readonly ArticleSuggestion[]>((resolve) => {
        timer = setTimeout(() => resolve([]), SUGGESTION_WAIT_MS);
      }),
    ]);
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'ERROR', message: 'article suggestions failed', error: String(error) }),
    );
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The acknowledgement of a mailed-in ticket: its number, how to add to it, the portal link, and
 * the published articles that may answer it already (each with its link in the portal).
 */
export function acknowledgementMail(options: {
  readonly ticket: Ticket;
  readonly to: string;
  readonly supportAddress: string;
  readonly portalUrl: string;
  readonly inReplyTo?: string | undefined;
  readonly articles: readonly ArticleSuggestion[];
}): OutboundMail {
  const { ticket, supportAddress, inReplyTo, articles } = options;
  const domain = supportAddress.split('@')[1] ?? 'spoke.invalid';
  const portal = options.portalUrl.replace(/\/$/, '');
  const suggested = articles.length
    ? [
        'These articles may answer it already:',
        ...articles.map((a) => `- ${a.number} ${a.title}: ${portal}/knowledge/${a.id}?from=suggestion`),
        '',
      ]
    : [];
  return {
    to: [options.to],
    subject: `[${ticket.number}] ${ticket.shortDescription}`,
    text: [
      `We have received your message and opened ${ticket.number}: ${ticket.shortDescription}.`,
      '',
      ...suggested,
      'Reply to this mail to add to it (keep the number in the subject), or follow it in the portal:',
      `${portal}/tickets/${ticket.id}`,
      '',
      '— Spoke service desk',
    ].join('\n'),
    replyTo: replyAddress(supportAddress, ticket.id),
    messageId: ourMessageId(ticket.id, 'ack', domain),
    ...(inReplyTo ? { inReplyTo, references: [inReplyTo] } : {}),
    automatic: true,
  };
}

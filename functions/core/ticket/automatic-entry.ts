import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { Article } from './article.ts';
import type { Ticket } from './ticket.ts';
import type { MailBody, TicketDeps } from './ticket-service.ts';

/** What a robot's mail leaves on a ticket: an auto-reply's text, a bounce report. */
export interface AutomaticEntry {
  readonly author: { readonly email: string; readonly name?: string };
  readonly body: string;
  /** Why the mail counts as automatic: kept on the entry. */
  readonly reason: string;
  readonly messageId?: string;
  readonly mail?: MailBody;
  /** Makes the entry exactly-once (the SES message id). */
  readonly idempotencyKey: string;
}

const ATTEMPTS = 5;

/**
 * Adds an internal entry for automatic mail (an out-of-office, a bounce) to a ticket: never
 * shown to the requester, never mailed on, and it changes nothing else on the ticket — no
 * reopening, no taking it off hold. Automatic mail is at most an internal entry.
 */
export async function addAutomaticEntry(
  deps: TicketDeps,
  ticketId: string,
  entry: AutomaticEntry,
): Promise<{ ticket: Ticket; article: Article }> {
  for (let attempt = 1; ; attempt++) {
    const found = await deps.tickets.get(ticketId);
    if (!found) throw new NotFoundError(`No ticket ${ticketId}`);
    const current = found.ticket;
    const now = deps.clock.now().toISOString();
    const article: Article = {
      id: deps.ids.next(),
      ticketId,
      type: 'note',
      author: { email: entry.author.email, ...(entry.author.name ? { name: entry.author.name } : {}) },
      body: entry.body,
      channel: 'email',
      automatic: entry.reason.slice(0, 200),
      ...(entry.messageId ? { messageId: entry.messageId } : {}),
      ...(entry.mail?.quoted ? { quoted: entry.mail.quoted } : {}),
      ...(entry.mail?.html ? { html: entry.mail.html } : {}),
      ...(entry.mail?.fullBodyKey ? { fullBodyKey: entry.mail.fullBodyKey } : {}),
      createdAt: now,
    };
    try {
      const { ticket, applied } = await deps.tickets.update({
        ticket: { ...current, updatedAt: now, version: current.version + 1 },
        expectedVersion: current.version,
        audit: [],
        articles: [article],
        idempotencyKey: entry.idempotencyKey,
        ...(current.parentId ? { previousParentId: current.parentId } : {}),
      });
      if (applied) {
        await deps.events.publish([
          {
            type: 'article.added',
            id: deps.ids.next(),
            at: now,
            detail: { ticketId, number: ticket.number, articleId: article.id, type: article.type },
          },
        ]);
        return { ticket, article };
      }
      const stored = (await deps.tickets.get(ticketId))?.articles.find(
        (a) => a.messageId === entry.messageId && a.automatic !== undefined,
      );
      return { ticket, article: stored ?? article };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

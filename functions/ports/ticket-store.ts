import type { Article, AuditEntry } from '#core/ticket/article.ts';
import type { Ticket, TicketKind } from '#core/ticket/ticket.ts';

/** A page of a list; `cursor` is opaque to everyone but the store that made it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** A ticket about to be stored; the store gives it its number. */
export interface NewTicket {
  readonly ticket: Omit<Ticket, 'number'>;
  readonly firstArticle: Article;
  readonly audit: readonly Omit<AuditEntry, 'ticketId'>[];
  /**
   * Makes the create exactly-once: a second create with the same key stores nothing and
   * returns the ticket of the first (API `Idempotency-Key`, SES message id).
   */
  readonly idempotencyKey?: string;
}

export interface TicketWithConversation {
  readonly ticket: Ticket;
  readonly articles: readonly Article[];
}

export interface TicketStore {
  /**
   * Numbers and stores a ticket with its first article and audit entries in one
   * transaction. With an idempotency key already used, returns the first ticket and `created: false`.
   */
  create(newTicket: NewTicket, kind: TicketKind): Promise<{ ticket: Ticket; created: boolean }>;
  /** The ticket and its conversation, oldest article first. */
  get(id: string): Promise<TicketWithConversation | undefined>;
  /** Tickets a person requested, most recently updated first. */
  listByRequester(email: string, page: PageRequest): Promise<Page<Ticket>>;
}

import type { Page, PageRequest, StoredLink } from '#core/record/record.ts';
import type { Article, AuditEntry } from '#core/ticket/article.ts';
import type { Ticket, TicketKind, TicketState } from '#core/ticket/ticket.ts';

export type { Page, PageRequest } from '#core/record/record.ts';

/** How a ticket list is read: its order and an optional priority filter (applied within the Query). */
export interface TicketListRequest extends PageRequest {
  /** Least recently updated first (work that waits longest); otherwise newest first. @default false */
  readonly oldestFirst?: boolean;
  /** Only tickets of this priority; a page may then hold fewer than `limit` items. */
  readonly priority?: number;
  /** Only tickets of this assignee (lower-case address); like `priority`, a filter within the Query. */
  readonly assignee?: string;
  /** Only tickets in this state, for lists whose partition is not a state. */
  readonly state?: TicketState;
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
  /** A number taken beforehand with `reserveNumber` for this kind; without it the create takes one. */
  readonly number?: ReservedNumber;
}

/** A ticket number taken ahead of its create, so that the counter's round trip overlaps other work. */
export interface ReservedNumber {
  readonly kind: TicketKind;
  readonly number: Promise<string>;
}

/** A change to a stored ticket: the whole new record, written only if nobody changed it since `expectedVersion`. */
export interface TicketChange {
  readonly ticket: Ticket;
  readonly expectedVersion: number;
  readonly audit: readonly Omit<AuditEntry, 'ticketId'>[];
  readonly articles?: readonly Article[];
  /** When a resolved ticket closes by itself; absent when it is not resolved. */
  readonly autoCloseAt?: string;
  /** The parent before this change, so the parent's child list can follow. */
  readonly previousParentId?: string;
  /** Exactly-once for article creation from mail (the SES message id). */
  readonly idempotencyKey?: string;
  /** Generic record links stored on both records in the same transaction (a merge's `duplicates`). */
  readonly links?: readonly StoredLink[];
}

export interface TicketWithConversation {
  readonly ticket: Ticket;
  readonly articles: readonly Article[];
  /** Child tickets (the incidents of a major incident). */
  readonly children: readonly { readonly id: string; readonly number: string }[];
}

/** The lists the product shows; each is one Query on the table or an index. */
export type TicketList =
  | { readonly by: 'requester'; readonly email: string }
  | { readonly by: 'assignee'; readonly email: string }
  | { readonly by: 'queue'; readonly group: string; readonly state: TicketState }
  | { readonly by: 'unassigned'; readonly group: string };

export interface TicketStore {
  /**
   * Numbers and stores a ticket with its first article and audit entries in one
   * transaction. With an idempotency key already used, returns the first ticket and `created: false`.
   */
  create(newTicket: NewTicket, kind: TicketKind): Promise<{ ticket: Ticket; created: boolean }>;
  /**
   * Takes the next number of a kind now, for a create that follows (`NewTicket.number`). A number
   * reserved and never used is a gap, which numbers allow. Optional: a store without it numbers at create.
   */
  reserveNumber?(kind: TicketKind): ReservedNumber;
  /** The ticket and its conversation, oldest article first. */
  get(id: string): Promise<TicketWithConversation | undefined>;
  /**
   * Writes a change in one transaction. Throws `ConflictError` carrying the stored ticket
   * when its version is no longer `expectedVersion`; returns `applied: false` when the
   * idempotency key had been used.
   */
  update(change: TicketChange): Promise<{ ticket: Ticket; applied: boolean }>;
  /**
   * Writes several changes (no idempotency keys) in one transaction: all or none, as a merge
   * needs. Throws `ConflictError` carrying the stored ticket of the first stale one.
   */
  updateTogether(changes: readonly TicketChange[]): Promise<readonly Ticket[]>;
  /** Most recently updated first, or oldest first when asked. */
  list(list: TicketList, page: TicketListRequest): Promise<Page<Ticket>>;
  findByNumber(number: string): Promise<Ticket | undefined>;
  /** A ticket's audit trail, oldest first. */
  history(id: string, page: PageRequest): Promise<Page<AuditEntry>>;
  /** Resolved tickets whose auto-close time is before `before`, oldest first. */
  dueForAutoClose(before: string, limit: number): Promise<readonly Ticket[]>;
}

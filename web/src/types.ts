/** The API contract as the portal sees it (see functions/http for the server side). */

export type TicketKind = 'incident' | 'request';
export type TicketState = 'new' | 'in_progress' | 'on_hold' | 'resolved' | 'closed' | 'cancelled';
export type HoldReason = 'awaiting_caller' | 'awaiting_change' | 'awaiting_vendor';
export type ResolutionCode =
  | 'solved'
  | 'workaround'
  | 'solved_by_change'
  | 'not_reproducible'
  | 'duplicate'
  | 'cancelled_by_caller';
export type Level = 1 | 2 | 3;
export type Priority = 1 | 2 | 3 | 4 | 5;

export interface Person {
  readonly id?: string;
  readonly email: string;
  readonly name?: string;
}

export interface Resolution {
  readonly code: ResolutionCode;
  readonly notes: string;
  readonly resolvedAt: string;
  readonly resolvedBy: { readonly id: string; readonly email: string };
}

export interface Ticket {
  readonly id: string;
  readonly number: string;
  readonly kind: TicketKind;
  readonly shortDescription: string;
  readonly description: string;
  readonly category?: string;
  readonly service?: string;
  readonly state: TicketState;
  readonly holdReason?: HoldReason;
  readonly impact: Level;
  readonly urgency: Level;
  readonly priority: Priority;
  readonly requester: Person;
  readonly channel: 'portal' | 'email' | 'api' | 'alarm';
  readonly assignmentGroup?: string;
  readonly assignee?: Person;
  readonly watchers: readonly string[];
  readonly resolution?: Resolution;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface Article {
  readonly id: string;
  readonly type: 'reply' | 'note' | 'system';
  readonly author: Person;
  readonly body: string;
  readonly channel?: 'portal' | 'email' | 'api' | 'system';
  /** Mail only: the quoted history below the new part. */
  readonly quoted?: string;
  /** Mail only: the HTML body, sanitized by the server; shown in a sandboxed frame. */
  readonly html?: string;
  /** Mail only: set when the article holds excerpts of a large mail; the whole is one request away. */
  readonly fullBodyKey?: string;
  readonly createdAt: string;
}

/** The whole of a large mail: text, quoted history and sanitized HTML. */
export interface FullMailBody {
  readonly text: string;
  readonly quoted?: string;
  readonly html?: string;
}

export interface NewTicket {
  readonly kind: TicketKind;
  readonly shortDescription: string;
  readonly description: string;
  readonly impact?: Level;
  readonly urgency?: Level;
}

/** What an agent may change; `version` is the one they saw (a stale one is a 409). */
export interface TicketChange {
  readonly version: number;
  readonly state?: TicketState;
  readonly holdReason?: HoldReason;
  readonly resolutionCode?: ResolutionCode;
  readonly resolutionNotes?: string;
  readonly impact?: Level;
  readonly urgency?: Level;
  readonly assignmentGroup?: string | null;
  readonly assignee?: { readonly email: string; readonly name?: string } | null;
  readonly watchers?: readonly string[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

export type TicketPage = Page<Ticket>;

export interface TicketWithConversation {
  readonly ticket: Ticket;
  readonly articles: readonly Article[];
}

export interface AuditEntry {
  readonly at: string;
  readonly actor: { readonly id: string; readonly email: string };
  readonly field: string;
  readonly oldValue?: unknown;
  readonly newValue?: unknown;
  readonly reason?: string;
}

export interface Attachment {
  readonly id: string;
  readonly ticketId: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly uploadedBy: { readonly id: string; readonly email: string };
  readonly createdAt: string;
  readonly state: 'pending' | 'available';
}

export interface UploadGrant {
  readonly attachment: Attachment;
  readonly upload: {
    readonly url: string;
    readonly method: 'PUT';
    readonly headers: Readonly<Record<string, string>>;
  };
}

export interface Group {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly email?: string;
  readonly version: number;
}

export interface GroupMember {
  readonly groupId: string;
  readonly email: string;
  readonly name?: string;
  readonly addedAt: string;
}

export interface RoutingRule {
  readonly id: string;
  readonly name: string;
  readonly conditions: {
    readonly categories?: readonly string[];
    readonly services?: readonly string[];
    readonly keywords?: readonly string[];
    readonly requesterDomains?: readonly string[];
  };
  readonly actions: { readonly group: string; readonly impact?: Level; readonly urgency?: Level };
}

export interface RoutingConfig {
  readonly rules: readonly RoutingRule[];
  readonly defaultGroup?: string;
  readonly version: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface QuarantinedMail {
  readonly id: string;
  readonly reason: string;
  readonly from?: string;
  readonly subject?: string;
  readonly receivedAt: string;
  readonly released?: { readonly at: string; readonly by: string; readonly ticketNumber?: string };
  /** A release that could not make a ticket, and why not. */
  readonly releaseRefused?: { readonly at: string; readonly by: string; readonly reason: string };
}

export interface Me {
  readonly email: string;
  readonly name?: string;
  readonly groups: readonly string[];
  /** The assignment groups whose queues this person works. */
  readonly assignmentGroups: readonly string[];
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface QueueQuery {
  readonly view: 'assigned' | 'queue' | 'unassigned';
  readonly group?: string;
  readonly state?: TicketState;
  readonly order?: 'newest' | 'oldest';
  readonly priority?: Priority;
  readonly limit?: number;
}

/** The API contract as the portal sees it (see functions/http for the server side). */

export type TicketKind = 'incident' | 'request';
export type TicketState = 'new' | 'in_progress' | 'on_hold' | 'resolved' | 'closed' | 'cancelled';
export type Level = 1 | 2 | 3;

export interface Person {
  readonly id?: string;
  readonly email: string;
  readonly name?: string;
}

export interface Ticket {
  readonly id: string;
  readonly number: string;
  readonly kind: TicketKind;
  readonly shortDescription: string;
  readonly description: string;
  readonly state: TicketState;
  readonly impact: Level;
  readonly urgency: Level;
  readonly priority: 1 | 2 | 3 | 4 | 5;
  readonly requester: Person;
  readonly channel: 'portal' | 'email' | 'api' | 'alarm';
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface Article {
  readonly id: string;
  readonly type: 'reply' | 'note' | 'system';
  readonly author: Person;
  readonly body: string;
  readonly createdAt: string;
}

export interface NewTicket {
  readonly kind: TicketKind;
  readonly shortDescription: string;
  readonly description: string;
  readonly impact?: Level;
  readonly urgency?: Level;
}

export interface TicketPage {
  readonly items: readonly Ticket[];
  readonly cursor?: string;
}

export interface TicketWithConversation {
  readonly ticket: Ticket;
  readonly articles: readonly Article[];
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

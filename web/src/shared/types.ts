/**
 * The API contract as the portal sees it. Records and inputs are the server's own zod types,
 * imported type-only (nothing of the server reaches the bundle), so a field added or renamed
 * on the server is a compile error here rather than a silent drift. Only the shapes that exist
 * nowhere on the server as a schema (pages, the session, query strings) are written here.
 */

import type * as z from 'zod';
import type { Attachment } from '../../../functions/core/attachment/attachment.ts';
import type { ChangeState } from '../../../functions/core/change/change.ts';
import type { Article, AuditEntry as ServerAuditEntry } from '../../../functions/core/ticket/article.ts';
import type { Ticket } from '../../../functions/core/ticket/ticket.ts';
import type {
  OpenTicketInput,
  TicketListQuery,
  UpdateTicketInput,
} from '../../../functions/core/ticket/ticket-service.ts';

export type { Attachment } from '../../../functions/core/attachment/attachment.ts';
export type { Group, GroupMember } from '../../../functions/core/group/group.ts';
export type { FullMailBody } from '../../../functions/core/mail/full-body.ts';
export type { QuarantinedMail } from '../../../functions/core/mail/quarantine.ts';
export type { RoutingConfig, RoutingRule } from '../../../functions/core/routing/routing-rules.ts';
export type { Article } from '../../../functions/core/ticket/article.ts';
export type { Level, Priority } from '../../../functions/core/ticket/priority.ts';
export type {
  Channel,
  HoldReason,
  Person,
  Resolution,
  ResolutionCode,
  Ticket,
  TicketKind,
  TicketState,
} from '../../../functions/core/ticket/ticket.ts';
export type { ChangeState };

/** What a person fills in to open a ticket (the server applies the defaults). */
export type NewTicket = OpenTicketInput;

/** What an agent may change; `version` is the one they saw (a stale one is a 409). */
export type TicketChange = UpdateTicketInput;

/** An audit entry as the history lists return it (the ticket id is the one asked for). */
export type AuditEntry = Omit<ServerAuditEntry, 'ticketId' | 'actor'> & {
  readonly actor: { readonly id?: string; readonly email: string };
};

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

export type TicketPage = Page<Ticket>;

export interface TicketWithConversation {
  readonly ticket: Ticket;
  readonly articles: readonly Article[];
}

export interface UploadGrant {
  readonly attachment: Attachment;
  readonly upload: {
    readonly url: string;
    readonly method: 'PUT';
    readonly headers: Readonly<Record<string, string>>;
  };
}

/** `GET /api/me` (functions/http/routes/session.ts). */
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

/** A queue's query string: the server's list query without the employee's own view and the cursor. */
export type QueueQuery = Partial<Omit<z.output<typeof TicketListQuery>, 'view' | 'cursor'>> & {
  readonly view: 'assigned' | 'queue' | 'unassigned';
};

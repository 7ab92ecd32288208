import * as z from 'zod';
import { formatRecordNumber, Label, Person, RecordNumber } from '../record/record.ts';
import { Level, Priority } from './priority.ts';

/**
 * The ticket: one record type for every kind of work. Incidents and service requests use it
 * now; problems, changes and releases extend it with their own fields and number prefixes.
 */
export const TicketKind = z.enum(['incident', 'request']);
export type TicketKind = z.infer<typeof TicketKind>;

/** Shared with every record type; kept here under their old names for the ticket module's users. */
export { FIRST_SEQUENCE, Label, type NumberedKind, numberPrefixes, Person } from '../record/record.ts';
export const TicketNumber = RecordNumber;
export type TicketNumber = RecordNumber;
export const formatTicketNumber = formatRecordNumber;

export const TicketState = z.enum(['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled']);
export type TicketState = z.infer<typeof TicketState>;

/** States in which work is still expected: what queues show and what "unassigned" means. */
export const activeStates: readonly TicketState[] = ['new', 'in_progress', 'on_hold'];

export const HoldReason = z.enum(['awaiting_caller', 'awaiting_change', 'awaiting_vendor']);
export type HoldReason = z.infer<typeof HoldReason>;

export const ResolutionCode = z.enum([
  'solved',
  'workaround',
  'solved_by_change',
  'not_reproducible',
  'duplicate',
  'cancelled_by_caller',
]);
export type ResolutionCode = z.infer<typeof ResolutionCode>;

export const Channel = z.enum(['portal', 'email', 'api', 'alarm']);
export type Channel = z.infer<typeof Channel>;

export const LinkType = z.enum(['relates_to', 'caused_by', 'duplicates', 'blocks']);
export const TicketLink = z.object({ type: LinkType, ticketId: z.string().min(1).max(64) });
export type TicketLink = z.infer<typeof TicketLink>;

export const Resolution = z.object({
  code: ResolutionCode,
  notes: z.string().min(1).max(4000),
  resolvedAt: z.iso.datetime(),
  resolvedBy: z.object({ id: z.string(), email: z.string() }),
});
export type Resolution = z.infer<typeof Resolution>;

export const Ticket = z.object({
  id: z.string().min(1).max(64),
  number: TicketNumber,
  kind: TicketKind,
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(10_000),
  category: Label.optional(),
  subcategory: Label.optional(),
  /** The affected service (a plain reference until the CMDB exists). */
  service: Label.optional(),
  state: TicketState,
  holdReason: HoldReason.optional(),
  impact: Level,
  urgency: Level,
  priority: Priority,
  requester: Person,
  channel: Channel,
  assignmentGroup: Label.optional(),
  assignee: Person.optional(),
  watchers: z.array(z.email().max(254)).max(50).default([]),
  tags: z.array(Label).max(20).default([]),
  /** A child incident points at its major incident. */
  parentId: z.string().min(1).max(64).optional(),
  links: z.array(TicketLink).max(50).default([]),
  resolution: Resolution.optional(),
  closedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Ticket = z.infer<typeof Ticket>;

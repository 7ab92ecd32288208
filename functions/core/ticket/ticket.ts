import { z } from 'zod';
import { Level, Priority } from './priority.ts';

/**
 * The ticket: one record type for every kind of work (incidents and service requests now;
 * problems, changes and releases extend it). Each kind has its own number prefix.
 */
export const TicketKind = z.enum(['incident', 'request']);
export type TicketKind = z.infer<typeof TicketKind>;

export const numberPrefixes: Record<TicketKind, string> = { incident: 'INC', request: 'REQ' };

/** `INC0001042`: prefix and seven digits, the way service desks have always written them. */
export const TicketNumber = z.string().regex(/^(INC|REQ|PRB|CHG|RLS)\d{7,}$/, 'must look like INC0001042');
export type TicketNumber = z.infer<typeof TicketNumber>;

export const formatTicketNumber = (kind: TicketKind, sequence: number): string =>
  `${numberPrefixes[kind]}${String(sequence).padStart(7, '0')}`;

/** The first number a counter hands out, so numbers have the familiar shape from day one. */
export const FIRST_SEQUENCE = 1001;

export const TicketState = z.enum(['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled']);
export type TicketState = z.infer<typeof TicketState>;

export const Channel = z.enum(['portal', 'email', 'api', 'alarm']);
export type Channel = z.infer<typeof Channel>;

export const Person = z.object({
  id: z.string().min(1).max(200),
  email: z.email().max(254),
  name: z.string().max(200).optional(),
});
export type Person = z.infer<typeof Person>;

export const Ticket = z.object({
  id: z.string().min(1).max(64),
  number: TicketNumber,
  kind: TicketKind,
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(10_000),
  state: TicketState,
  impact: Level,
  urgency: Level,
  priority: Priority,
  requester: Person,
  channel: Channel,
  assignmentGroup: z.string().max(64).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Ticket = z.infer<typeof Ticket>;

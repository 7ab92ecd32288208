import * as z from 'zod';
import { type Actor, isAgent, normalizeEmail } from '../identity/actor.ts';
import { Label } from '../record/record.ts';
import { ForbiddenError, ValidationError } from '../shared/errors.ts';
import { type Level, Priority, type PriorityMatrix } from '../ticket/priority.ts';
import { HoldReason, ResolutionCode, type Ticket, TicketState } from '../ticket/ticket.ts';
import {
  changeTicket,
  type TicketDeps,
  type UpdateTicketInput,
  visibleTicket,
} from '../ticket/ticket-service.ts';

/**
 * Bulk actions on a queue selection: one change (assignee, state, priority, group) applied to
 * each selected ticket as its own versioned, audited write. Tickets do not wait for each other
 * and one refusal does not undo the others: the answer says, ticket by ticket, what happened.
 */

/** Most tickets one bulk action takes (a queue page holds 50). */
export const MAX_BULK_TICKETS = 50;

export const BulkChange = z
  .strictObject({
    assignee: z
      .strictObject({
        email: z.email().max(254).transform(normalizeEmail),
        name: z.string().max(200).optional(),
      })
      .nullable()
      .optional(),
    state: TicketState.optional(),
    holdReason: HoldReason.optional(),
    resolutionCode: ResolutionCode.optional(),
    resolutionNotes: z.string().trim().min(1).max(4000).optional(),
    /** Set through impact and urgency (the priority is always worked out from them). */
    priority: Priority.optional(),
    assignmentGroup: Label.optional(),
  })
  .refine((change) => Object.keys(change).length > 0, { message: 'names nothing to change' });
export type BulkChange = z.output<typeof BulkChange>;

export const BulkInput = z.strictObject({
  /** Each ticket with the version the agent saw in the queue; a stale one is that ticket's 409. */
  tickets: z
    .array(z.strictObject({ id: z.string().min(1).max(64), version: z.number().int().min(1) }))
    .min(1, 'select at least one ticket')
    .max(MAX_BULK_TICKETS)
    .refine((list) => new Set(list.map((t) => t.id)).size === list.length, 'names a ticket twice'),
  change: BulkChange,
});
export type BulkInput = z.input<typeof BulkInput>;

/** One ticket's outcome: the ticket as saved, or the error that refused it (the HTTP layer maps it). */
export type BulkOutcome =
  | { readonly id: string; readonly ticket: Ticket }
  | { readonly id: string; readonly error: unknown };

/**
 * The impact and urgency that give `priority`, changing as little as possible: the ticket's
 * impact kept if it can be, else its urgency, else the first pair of the matrix that fits.
 */
export function levelsFor(
  priority: number,
  ticket: Pick<Ticket, 'impact' | 'urgency'>,
  matrix: PriorityMatrix,
): { impact: Level; urgency: Level } {
  const levels = [1, 2, 3] as const;
  const fits = (impact: Level, urgency: Level) => matrix[impact - 1]?.[urgency - 1] === priority;
  if (fits(ticket.impact, ticket.urgency)) return { impact: ticket.impact, urgency: ticket.urgency };
  const urgency = levels.find((u) => fits(ticket.impact, u));
  if (urgency) return { impact: ticket.impact, urgency };
  const impact = levels.find((i) => fits(i, ticket.urgency));
  if (impact) return { impact, urgency: ticket.urgency };
  for (const i of levels) for (const u of levels) if (fits(i, u)) return { impact: i, urgency: u };
  throw new ValidationError('Priority not reachable', [
    { path: 'change.priority', message: `no impact and urgency give priority ${priority}` },
  ]);
}

const BULK_CONCURRENCY = 5;

/** Applies one change to each selected ticket, five at a time, and reports each ticket's outcome in order. */
export async function bulkUpdate(deps: TicketDeps, actor: Actor, raw: BulkInput): Promise<BulkOutcome[]> {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents change tickets in bulk');
  const input = BulkInput.parse(raw);
  const { priority, ...fields } = input.change;
  const one = async ({ id, version }: { id: string; version: number }): Promise<BulkOutcome> => {
    try {
      let levels = {};
      if (priority !== undefined) {
        const { ticket } = await visibleTicket(deps, actor, id);
        levels = levelsFor(priority, ticket, deps.settings.priorityMatrix);
      }
      const change: UpdateTicketInput = { version, ...fields, ...levels };
      const { ticket } = await changeTicket(deps, actor, id, change, { reason: 'bulk change' });
      return { id, ticket };
    } catch (error) {
      return { id, error };
    }
  };
  const outcomes: BulkOutcome[] = new Array(input.tickets.length);
  let next = 0;
  const worker = async () => {
    while (next < input.tickets.length) {
      const at = next++;
      outcomes[at] = await one(input.tickets[at] as { id: string; version: number });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, input.tickets.length) }, worker));
  return outcomes;
}

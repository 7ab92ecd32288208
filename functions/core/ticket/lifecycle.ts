import {
  allowedMoves,
  isFinalState,
  type LifecycleTable,
  movesFrom,
  requiredFields,
} from '../record/lifecycle.ts';
import { type TicketState, TicketState as TicketStates } from './ticket.ts';

/**
 * The ticket lifecycle table. Agents move a ticket along; a requester may only cancel it; the
 * system closes a resolved ticket after the auto-close time and reopens it (or takes it off
 * hold) on the caller's reply. `resolved → in_progress` is a reopen; `closed` and `cancelled`
 * are final.
 */
export type TicketRole = 'agent' | 'requester' | 'system';

const byAgent: Readonly<Record<TicketState, readonly TicketState[]>> = {
  new: ['in_progress', 'on_hold', 'resolved', 'cancelled'],
  in_progress: ['on_hold', 'resolved', 'cancelled'],
  on_hold: ['in_progress', 'resolved', 'cancelled'],
  resolved: ['in_progress', 'closed'],
  closed: [],
  cancelled: [],
};

export const ticketLifecycle: LifecycleTable<TicketState, TicketRole> = {
  states: TicketStates.options,
  initial: 'new',
  roles: ['agent', 'requester', 'system'],
  moves: [
    ...movesFrom(byAgent, ['agent'], {
      on_hold: ['holdReason'],
      resolved: ['resolutionCode', 'resolutionNotes'],
    }).map((move) =>
      move.to === 'cancelled' && move.from !== 'resolved'
        ? { ...move, roles: ['agent', 'requester'] as const }
        : move,
    ),
    { from: 'resolved', to: 'closed', roles: ['system'] },
    { from: 'resolved', to: 'in_progress', roles: ['system'] },
    { from: 'on_hold', to: 'in_progress', roles: ['system'] },
  ],
};

/** Which state an agent may move a ticket to from each state (the table, read for agents). */
export const allowedTransitions = Object.fromEntries(
  TicketStates.options.map((state) => [state, allowedMoves(ticketLifecycle, state, 'agent')]),
) as unknown as Readonly<Record<TicketState, readonly TicketState[]>>;

export const canTransition = (from: TicketState, to: TicketState, role: TicketRole = 'agent'): boolean =>
  from === to || allowedMoves(ticketLifecycle, from, role).includes(to);

export const isFinal = (state: TicketState): boolean => isFinalState(ticketLifecycle, state);

/** The fields a move of a ticket requires (a hold reason, a resolution). */
export const ticketMoveRequires = (from: TicketState, to: TicketState): readonly string[] =>
  requiredFields(ticketLifecycle, from, to);

/** Settings of the lifecycle that each deployment may change. */
export interface LifecycleSettings {
  /** Days after resolution during which a reply from the caller reopens the ticket. @default 7 */
  readonly reopenWindowDays: number;
  /** Days after resolution after which the ticket closes by itself. @default 5 */
  readonly autoCloseDays: number;
}

export const defaultLifecycleSettings: LifecycleSettings = { reopenWindowDays: 7, autoCloseDays: 5 };

const DAY_MS = 24 * 3600 * 1000;

/** When a resolved ticket closes by itself. */
export const autoCloseAt = (resolvedAt: string, settings: LifecycleSettings): string =>
  new Date(Date.parse(resolvedAt) + settings.autoCloseDays * DAY_MS).toISOString();

/** Whether a caller's reply at `now` still reopens a ticket resolved at `resolvedAt`. */
export const withinReopenWindow = (resolvedAt: string, now: Date, settings: LifecycleSettings): boolean =>
  now.getTime() - Date.parse(resolvedAt) <= settings.reopenWindowDays * DAY_MS;

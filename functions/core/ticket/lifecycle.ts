import type { TicketState } from './ticket.ts';

/**
 * The ticket lifecycle: which state may follow which. `resolved → in_progress` is a reopen;
 * `closed` and `cancelled` are final.
 */
export const allowedTransitions: Readonly<Record<TicketState, readonly TicketState[]>> = {
  new: ['in_progress', 'on_hold', 'resolved', 'cancelled'],
  in_progress: ['on_hold', 'resolved', 'cancelled'],
  on_hold: ['in_progress', 'resolved', 'cancelled'],
  resolved: ['in_progress', 'closed'],
  closed: [],
  cancelled: [],
};

export const canTransition = (from: TicketState, to: TicketState): boolean =>
  from === to || allowedTransitions[from].includes(to);

export const isFinal = (state: TicketState): boolean => allowedTransitions[state].length === 0;

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

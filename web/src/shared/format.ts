import type { Channel, HoldReason, ResolutionCode, TicketKind, TicketState } from './types.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeWithZone = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/** In the viewer's own time zone and locale. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDateTimeWithZone(iso: string): string {
  return dateTimeWithZone.format(new Date(iso));
}

export const stateLabels: Record<TicketState, string> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

export const priorityLabels: Record<number, string> = {
  1: '1 – Critical',
  2: '2 – High',
  3: '3 – Moderate',
  4: '4 – Low',
  5: '5 – Planning',
};

export const kindLabels: Record<TicketKind, string> = { incident: 'Something broken', request: 'Request' };

export const holdReasonLabels: Record<HoldReason, string> = {
  awaiting_caller: 'Awaiting caller',
  awaiting_change: 'Awaiting change',
  awaiting_vendor: 'Awaiting vendor',
};

export const resolutionLabels: Record<ResolutionCode, string> = {
  solved: 'Solved',
  workaround: 'Workaround given',
  solved_by_change: 'Solved by a change',
  not_reproducible: 'Not reproducible',
  duplicate: 'Duplicate',
  cancelled_by_caller: 'Cancelled by caller',
};

export const channelLabels: Record<Channel, string> = {
  portal: 'the portal',
  email: 'mail',
  api: 'the API',
  alarm: 'an alarm',
};

export const levelLabels: Record<number, string> = { 1: '1 – High', 2: '2 – Medium', 3: '3 – Low' };

/** The states a ticket may move to from each state: the server's own lifecycle table, not a copy. */
export { allowedTransitions as nextStates } from '../../../functions/core/ticket/lifecycle.ts';

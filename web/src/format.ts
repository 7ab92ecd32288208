import type { TicketKind, TicketState } from './types.ts';

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

export const kindLabels: Record<TicketKind, string> = { incident: 'Problem report', request: 'Request' };

import * as z from 'zod';

/**
 * What cloud operations remembers per source of trouble (a CloudWatch alarm, an AWS Health event):
 * its last state, the incident it has open, and enough history to damp flapping. Keyed by the
 * alarm's ARN or the Health event's ARN; every write is conditional on `version`, so two
 * deliveries of the same alarm at once decide one after the other.
 */
export const SignalKind = z.enum(['alarm', 'health']);
export type SignalKind = z.infer<typeof SignalKind>;

export const Signal = z.object({
  key: z.string().min(1).max(2048),
  kind: SignalKind,
  name: z.string().min(1).max(512),
  /** The last state seen (`ALARM`, `OK`, `INSUFFICIENT_DATA`; Health's `open`, `closed`, …). */
  state: z.string().min(1).max(64),
  /** When that state began (the event's own time: late deliveries of older states are ignored). */
  stateAt: z.iso.datetime({ offset: true }),
  /** Incidents opened for this signal so far: the next one's idempotency key is `…#<episode + 1>`. */
  episode: z.number().int().min(0),
  incidentId: z.string().min(1).max(64).optional(),
  incidentNumber: z.string().max(32).optional(),
  /** Times of the recent state changes, newest last (flapping is many of them in the window). */
  transitions: z.array(z.string()).max(50).default([]),
  /** When the incident last got an entry from this signal. */
  lastEntryAt: z.string().optional(),
  /** Repeats folded into the next entry instead of an entry each (damping). */
  folded: z.number().int().min(0).default(0),
  version: z.number().int().min(1),
});
export type Signal = z.infer<typeof Signal>;

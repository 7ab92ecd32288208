import * as z from 'zod';
import { addBusinessTime, type BusinessCalendar, businessTimeBetween } from './business-calendar.ts';

/**
 * The clock of one service-level target on one record, independent of the record type: it
 * is told what happened to the record (started, paused, resumed, priority changed, stopped,
 * reopened) and answers with its new state, the history entries to write and the next
 * milestone (warning or breach) to schedule. Elapsed time is business time of the target's
 * calendar; paused time never counts.
 */

export const SlaTargetKind = z.enum(['response', 'resolution']);
export type SlaTargetKind = z.infer<typeof SlaTargetKind>;

/** Business minutes per priority (`"1"`…`"5"`); a priority without a target has no clock. */
export const TargetMinutes = z.partialRecord(
  z.enum(['1', '2', '3', '4', '5']),
  z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 365),
);
export type TargetMinutes = z.infer<typeof TargetMinutes>;

export const SlaClockStatus = z.enum(['running', 'paused', 'met', 'breached', 'cancelled']);
export type SlaClockStatus = z.infer<typeof SlaClockStatus>;

const Instant = z.iso.datetime({ offset: true });

/** What the record keeps of one clock (stored with the record; its `version` guards stale timers). */
export const SlaClock = z.strictObject({
  definitionId: z.string().min(1).max(64),
  definitionVersion: z.number().int().min(1),
  target: SlaTargetKind,
  startedAt: Instant,
  priority: z.number().int().min(1).max(5),
  budgetMs: z.number().int().min(0),
  /** Business time used up to `runningSince` (or to the pause). */
  elapsedMs: z.number().int().min(0),
  /** Set while running: the instant from which time counts again. */
  runningSince: Instant.optional(),
  status: SlaClockStatus,
  breached: z.boolean(),
  warned: z.boolean(),
  warnAtPercent: z.number().int().min(1).max(99),
  /** When the target will be missed, while running. */
  dueAt: Instant.optional(),
  stoppedAt: Instant.optional(),
  /** Bumped on every change; a timer that fires with an older one is stale and ignored. */
  version: z.number().int().min(1),
});
export type SlaClock = z.infer<typeof SlaClock>;

export type SlaEntryKind =
  | 'started'
  | 'paused'
  | 'resumed'
  | 'retargeted'
  | 'warning'
  | 'breached'
  | 'met'
  | 'stopped'
  | 'reopened';

/** One line of the record's history (and one event) about a clock. */
export interface SlaEntry {
  readonly kind: SlaEntryKind;
  readonly target: SlaTargetKind;
  readonly definitionId: string;
  readonly at: string;
  readonly detail?: string;
}

/** The next moment something must happen on its own: a one-time schedule for it. */
export interface SlaMilestone {
  readonly kind: 'warning' | 'breach';
  readonly at: string;
  readonly clockVersion: number;
}

export interface ClockStep {
  readonly clock: SlaClock;
  readonly entries: readonly SlaEntry[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const minutesToMs = (minutes: number) => minutes * 60_000;

export function budgetOf(targets: TargetMinutes, priority: number): number | undefined {
  const minutes = targets[String(priority) as keyof TargetMinutes];
  return minutes === undefined ? undefined : minutesToMs(minutes);
}

const entry = (clock: SlaClock, kind: SlaEntryKind, at: string, detail?: string): SlaEntry => ({
  kind,
  target: clock.target,
  definitionId: clock.definitionId,
  at,
  ...(detail ? { detail } : {}),
});

/** Business time used so far, counting the running stretch up to `now`. */
export function elapsedAt(calendar: BusinessCalendar, clock: SlaClock, now: Date): number {
  if (!clock.runningSince) return clock.elapsedMs;
  return clock.elapsedMs + businessTimeBetween(calendar, new Date(clock.runningSince), now);
}

/** Due date and breach flag for a running clock whose elapsed time is known at `since`. */
function withDue(calendar: BusinessCalendar, clock: SlaClock, since: Date): SlaClock {
  const left = clock.budgetMs - clock.elapsedMs;
  if (left <= 0) return { ...clock, dueAt: iso(since.getTime()) };
  return { ...clock, dueAt: addBusinessTime(calendar, since, left).toISOString() };
}

export interface StartClock {
  readonly definitionId: string;
  readonly definitionVersion: number;
  readonly target: SlaTargetKind;
  readonly targets: TargetMinutes;
  readonly warnAtPercent: number;
  readonly priority: number;
  readonly at: Date;
  /** The record is already in a paused state when the clock starts. */
  readonly paused?: boolean;
}

/** Starts a clock, or none when the priority has no target. */
export function startClock(calendar: BusinessCalendar, start: StartClock): ClockStep | undefined {
  const budgetMs = budgetOf(start.targets, start.priority);
  if (budgetMs === undefined) return undefined;
  const base: SlaClock = {
    definitionId: start.definitionId,
    definitionVersion: start.definitionVersion,
    target: start.target,
    startedAt: iso(start.at.getTime()),
    priority: start.priority,
    budgetMs,
    elapsedMs: 0,
    status: start.paused ? 'paused' : 'running',
    breached: false,
    warned: false,
    warnAtPercent: start.warnAtPercent,
    version: 1,
    ...(start.paused ? {} : { runningSince: iso(start.at.getTime()) }),
  };
  const clock = start.paused ? base : withDue(calendar, base, start.at);
  return { clock, entries: [entry(clock, 'started', clock.startedAt, `priority ${start.priority}`)] };
}

const isOpen = (clock: SlaClock) => clock.status === 'running' || clock.status === 'paused';

/** Stops counting (on hold awaiting the caller or a vendor). */
export function pauseClock(calendar: BusinessCalendar, clock: SlaClock, at: Date): ClockStep {
  if (clock.status !== 'running') return { clock, entries: [] };
  const { runningSince: _, dueAt: __, ...rest } = clock;
  const paused: SlaClock = {
    ...rest,
    elapsedMs: elapsedAt(calendar, clock, at),
    status: 'paused',
    version: clock.version + 1,
  };
  return { clock: paused, entries: [entry(paused, 'paused', iso(at.getTime()))] };
}

/** Counts again (the caller replied, the vendor delivered) from `at`. */
export function resumeClock(calendar: BusinessCalendar, clock: SlaClock, at: Date): ClockStep {
  if (clock.status !== 'paused') return { clock, entries: [] };
  const running = withDue(
    calendar,
    { ...clock, status: 'running', runningSince: iso(at.getTime()), version: clock.version + 1 },
    at,
  );
  return { clock: running, entries: [entry(running, 'resumed', iso(at.getTime()))] };
}

/**
 * A new priority takes the target of that priority, measured from the record's start: time
 * already used stays used, so raising the priority may breach at once.
 */
export function retargetClock(
  calendar: BusinessCalendar,
  clock: SlaClock,
  targets: TargetMinutes,
  priority: number,
  at: Date,
): ClockStep {
  if (!isOpen(clock) || priority === clock.priority) return { clock, entries: [] };
  const budgetMs = budgetOf(targets, priority);
  if (budgetMs === undefined) return stopClock(calendar, clock, at, 'cancelled');
  const elapsedMs = elapsedAt(calendar, clock, at);
  const next: SlaClock = {
    ...clock,
    priority,
    budgetMs,
    elapsedMs,
    warned: clock.warned && elapsedMs >= (budgetMs * clock.warnAtPercent) / 100,
    version: clock.version + 1,
    ...(clock.status === 'running' ? { runningSince: iso(at.getTime()) } : {}),
  };
  const retargeted = next.status === 'running' ? withDue(calendar, next, at) : next;
  const entries = [
    entry(retargeted, 'retargeted', iso(at.getTime()), `priority ${clock.priority} → ${priority}`),
  ];
  if (!retargeted.breached && elapsedMs >= budgetMs) {
    const breached = { ...retargeted, breached: true, version: retargeted.version + 1 };
    return { clock: breached, entries: [...entries, entry(breached, 'breached', iso(at.getTime()))] };
  }
  return { clock: retargeted, entries };
}

/**
 * Stops the clock: `met` when the target was reached in time (a response given, the record
 * resolved), `cancelled` when the record was cancelled or the target no longer applies.
 */
export function stopClock(
  calendar: BusinessCalendar,
  clock: SlaClock,
  at: Date,
  outcome: 'met' | 'cancelled',
): ClockStep {
  if (!isOpen(clock)) return { clock, entries: [] };
  const elapsedMs = elapsedAt(calendar, clock, at);
  const { runningSince: _, dueAt: __, ...rest } = clock;
  const breached = clock.breached || elapsedMs > clock.budgetMs;
  const status: SlaClockStatus = outcome === 'cancelled' ? 'cancelled' : breached ? 'breached' : 'met';
  const stopped: SlaClock = {
    ...rest,
    elapsedMs,
    breached,
    status,
    stoppedAt: iso(at.getTime()),
    version: clock.version + 1,
  };
  return {
    clock: stopped,
    entries: [entry(stopped, status === 'met' ? 'met' : 'stopped', iso(at.getTime()), status)],
  };
}

/** A reopened record resumes its resolution clock where it stopped. */
export function reopenClock(calendar: BusinessCalendar, clock: SlaClock, at: Date): ClockStep {
  if (isOpen(clock) || clock.status === 'cancelled' || clock.target !== 'resolution')
    return { clock, entries: [] };
  const { stoppedAt: _, ...rest } = clock;
  const reopened = withDue(
    calendar,
    { ...rest, status: 'running', runningSince: iso(at.getTime()), version: clock.version + 1 },
    at,
  );
  return { clock: reopened, entries: [entry(reopened, 'reopened', iso(at.getTime()))] };
}

/** The next thing to schedule for a clock: its warning, then its breach; nothing once breached or stopped. */
export function nextMilestone(calendar: BusinessCalendar, clock: SlaClock): SlaMilestone | undefined {
  if (clock.status !== 'running' || clock.breached || !clock.runningSince || !clock.dueAt) return undefined;
  if (!clock.warned) {
    const warnMs = Math.floor((clock.budgetMs * clock.warnAtPercent) / 100);
    const left = warnMs - clock.elapsedMs;
    if (left > 0)
      return {
        kind: 'warning',
        at: addBusinessTime(calendar, new Date(clock.runningSince), left).toISOString(),
        clockVersion: clock.version,
      };
  }
  return { kind: 'breach', at: clock.dueAt, clockVersion: clock.version };
}

/**
 * A schedule fired. A timer set for an older version of the clock is stale and does nothing
 * (the record changed since); a current one records the warning or the breach.
 */
export function fireMilestone(
  calendar: BusinessCalendar,
  clock: SlaClock,
  milestone: SlaMilestone,
  now: Date,
): ClockStep {
  if (milestone.clockVersion !== clock.version || clock.status !== 'running') return { clock, entries: [] };
  const elapsed = elapsedAt(calendar, clock, now);
  if (milestone.kind === 'warning' && !clock.warned) {
    if (elapsed < Math.floor((clock.budgetMs * clock.warnAtPercent) / 100)) return { clock, entries: [] };
    const warned = { ...clock, warned: true, version: clock.version + 1 };
    return { clock: warned, entries: [entry(warned, 'warning', iso(now.getTime()))] };
  }
  if (milestone.kind === 'breach' && !clock.breached && elapsed >= clock.budgetMs) {
    const breached = { ...clock, breached: true, warned: true, version: clock.version + 1 };
    return { clock: breached, entries: [entry(breached, 'breached', iso(now.getTime()))] };
  }
  return { clock, entries: [] };
}

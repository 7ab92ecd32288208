import * as z from 'zod';
import { ALWAYS, type BusinessCalendar } from './business-calendar.ts';
import {
  type ClockStep,
  elapsedAt,
  fireMilestone,
  nextMilestone,
  pauseClock,
  reopenClock,
  resumeClock,
  retargetClock,
  SlaClock,
  type SlaEntry,
  SlaTargetKind,
  startClock,
  stopClock,
  TargetMinutes,
} from './sla-clock.ts';
import {
  applicableDefinitions,
  Escalation,
  PauseRule,
  SlaAction,
  type SlaDefinition,
  type SlaSubject,
} from './sla-definition.ts';

/**
 * The service levels of one record, whatever its type: the clocks attached when it was
 * opened (each with the definition version it started under, frozen, so editing a definition
 * changes new records only), what was last seen of the record, and the one next milestone a
 * timer waits for. The record's own events drive it ({@link reconcile}); a timer fires it
 * ({@link fire}). It never scans: each step reads one record and writes one item.
 */

const Instant = z.iso.datetime({ offset: true });

/** One clock with what it needs of its definition (frozen at attachment). */
export const TrackedClock = z.strictObject({
  clock: SlaClock,
  name: z.string().max(120),
  kind: z.enum(['sla', 'ola']),
  calendarId: z.string().max(80),
  targets: TargetMinutes,
  pauseWhen: z.array(PauseRule).max(10),
  escalations: z.array(Escalation).max(10),
});
export type TrackedClock = z.infer<typeof TrackedClock>;

/** How the record stands with respect to its clocks. */
export const RecordPhase = z.enum(['open', 'resolved', 'cancelled']);
export type RecordPhase = z.infer<typeof RecordPhase>;

export const SlaRecord = z.strictObject({
  recordId: z.string().min(1).max(64),
  /** `incident`, `request`, `problem`, `task`…: what definitions match on. */
  recordType: z.string().min(1).max(40),
  number: z.string().max(20),
  assignmentGroup: z.string().max(64).optional(),
  assignee: z.email().max(254).optional(),
  clocks: z.array(TrackedClock).max(10),
  /** What was last applied of the record: its version and the facts the clocks follow. */
  seen: z.strictObject({
    recordVersion: z.number().int().min(1),
    state: z.string().max(40),
    holdReason: z.string().max(40).optional(),
    priority: z.number().int().min(1).max(5),
    phase: RecordPhase,
    responded: z.boolean(),
  }),
  /** Earliest due time of a running clock: the queue's order. */
  dueAt: Instant.optional(),
  /** The milestone the record's timer is set for. */
  next: z
    .strictObject({ at: Instant, kind: z.enum(['warning', 'breach']), target: SlaTargetKind })
    .optional(),
  /** Changes escalations decided for the record itself, not yet known to be done (see {@link SlaAction}). */
  pending: z.array(SlaAction).max(10).optional(),
  /** The version whose timer is known to be set (or known to need none); behind `version` means repair. */
  armedVersion: z.number().int().min(0),
  breached: z.boolean(),
  version: z.number().int().min(1),
  updatedAt: Instant,
});
export type SlaRecord = z.infer<typeof SlaRecord>;

/** What the SLA engine reads of a record, from whichever record type it is. */
export interface RecordSnapshot extends SlaSubject {
  readonly recordId: string;
  readonly number: string;
  readonly version: number;
  readonly state: string;
  readonly holdReason?: string;
  readonly phase: RecordPhase;
  readonly assignee?: string;
  /** For definitions with `requesterGroups`. */
  readonly requesterEmail?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When an agent first answered in public or accepted the record, if they have. */
  readonly firstResponseAt?: string;
  /** When it was resolved, while it is. */
  readonly resolvedAt?: string;
}

export type Calendars = (id: string) => BusinessCalendar;

/** A history entry about a clock, with the clock's figures for the `sla.*` event. */
export interface SlaHappening extends SlaEntry {
  readonly kind: SlaEntry['kind'];
  readonly name: string;
  readonly slaKind: 'sla' | 'ola';
  readonly clock: SlaClock;
  readonly escalations: readonly Escalation[];
}

export interface SlaStep {
  readonly record: SlaRecord;
  readonly happenings: readonly SlaHappening[];
  /** Whether anything changed (a write is due). */
  readonly changed: boolean;
}

const calendarOf = (calendars: Calendars, tracked: TrackedClock) => {
  try {
    return calendars(tracked.calendarId);
  } catch {
    return ALWAYS;
  }
};

function apply(
  calendars: Calendars,
  tracked: TrackedClock,
  step: (calendar: BusinessCalendar, clock: SlaClock) => ClockStep,
  out: SlaHappening[],
): TrackedClock {
  const { clock, entries } = step(calendarOf(calendars, tracked), tracked.clock);
  for (const entry of entries)
    out.push({
      ...entry,
      name: tracked.name,
      slaKind: tracked.kind,
      clock,
      escalations: tracked.escalations,
    });
  return clock === tracked.clock ? tracked : { ...tracked, clock };
}

const isOpen = (clock: SlaClock) => clock.status === 'running' || clock.status === 'paused';

/** The earliest due time and next milestone over the running clocks. */
function summarize(calendars: Calendars, record: Omit<SlaRecord, 'dueAt' | 'next'>): SlaRecord {
  let dueAt: string | undefined;
  let next: SlaRecord['next'];
  for (const tracked of record.clocks) {
    const { clock } = tracked;
    if (clock.status === 'running' && clock.dueAt && (!dueAt || clock.dueAt < dueAt)) dueAt = clock.dueAt;
    const milestone = nextMilestone(calendarOf(calendars, tracked), clock);
    if (milestone && (!next || milestone.at < next.at))
      next = { at: milestone.at, kind: milestone.kind, target: clock.target };
  }
  return {
    ...record,
    breached: record.clocks.some((t) => t.clock.breached),
    ...(dueAt ? { dueAt } : {}),
    ...(next ? { next } : {}),
  };
}

/** Starts the clocks of the definitions that apply to a new record, from its creation. */
export function attach(
  definitions: readonly SlaDefinition[],
  calendars: Calendars,
  snapshot: RecordSnapshot,
  now: Date,
  /** The calendar a definition's clocks use for this record (a service's or group's own). */
  chooseCalendar: (calendarId: string, subject: RecordSnapshot) => string = (id) => id,
): SlaStep {
  const happenings: SlaHappening[] = [];
  const clocks: TrackedClock[] = [];
  const created = new Date(snapshot.createdAt);
  for (const definition of applicableDefinitions(definitions, snapshot)) {
    for (const target of SlaTargetKind.options) {
      const targets = definition.targets[target];
      if (!targets) continue;
      const calendarId = chooseCalendar(definition.calendarId, snapshot);
      const frozen = {
        name: definition.name,
        kind: definition.kind,
        calendarId,
        targets,
        pauseWhen: definition.pauseWhen,
        escalations: definition.escalations,
      };
      const calendar = calendars(calendarId);
      const step = startClock(calendar, {
        definitionId: definition.id,
        definitionVersion: definition.version,
        target,
        targets,
        warnAtPercent: definition.warnAtPercent,
        priority: snapshot.priority,
        at: created,
      });
      if (!step) continue;
      const tracked = { ...frozen, clock: step.clock };
      for (const entry of step.entries)
        happenings.push({
          ...entry,
          name: definition.name,
          slaKind: definition.kind,
          clock: step.clock,
          escalations: definition.escalations,
        });
      clocks.push(tracked);
    }
  }
  const base = summarize(calendars, {
    recordId: snapshot.recordId,
    recordType: snapshot.recordType,
    number: snapshot.number,
    ...(snapshot.assignmentGroup ? { assignmentGroup: snapshot.assignmentGroup } : {}),
    ...(snapshot.assignee ? { assignee: snapshot.assignee } : {}),
    clocks,
    seen: {
      recordVersion: 1,
      state: 'new',
      priority: snapshot.priority,
      phase: 'open',
      responded: false,
    },
    armedVersion: 0,
    breached: false,
    version: 1,
    updatedAt: now.toISOString(),
  });
  // The record may have moved on since it was created: apply what it is now.
  const caught = reconcile(calendars, base, snapshot, now, true);
  return { record: caught.record, happenings: [...happenings, ...caught.happenings], changed: true };
}

/**
 * Brings the clocks in line with the record as it is now: a first response stops the
 * response clock, resolution stops the resolution clock (met or breached), cancellation
 * cancels both, reopening resumes the resolution clock, a pause state pauses and leaving it
 * resumes, a new priority retargets from the record's start. Each change takes effect at the
 * record's `updatedAt`. A snapshot no newer than the one seen changes nothing (events arrive
 * at least once and in any order).
 */
export function reconcile(
  calendars: Calendars,
  record: SlaRecord,
  snapshot: RecordSnapshot,
  now: Date,
  force = false,
): SlaStep {
  if (!force && snapshot.version <= record.seen.recordVersion)
    return { record, happenings: [], changed: false };
  const at = new Date(snapshot.updatedAt);
  const out: SlaHappening[] = [];
  const seen = record.seen;
  const clocks = record.clocks.map((initial) => {
    let tracked = initial;
    const step = (fn: (calendar: BusinessCalendar, clock: SlaClock) => ClockStep) => {
      tracked = apply(calendars, tracked, fn, out);
    };
    if (snapshot.priority !== tracked.clock.priority)
      step((c, clock) => retargetClock(c, clock, tracked.targets, snapshot.priority, at));
    if (tracked.clock.target === 'response' && snapshot.firstResponseAt && isOpen(tracked.clock)) {
      const when = new Date(snapshot.firstResponseAt);
      step((c, clock) => stopClock(c, clock, when, 'met'));
    }
    if (snapshot.phase === 'cancelled') step((c, clock) => stopClock(c, clock, at, 'cancelled'));
    if (snapshot.phase === 'resolved') {
      const when = new Date(snapshot.resolvedAt ?? snapshot.updatedAt);
      step((c, clock) => stopClock(c, clock, when, 'met'));
    }
    if (snapshot.phase === 'open' && seen.phase === 'resolved') step((c, clock) => reopenClock(c, clock, at));
    if (snapshot.phase === 'open') {
      const pauses = tracked.pauseWhen.some(
        (rule) =>
          rule.state === snapshot.state && (rule.reason === undefined || rule.reason === snapshot.holdReason),
      );
      if (pauses) step((c, clock) => pauseClock(c, clock, at));
      else step((c, clock) => resumeClock(c, clock, at));
    }
    return tracked;
  });
  const nextSeen = {
    recordVersion: Math.max(snapshot.version, seen.recordVersion),
    state: snapshot.state,
    ...(snapshot.holdReason ? { holdReason: snapshot.holdReason } : {}),
    priority: snapshot.priority,
    phase: snapshot.phase,
    responded: seen.responded || snapshot.firstResponseAt !== undefined,
  };
  const { dueAt: _, next: __, assignmentGroup: ___, assignee: ____, ...rest } = record;
  const next = summarize(calendars, {
    ...rest,
    ...(snapshot.assignmentGroup ? { assignmentGroup: snapshot.assignmentGroup } : {}),
    ...(snapshot.assignee ? { assignee: snapshot.assignee } : {}),
    clocks,
    seen: nextSeen,
    version: record.version + 1,
    updatedAt: now.toISOString(),
  });
  return { record: next, happenings: out, changed: true };
}

/**
 * A timer fired for the record's version `version`: a stale one (the record changed since)
 * does nothing; a current one records every warning and breach now due.
 */
export function fire(calendars: Calendars, record: SlaRecord, version: number, now: Date): SlaStep {
  if (version !== record.version) return { record, happenings: [], changed: false };
  const out: SlaHappening[] = [];
  const clocks = record.clocks.map((initial) => {
    let tracked = initial;
    // A warning and the breach may both be due (the timer was late): fire them in order.
    for (let i = 0; i < 2; i++) {
      const milestone = nextMilestone(calendarOf(calendars, tracked), tracked.clock);
      if (!milestone || Date.parse(milestone.at) > now.getTime()) break;
      tracked = apply(calendars, tracked, (c, clock) => fireMilestone(c, clock, milestone, now), out);
    }
    return tracked;
  });
  if (out.length === 0) return { record, happenings: [], changed: false };
  const { dueAt: _, next: __, ...rest } = record;
  return {
    record: summarize(calendars, {
      ...rest,
      clocks,
      version: record.version + 1,
      updatedAt: now.toISOString(),
    }),
    happenings: out,
    changed: true,
  };
}

/** What a person sees of a clock: its target, due time, elapsed business time and state. */
export interface ClockView {
  readonly name: string;
  readonly kind: 'sla' | 'ola';
  readonly target: 'response' | 'resolution';
  readonly status: SlaClock['status'];
  readonly breached: boolean;
  readonly warned: boolean;
  readonly dueAt?: string;
  readonly budgetMs: number;
  readonly elapsedMs: number;
  readonly priority: number;
  readonly stoppedAt?: string;
}

export function viewClocks(calendars: Calendars, record: SlaRecord, now: Date): ClockView[] {
  return record.clocks.map((tracked) => {
    const { clock } = tracked;
    return {
      name: tracked.name,
      kind: tracked.kind,
      target: clock.target,
      status: clock.status,
      breached: clock.breached,
      warned: clock.warned,
      ...(clock.dueAt ? { dueAt: clock.dueAt } : {}),
      budgetMs: clock.budgetMs,
      elapsedMs: elapsedAt(calendarOf(calendars, tracked), clock, now),
      priority: clock.priority,
      ...(clock.stoppedAt ? { stoppedAt: clock.stoppedAt } : {}),
    };
  });
}

import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';
import type { SlaRecordSource, SlaTimers } from '#ports/sla-store.ts';
import { type Actor, isAdmin, isAgent, systemActor } from '../identity/actor.ts';
import type { AuditDraft } from '../record/audit.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import {
  activeDefinitions,
  calendarChooser,
  calendarLookup,
  listCalendars,
  type SlaAdminDeps,
} from './sla-admin.ts';
import { carryOut, type EscalationDeps, mailEscalation, planEscalations } from './sla-escalation.ts';
import {
  attach,
  type Calendars,
  type ClockView,
  fire,
  reconcile,
  type SlaHappening,
  type SlaRecord,
  type SlaStep,
  viewClocks,
} from './sla-record.ts';

/**
 * The SLA engine's use cases. Record events (`ticket.created`, `ticket.updated`,
 * `article.added`, `problem.*`) call {@link trackRecord}; the record's one-time timer calls
 * {@link fireTimer}. Each reads the record and its SLA state, decides in `sla-record.ts`,
 * writes the state with its history entries in one conditional write, publishes one `sla.*`
 * event per entry, mails the escalations, and sets, moves or deletes the record's timer.
 */

export interface SlaDeps extends SlaAdminDeps, EscalationDeps {
  /** How each record family (`ticket`, `problem`) is read, by the family its events name. */
  readonly sources: Readonly<Record<string, SlaRecordSource>>;
  readonly timers: SlaTimers;
  readonly events: DomainEventPublisher;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  /** The groups a requester is in, for definitions with `requesterGroups`. */
  readonly groupsOf: (email: string) => Promise<readonly string[]>;
}

const MAX_INLINE_FIRINGS = 4;

/** The entry a clock's happening leaves in the record's history. */
function historyOf(happening: SlaHappening): AuditDraft {
  return {
    at: happening.at,
    actor: { id: systemActor.id, email: systemActor.email },
    field: `sla.${happening.target}`,
    newValue: happening.kind,
    reason: `${happening.name}${happening.detail && happening.detail !== happening.kind ? ` (${happening.detail})` : ''}`,
  };
}

const eventType = (kind: SlaHappening['kind']): DomainEvent['type'] => `sla.${kind}` as DomainEvent['type'];

function eventOf(deps: SlaDeps, record: SlaRecord, happening: SlaHappening): DomainEvent {
  const { clock } = happening;
  return {
    type: eventType(happening.kind),
    id: deps.ids.next(),
    at: happening.at,
    detail: {
      recordId: record.recordId,
      recordType: record.recordType,
      number: record.number,
      definitionId: happening.definitionId,
      definitionVersion: clock.definitionVersion,
      kind: happening.slaKind,
      target: happening.target,
      priority: clock.priority,
      ...(record.assignmentGroup ? { assignmentGroup: record.assignmentGroup } : {}),
      status: clock.status,
      breached: clock.breached,
      budgetMs: clock.budgetMs,
      elapsedMs: clock.elapsedMs,
      ...(clock.dueAt ? { dueAt: clock.dueAt } : {}),
    },
  };
}

/**
 * Writes a step with its escalations' history and owed record changes, publishes its events,
 * mails its escalations; false when another writer won.
 */
async function commit(deps: SlaDeps, step: SlaStep, expectedVersion: number): Promise<SlaRecord | undefined> {
  const { happenings } = step;
  const plan = await planEscalations(deps, step.record, happenings);
  const pending = [...(step.record.pending ?? []), ...plan.actions];
  const { pending: _, ...rest } = step.record;
  const record: SlaRecord = { ...rest, ...(pending.length > 0 ? { pending } : {}) };
  const history = [...happenings.map(historyOf), ...plan.history];
  if (await lostRace(deps.sla.saveRecord(record, expectedVersion, history))) return undefined;
  await deps.events.publish(happenings.map((h) => eventOf(deps, record, h)));
  for (const escalated of plan.mails) await mailEscalation(deps, record, escalated);
  return record;
}

/**
 * Sets the record's timer for its next milestone, or deletes it when there is none. A
 * milestone already due (a timer that fired late, a breach on retargeting) fires here and
 * now rather than through the scheduler.
 */
async function arm(deps: SlaDeps, calendars: Calendars, initial: SlaRecord): Promise<SlaRecord> {
  let record = initial;
  for (let i = 0; i < MAX_INLINE_FIRINGS; i++) {
    if (record.armedVersion === record.version) return record;
    const now = deps.clock.now();
    if (record.next && Date.parse(record.next.at) <= now.getTime()) {
      const step = fire(calendars, record, record.version, now);
      if (!step.changed) break;
      const written = await commit(deps, step, record.version);
      if (!written) return record;
      record = written;
      continue;
    }
    // Owed record changes first: the state is cleared of them with the timer's confirmation.
    if (record.pending) await carryOut(deps, record);
    if (record.next)
      await deps.timers.set(record.recordId, record.next.at, record.version, {
        likelyNew: record.armedVersion === 0,
      });
    else await deps.timers.clear(record.recordId);
    await deps.sla.markArmed(record.recordId, record.version);
    const { pending: _, ...armed } = record;
    return { ...armed, armedVersion: record.version };
  }
  return record;
}

/** Follows a record event: attaches clocks to a new record, applies any change to an existing one. */
export async function trackRecord(
  deps: SlaDeps,
  family: string,
  recordId: string,
): Promise<SlaRecord | undefined> {
  const source = deps.sources[family];
  if (!source) return undefined;
  const known = await listCalendars(deps);
  const calendars = await calendarLookup(deps, known);
  const record = await retried(`SLA of ${recordId}`, async () => {
    const snapshot = await source.snapshot(recordId);
    if (!snapshot) return undefined;
    const current = await deps.sla.record(recordId);
    const now = deps.clock.now();
    if (!current) {
      const definitions = await activeDefinitions(deps);
      const requesterGroups = snapshot.requesterEmail ? await deps.groupsOf(snapshot.requesterEmail) : [];
      const step = attach(
        definitions,
        calendars,
        { ...snapshot, requesterGroups },
        now,
        calendarChooser(known),
      );
      if (step.record.clocks.length === 0 && step.happenings.length === 0) return undefined;
      return (await commit(deps, step, 0)) ?? AGAIN;
    }
    const step = reconcile(calendars, current, snapshot, now);
    if (!step.changed) return current;
    return (await commit(deps, step, current.version)) ?? AGAIN;
  });
  return record ? arm(deps, calendars, record) : undefined;
}

/** A timer fired: `version` is the SLA state's version it was set for; a stale one does nothing. */
export async function fireTimer(
  deps: SlaDeps,
  recordId: string,
  version: number,
): Promise<{ readonly fired: number; readonly stale: boolean }> {
  const calendars = await calendarLookup(deps);
  const current = await deps.sla.record(recordId);
  if (!current) return { fired: 0, stale: true };
  if (current.version !== version) {
    // Stale; but a state whose timer or owed changes were never confirmed is finished here.
    if (current.armedVersion !== current.version) await arm(deps, calendars, current);
    return { fired: 0, stale: true };
  }
  const step = fire(calendars, current, version, deps.clock.now());
  const written = step.changed ? await commit(deps, step, current.version) : current;
  if (!written) return { fired: 0, stale: true };
  await arm(deps, calendars, written);
  return { fired: step.happenings.length, stale: false };
}

/** Sets the timer of a record whose timer was not confirmed (the read repair's second half). */
export async function rearm(deps: SlaDeps, recordId: string): Promise<SlaRecord | undefined> {
  const current = await deps.sla.record(recordId);
  if (!current) return undefined;
  return arm(deps, await calendarLookup(deps), current);
}

/** What the portal shows of a record's service levels. */
export interface SlaView {
  readonly recordId: string;
  /** `incident`, `request`, `problem`…: where the portal links to. */
  readonly recordType: string;
  readonly number: string;
  readonly dueAt?: string;
  readonly breached: boolean;
  readonly clocks: readonly ClockView[];
  readonly assignmentGroup?: string;
  readonly assignee?: string;
}

export interface SlaReadDeps extends SlaAdminDeps {
  readonly events: DomainEventPublisher;
  readonly ids: IdGenerator;
  /** How long a record's timer may stay unconfirmed before a read asks for a repair. @default 60 s */
  readonly repairAfterMs?: number;
}

function viewOf(calendars: Calendars, record: SlaRecord, now: Date): SlaView {
  return {
    recordId: record.recordId,
    recordType: record.recordType,
    number: record.number,
    ...(record.dueAt ? { dueAt: record.dueAt } : {}),
    breached: record.breached,
    clocks: viewClocks(calendars, record, now),
    ...(record.assignmentGroup ? { assignmentGroup: record.assignmentGroup } : {}),
    ...(record.assignee ? { assignee: record.assignee } : {}),
  };
}

/**
 * The SLA of a record the caller may see (`authorize` throws `NotFoundError` when they may not). A record whose
 * timer was never confirmed (the scheduler failed after the state was written) gets a repair
 * requested on read: an `sla.rearm_requested` event the SLA function answers.
 */
export async function recordSla(
  deps: SlaReadDeps,
  recordId: string,
  authorize: (recordType: string, recordId: string) => Promise<void>,
): Promise<SlaView> {
  const record = await deps.sla.record(recordId);
  if (!record) throw new NotFoundError(`No service levels on ${recordId}`);
  // The same 404 whether the record has no SLA or the caller may not see it.
  await authorize(record.recordType, recordId);
  const now = deps.clock.now();
  const unarmedFor = now.getTime() - Date.parse(record.updatedAt);
  if (record.armedVersion !== record.version && unarmedFor > (deps.repairAfterMs ?? 60_000))
    await deps.events.publish([
      {
        type: 'sla.rearm_requested',
        id: deps.ids.next(),
        at: now.toISOString(),
        detail: { recordId, version: record.version },
      },
    ]);
  return viewOf(await calendarLookup(deps), record, now);
}

/** The SLA state of a page of records, for the queue's column: only the groups' records the agent may see. */
export async function slaOfRecords(
  deps: SlaReadDeps,
  actor: Actor,
  viewerGroups: readonly string[],
  recordIds: readonly string[],
  seeAll: boolean,
): Promise<SlaView[]> {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents see the queue');
  const records = await deps.sla.records(recordIds);
  const calendars = await calendarLookup(deps);
  const now = deps.clock.now();
  return records
    .filter(
      (r) =>
        seeAll ||
        isAdmin(actor) ||
        (r.assignmentGroup !== undefined && viewerGroups.includes(r.assignmentGroup)),
    )
    .map((r) => viewOf(calendars, r, now));
}

/** A group's records with a running clock, soonest due first (one Query on an index). */
export async function dueQueue(
  deps: SlaReadDeps,
  actor: Actor,
  viewerGroups: readonly string[],
  group: string,
  page: { limit: number; cursor?: string },
  seeAll: boolean,
) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents see work queues');
  if (!seeAll && !isAdmin(actor) && !viewerGroups.includes(group))
    throw new ForbiddenError(`Not a member of ${group}`);
  const result = await deps.sla.dueQueue(group, page);
  const calendars = await calendarLookup(deps);
  const now = deps.clock.now();
  return {
    items: result.items.map((r) => viewOf(calendars, r, now)),
    ...(result.cursor ? { cursor: result.cursor } : {}),
  };
}

/** The most groups one "due next" list reads: one Query each. */
export const MAX_DUE_GROUPS = 20;

/**
 * What breaches next across groups: one Query per group on the due index (each already in due
 * order), merged by due time, the first `limit`. An agent reads their own groups (or any when
 * agents see every group); an admin any group they name.
 */
export async function dueAcrossGroups(
  deps: SlaReadDeps,
  actor: Actor,
  viewerGroups: readonly string[],
  options: { groups?: readonly string[]; limit: number },
  seeAll: boolean,
) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents see work queues');
  const wanted = options.groups ?? viewerGroups;
  const mayRead = (group: string) => seeAll || isAdmin(actor) || viewerGroups.includes(group);
  const refused = wanted.filter((g) => !mayRead(g));
  if (refused.length > 0) throw new ForbiddenError(`Not a member of ${refused.join(', ')}`);
  const groups = [...new Set(wanted)].slice(0, MAX_DUE_GROUPS);
  const pages = await Promise.all(groups.map((group) => deps.sla.dueQueue(group, { limit: options.limit })));
  const calendars = await calendarLookup(deps);
  const now = deps.clock.now();
  // Each page is sorted by the index: a k-way merge, no sort of the whole.
  const heads = pages.map(() => 0);
  const items: SlaView[] = [];
  while (items.length < options.limit) {
    let pick = -1;
    pages.forEach((page, i) => {
      const candidate = page.items[heads[i] as number];
      const best = pick >= 0 ? pages[pick]?.items[heads[pick] as number] : undefined;
      if (candidate && (!best || (candidate.dueAt ?? '') < (best.dueAt ?? ''))) pick = i;
    });
    if (pick < 0) break;
    const record = pages[pick]?.items[heads[pick] as number] as SlaRecord;
    heads[pick] = (heads[pick] as number) + 1;
    items.push(viewOf(calendars, record, now));
  }
  return { groups, items };
}

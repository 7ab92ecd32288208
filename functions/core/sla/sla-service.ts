import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';
import type { Mailer } from '#ports/mail.ts';
import type { SlaRecordSource, SlaTimers } from '#ports/sla-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail, systemActor } from '../identity/actor.ts';
import type { AuditDraft } from '../record/audit.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import { activeDefinitions, calendarLookup, type SlaAdminDeps } from './sla-admin.ts';
import type { Escalation } from './sla-definition.ts';
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

export interface SlaDeps extends SlaAdminDeps {
  /** How each record family (`ticket`, `problem`) is read, by the family its events name. */
  readonly sources: Readonly<Record<string, SlaRecordSource>>;
  readonly timers: SlaTimers;
  readonly events: DomainEventPublisher;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly mailer: Mailer;
  /** The manager of an assignment group, for escalations. */
  readonly managerOf: (group: string) => Promise<string | undefined>;
  /** The groups a requester is in, for definitions with `requesterGroups`. */
  readonly groupsOf: (email: string) => Promise<readonly string[]>;
  readonly portalUrl: string;
  readonly supportAddress: string;
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

/** Who an escalation mails, and the history entry that says so. */
async function recipientsOf(deps: SlaDeps, record: SlaRecord, escalation: Escalation): Promise<string[]> {
  const to = new Set<string>(escalation.addresses.map(normalizeEmail));
  if (escalation.notify.includes('assignee') && record.assignee) to.add(normalizeEmail(record.assignee));
  if (escalation.notify.includes('manager') && record.assignmentGroup) {
    const manager = await deps.managerOf(record.assignmentGroup);
    if (manager) to.add(normalizeEmail(manager));
  }
  return [...to];
}

interface Escalated {
  readonly to: readonly string[];
  readonly happening: SlaHappening;
}

async function escalationsOf(
  deps: SlaDeps,
  record: SlaRecord,
  happenings: readonly SlaHappening[],
): Promise<Escalated[]> {
  const out: Escalated[] = [];
  for (const happening of happenings) {
    if (happening.kind !== 'warning' && happening.kind !== 'breached') continue;
    const on = happening.kind === 'warning' ? 'warning' : 'breach';
    const to = new Set<string>();
    for (const escalation of happening.escalations) {
      if (escalation.on !== on || (escalation.target && escalation.target !== happening.target)) continue;
      for (const address of await recipientsOf(deps, record, escalation)) to.add(address);
    }
    if (to.size > 0) out.push({ to: [...to], happening });
  }
  return out;
}

const when = (iso: string | undefined) => (iso ? new Date(iso).toUTCString() : 'now');

async function mailEscalation(deps: SlaDeps, record: SlaRecord, escalated: Escalated): Promise<void> {
  const { happening } = escalated;
  const what = happening.kind === 'warning' ? 'is about to be missed' : 'was missed';
  const target = happening.target === 'response' ? 'first response' : 'resolution';
  const link = `${deps.portalUrl.replace(/\/$/, '')}/tickets/${record.recordId}`;
  await deps.mailer.send({
    to: escalated.to,
    subject: `[${record.number}] ${happening.kind === 'warning' ? 'SLA warning' : 'SLA breached'}: ${target} ${what}`,
    text: [
      `The ${target} target of ${record.number} (${happening.name}, priority ${happening.clock.priority}) ${what}.`,
      happening.kind === 'warning'
        ? `Due: ${when(happening.clock.dueAt)}`
        : `Breached at: ${when(happening.at)}`,
      record.assignmentGroup ? `Group: ${record.assignmentGroup}` : 'Group: none',
      record.assignee ? `Assignee: ${record.assignee}` : 'Assignee: nobody yet',
      '',
      link,
    ].join('\n'),
    messageId: `<sla.${happening.kind}.${record.recordId}.${happening.clock.version}@spoke>`,
    // Every escalation about one record threads under the same root.
    references: [`<sla.${record.recordId}@spoke>`],
    inReplyTo: `<sla.${record.recordId}@spoke>`,
    replyTo: deps.supportAddress,
    automatic: true,
  });
}

/** Writes a step, publishes its events, mails its escalations; false when another writer won. */
async function commit(deps: SlaDeps, step: SlaStep, expectedVersion: number): Promise<boolean> {
  const { record, happenings } = step;
  const escalations = await escalationsOf(deps, record, happenings);
  const history = [
    ...happenings.map(historyOf),
    ...escalations.map(({ to, happening }) => ({
      at: happening.at,
      actor: { id: systemActor.id, email: systemActor.email },
      field: `sla.${happening.target}.escalation`,
      newValue: `mailed ${to.join(', ')}`,
      reason: `${happening.name} ${happening.kind}`,
    })),
  ];
  if (await lostRace(deps.sla.saveRecord(record, expectedVersion, history))) return false;
  await deps.events.publish(happenings.map((h) => eventOf(deps, record, h)));
  for (const escalated of escalations) await mailEscalation(deps, record, escalated);
  return true;
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
      if (!(await commit(deps, step, record.version))) return record;
      record = step.record;
      continue;
    }
    if (record.next) await deps.timers.set(record.recordId, record.next.at, record.version);
    else await deps.timers.clear(record.recordId);
    await deps.sla.markArmed(record.recordId, record.version);
    return { ...record, armedVersion: record.version };
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
  const calendars = await calendarLookup(deps);
  const record = await retried(`SLA of ${recordId}`, async () => {
    const snapshot = await source.snapshot(recordId);
    if (!snapshot) return undefined;
    const current = await deps.sla.record(recordId);
    const now = deps.clock.now();
    if (!current) {
      const definitions = await activeDefinitions(deps);
      const requesterGroups = snapshot.requesterEmail ? await deps.groupsOf(snapshot.requesterEmail) : [];
      const step = attach(definitions, calendars, { ...snapshot, requesterGroups }, now);
      if (step.record.clocks.length === 0 && step.happenings.length === 0) return undefined;
      return (await commit(deps, step, 0)) ? step.record : AGAIN;
    }
    const step = reconcile(calendars, current, snapshot, now);
    if (!step.changed) return current;
    return (await commit(deps, step, current.version)) ? step.record : AGAIN;
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
  if (!current || current.version !== version) return { fired: 0, stale: true };
  const step = fire(calendars, current, version, deps.clock.now());
  if (step.changed && !(await commit(deps, step, current.version))) return { fired: 0, stale: true };
  await arm(deps, calendars, step.changed ? step.record : current);
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

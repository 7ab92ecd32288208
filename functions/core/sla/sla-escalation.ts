import type { Mailer } from '#ports/mail.ts';
import type { SlaRecordActions } from '#ports/sla-store.ts';
import { normalizeEmail, systemActor } from '../identity/actor.ts';
import type { AuditDraft } from '../record/audit.ts';
import type { Escalation, SlaAction } from './sla-definition.ts';
import type { SlaHappening, SlaRecord } from './sla-record.ts';

/**
 * Escalations: what a warning or a breach sets off, per the definition the clock started
 * under. Mail goes to the assignee, the group's manager and fixed addresses; a raised priority
 * or a new assignment group is a change to the record itself, owed in the SLA state
 * (`pending`) by the same write that records the warning or breach and carried out after it,
 * so a crash in between is repaired by the next write or read of the state. Each is an entry
 * in the record's history.
 */

export interface EscalationDeps {
  readonly mailer: Mailer;
  /** The manager of an assignment group. */
  readonly managerOf: (group: string) => Promise<string | undefined>;
  /** What an escalation may change on a record, per record type (`incident`, `request`, …). */
  readonly actions?: Readonly<Record<string, SlaRecordActions>>;
  readonly portalUrl: string;
  readonly supportAddress: string;
}

/** One happening's mail: who gets it. */
interface Escalated {
  readonly to: readonly string[];
  readonly happening: SlaHappening;
}

/** What the happenings of one write set off: mails to send, changes owed, and their history entries. */
export interface EscalationPlan {
  readonly mails: readonly Escalated[];
  readonly actions: readonly SlaAction[];
  readonly history: readonly AuditDraft[];
}

async function recipientsOf(
  deps: EscalationDeps,
  record: SlaRecord,
  escalation: Escalation,
): Promise<string[]> {
  const to = new Set<string>(escalation.addresses.map(normalizeEmail));
  if (escalation.notify.includes('assignee') && record.assignee) to.add(normalizeEmail(record.assignee));
  if (escalation.notify.includes('manager') && record.assignmentGroup) {
    const manager = await deps.managerOf(record.assignmentGroup);
    if (manager) to.add(normalizeEmail(manager));
  }
  return [...to];
}

const entry = (happening: SlaHappening, newValue: string): AuditDraft => ({
  at: happening.at,
  actor: { id: systemActor.id, email: systemActor.email },
  field: `sla.${happening.target}.escalation`,
  newValue,
  reason: `${happening.name} ${happening.kind}`,
});

/** The escalations the warnings and breaches among `happenings` set off. */
export async function planEscalations(
  deps: EscalationDeps,
  record: SlaRecord,
  happenings: readonly SlaHappening[],
): Promise<EscalationPlan> {
  const mails: Escalated[] = [];
  const actions: SlaAction[] = [];
  const history: AuditDraft[] = [];
  const acts = deps.actions?.[record.recordType];
  for (const happening of happenings) {
    if (happening.kind !== 'warning' && happening.kind !== 'breached') continue;
    const on = happening.kind === 'warning' ? 'warning' : 'breach';
    const to = new Set<string>();
    let raiseTo: number | undefined;
    let reassignTo: string | undefined;
    for (const escalation of happening.escalations) {
      if (escalation.on !== on || (escalation.target && escalation.target !== happening.target)) continue;
      for (const address of await recipientsOf(deps, record, escalation)) to.add(address);
      if (escalation.raisePriorityTo !== undefined)
        raiseTo = Math.min(raiseTo ?? escalation.raisePriorityTo, escalation.raisePriorityTo);
      if (escalation.reassignTo !== undefined) reassignTo = escalation.reassignTo;
    }
    if (to.size > 0) {
      mails.push({ to: [...to], happening });
      history.push(entry(happening, `mailed ${[...to].join(', ')}`));
    }
    const reason = `SLA ${happening.kind === 'warning' ? 'warning' : 'breach'}: ${happening.name}`;
    const owed: SlaAction[] = [
      ...(raiseTo !== undefined ? [{ kind: 'priority' as const, to: raiseTo, reason }] : []),
      ...(reassignTo !== undefined ? [{ kind: 'reassign' as const, group: reassignTo, reason }] : []),
    ];
    for (const action of owed) {
      const what =
        action.kind === 'priority' ? `raise priority to ${action.to}` : `reassign to ${action.group}`;
      // A record type that takes no changes says so in its history rather than dropping the action.
      if (!acts) {
        history.push(entry(happening, `not done: ${record.recordType} records take no "${what}"`));
        continue;
      }
      actions.push(action);
      history.push(entry(happening, what));
    }
  }
  return { mails, actions, history };
}

/**
 * Carries out the record changes owed (each does nothing when the record is already there);
 * the caller then clears `pending` with a write conditional on the state's version.
 */
export async function carryOut(deps: EscalationDeps, record: SlaRecord): Promise<void> {
  const acts = deps.actions?.[record.recordType];
  if (!acts) return;
  for (const action of record.pending ?? []) {
    if (action.kind === 'priority') await acts.raisePriority(record.recordId, action.to, action.reason);
    else await acts.reassign(record.recordId, action.group, action.reason);
  }
}

const when = (iso: string | undefined) => (iso ? new Date(iso).toUTCString() : 'now');

/** Where an agent works the record in the portal. */
export const recordPath = (recordType: string, recordId: string) =>
  recordType === 'problem'
    ? `/problems/${encodeURIComponent(recordId)}`
    : recordType === 'task'
      ? '/tasks'
      : `/work/tickets/${encodeURIComponent(recordId)}`;

/** The templated, automatic mail of one escalation, threaded under the record's SLA root. */
export async function mailEscalation(
  deps: EscalationDeps,
  record: SlaRecord,
  escalated: Escalated,
): Promise<void> {
  const { happening } = escalated;
  const what = happening.kind === 'warning' ? 'is about to be missed' : 'was missed';
  const target = happening.target === 'response' ? 'first response' : 'resolution';
  const link = `${deps.portalUrl.replace(/\/$/, '')}${recordPath(record.recordType, record.recordId)}`;
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

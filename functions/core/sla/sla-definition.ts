import * as z from 'zod';
import { SlaTargetKind, TargetMinutes } from './sla-clock.ts';

/**
 * Service-level definitions: an SLA promises the business (the requester) response and
 * resolution times; an OLA promises them between groups (for tasks). A definition applies to
 * a record when every condition it sets matches; the most specific match wins. Definitions
 * are versioned: a record keeps the version it started with, so editing one changes only
 * new records.
 */

const Name = z.string().trim().min(1).max(120);
const Label = z.string().trim().min(1).max(80);

export const SlaConditions = z.strictObject({
  /** Record types, e.g. `incident`, `request`, `task`, `problem`. */
  recordTypes: z.array(Label).max(20).optional(),
  priorities: z.array(z.number().int().min(1).max(5)).max(5).optional(),
  services: z.array(Label).max(50).optional(),
  /** Groups the requester belongs to (VIPs, a site). */
  requesterGroups: z.array(Label).max(20).optional(),
  channels: z
    .array(z.enum(['email', 'portal', 'phone', 'walk-in', 'api']))
    .max(5)
    .optional(),
  /** For OLAs: the assignment groups held to it. */
  assignmentGroups: z.array(Label).max(50).optional(),
});
export type SlaConditions = z.infer<typeof SlaConditions>;

/** Record states in which the clocks stand still (on hold awaiting the caller or a vendor). */
export const PauseRule = z.strictObject({ state: Label, reason: Label.optional() });

/**
 * What happens when a clock warns or breaches: mail the assignee, the assignment group's
 * manager or fixed addresses (a distribution list), raise the record's priority, hand it to
 * another group. Each action is an entry in the record's history.
 */
export const Escalation = z
  .strictObject({
    on: z.enum(['warning', 'breach']),
    /** Only for this target; both when left out. */
    target: SlaTargetKind.optional(),
    notify: z
      .array(z.enum(['assignee', 'manager']))
      .max(2)
      .default([]),
    addresses: z.array(z.email().max(254)).max(20).default([]),
    /** Raise the record's priority to this one (1 = critical); a record already as high keeps its own. */
    raisePriorityTo: z.number().int().min(1).max(4).optional(),
    /** Hand the record to this assignment group (its assignee is cleared); one already there stays. */
    reassignTo: Label.optional(),
  })
  .refine(
    (e) =>
      e.notify.length > 0 ||
      e.addresses.length > 0 ||
      e.raisePriorityTo !== undefined ||
      e.reassignTo !== undefined,
    'needs an action: notify, addresses, raisePriorityTo or reassignTo',
  );
export type Escalation = z.infer<typeof Escalation>;

/**
 * A change an escalation makes to the record itself, owed until it is done: kept in the SLA
 * state by the write that decided it, carried out after, and idempotent (it names the state
 * to reach, not a step), so doing it twice after a crash or a repeated firing changes nothing.
 */
export const SlaAction = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('priority'),
    to: z.number().int().min(1).max(4),
    reason: z.string().max(200),
  }),
  z.strictObject({ kind: z.literal('reassign'), group: Label, reason: z.string().max(200) }),
]);
export type SlaAction = z.infer<typeof SlaAction>;

/** Warn the assignee; on breach mail the assignee and the group's manager. */
export const defaultEscalations: Escalation[] = [
  { on: 'warning', notify: ['assignee'], addresses: [] },
  { on: 'breach', notify: ['assignee', 'manager'], addresses: [] },
];

export const SlaDefinitionInput = z.strictObject({
  name: Name,
  kind: z.enum(['sla', 'ola']).default('sla'),
  conditions: SlaConditions.default({}),
  /** Business minutes per priority, per target; a target left out has no clock. */
  targets: z
    .partialRecord(SlaTargetKind, TargetMinutes)
    .refine((t) => Object.keys(t).length > 0, 'needs a target'),
  /** The business calendar the time is measured in (`default`, or a service's or group's own). */
  calendarId: Label.default('default'),
  /** Percent of the target at which the warning fires. @default 75 */
  warnAtPercent: z.number().int().min(1).max(99).default(75),
  pauseWhen: z
    .array(PauseRule)
    .max(10)
    .default([
      { state: 'on_hold', reason: 'awaiting_caller' },
      { state: 'on_hold', reason: 'awaiting_vendor' },
    ]),
  escalations: z.array(Escalation).max(10).default(defaultEscalations),
  active: z.boolean().default(true),
});
export type SlaDefinitionInput = z.input<typeof SlaDefinitionInput>;

export const SlaDefinition = SlaDefinitionInput.extend({
  id: Label,
  version: z.number().int().min(1),
});
export type SlaDefinition = z.infer<typeof SlaDefinition>;

/** What a definition is matched against: the record as it starts its clocks. */
export interface SlaSubject {
  readonly recordType: string;
  readonly priority: number;
  readonly service?: string;
  readonly requesterGroups?: readonly string[];
  readonly channel?: string;
  readonly assignmentGroup?: string;
}

const matchesOne = <T>(allowed: readonly T[] | undefined, value: T | undefined) =>
  allowed === undefined || (value !== undefined && allowed.includes(value));

/** Whether every condition the definition sets holds for the subject. */
export function matches(definition: SlaDefinition, subject: SlaSubject): boolean {
  const c = definition.conditions;
  return (
    definition.active &&
    matchesOne(c.recordTypes, subject.recordType) &&
    matchesOne(c.priorities, subject.priority) &&
    matchesOne(c.services, subject.service) &&
    matchesOne(c.channels, subject.channel) &&
    matchesOne(c.assignmentGroups, subject.assignmentGroup) &&
    (c.requesterGroups === undefined || c.requesterGroups.some((g) => subject.requesterGroups?.includes(g)))
  );
}

const specificity = (definition: SlaDefinition) =>
  Object.values(definition.conditions).filter((value) => value !== undefined).length;

/**
 * The definitions that apply, one per kind: among matches, the one with the most conditions
 * (a VIP SLA beats the default); ties go to the lower id, so the choice never flips.
 */
export function applicableDefinitions(
  definitions: readonly SlaDefinition[],
  subject: SlaSubject,
): SlaDefinition[] {
  const chosen = new Map<string, SlaDefinition>();
  for (const definition of definitions) {
    if (!matches(definition, subject)) continue;
    const current = chosen.get(definition.kind);
    if (
      !current ||
      specificity(definition) > specificity(current) ||
      (specificity(definition) === specificity(current) && definition.id < current.id)
    )
      chosen.set(definition.kind, definition);
  }
  return [...chosen.values()];
}

/** Whether a record in this state stops the definition's clocks. */
export const pausesIn = (definition: SlaDefinition, state: string, reason?: string) =>
  definition.pauseWhen.some(
    (rule) => rule.state === state && (rule.reason === undefined || rule.reason === reason),
  );

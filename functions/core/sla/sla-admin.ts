import * as z from 'zod';
import type { Clock } from '#ports/clock.ts';
import type { SlaStore } from '#ports/sla-store.ts';
import { type Actor, isAdmin, isAgent } from '../identity/actor.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { ALWAYS, BusinessCalendar } from './business-calendar.ts';
import { SlaDefinition, SlaDefinitionInput } from './sla-definition.ts';

/**
 * Administration of service levels: definitions and business calendars, each stored in
 * versions. A record keeps the definition version its clocks started under, so saving a new
 * version changes new records only. Until an admin stores any definition, the built-in ones
 * ({@link defaultDefinitions}) apply; the first save stores them, so their ids keep their history.
 */

const Id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export const CreateDefinitionInput = SlaDefinitionInput.extend({ id: Id });
export type CreateDefinitionInput = z.input<typeof CreateDefinitionInput>;
/** A new version of a definition: the whole definition, and the version the editor saw. */
export const UpdateDefinitionInput = SlaDefinitionInput.extend({ version: z.number().int().min(1) });
export type UpdateDefinitionInput = z.input<typeof UpdateDefinitionInput>;

/** A business calendar as stored: the calendar, its id and name, and its version. */
const Scope = z.array(z.string().trim().min(1).max(80)).max(50).default([]);

export const StoredCalendar = z.object({
  id: Id,
  name: z.string().trim().min(1).max(120),
  calendar: BusinessCalendar,
  /** Records of these services are measured in this calendar when their definition uses `default`. */
  services: Scope,
  /** Likewise records of these assignment groups (a service's calendar comes first). */
  groups: Scope,
  version: z.number().int().min(1),
  updatedAt: z.iso.datetime(),
});
export type StoredCalendar = z.infer<typeof StoredCalendar>;

export const SaveCalendarInput = z.strictObject({
  name: z.string().trim().min(1).max(120),
  calendar: BusinessCalendar,
  services: Scope,
  groups: Scope,
  /** The version the editor saw; 0 for a new calendar. */
  version: z.number().int().min(0),
});
export type SaveCalendarInput = z.input<typeof SaveCalendarInput>;

/** The calendar every definition uses unless it names another: `24x7` is always there too. */
export const DEFAULT_CALENDAR = 'default';
export const ALWAYS_CALENDAR = '24x7';

const minutes = (hours: number) => hours * 60;

/** The demo's and a new deployment's service levels, until an admin stores their own. */
export const defaultDefinitions: readonly SlaDefinition[] = [
  SlaDefinition.parse({
    id: 'incident-standard',
    version: 1,
    name: 'Incidents (business hours)',
    conditions: { recordTypes: ['incident'] },
    targets: {
      response: { '1': 15, '2': 30, '3': minutes(2), '4': minutes(4), '5': minutes(8) },
      resolution: { '1': minutes(4), '2': minutes(8), '3': minutes(16), '4': minutes(40), '5': minutes(80) },
    },
  }),
  SlaDefinition.parse({
    id: 'incident-critical',
    version: 1,
    name: 'Critical incidents (around the clock)',
    conditions: { recordTypes: ['incident'], priorities: [1] },
    calendarId: ALWAYS_CALENDAR,
    targets: { response: { '1': 15 }, resolution: { '1': minutes(4) } },
    warnAtPercent: 50,
  }),
  SlaDefinition.parse({
    id: 'request-standard',
    version: 1,
    name: 'Service requests (business hours)',
    conditions: { recordTypes: ['request'] },
    targets: {
      response: { '1': minutes(1), '2': minutes(2), '3': minutes(8), '4': minutes(16), '5': minutes(24) },
      resolution: {
        '1': minutes(8),
        '2': minutes(16),
        '3': minutes(40),
        '4': minutes(80),
        '5': minutes(120),
      },
    },
  }),
  SlaDefinition.parse({
    id: 'task-ola',
    version: 1,
    name: 'Fulfilment tasks (OLA, business hours)',
    kind: 'ola',
    conditions: { recordTypes: ['task'] },
    targets: { response: { '3': minutes(4) }, resolution: { '3': minutes(16) } },
    escalations: [
      { on: 'warning', notify: ['assignee'] },
      { on: 'breach', notify: ['assignee', 'manager'] },
    ],
  }),
];

export interface SlaAdminDeps {
  readonly sla: SlaStore;
  readonly clock: Clock;
  /** The `default` calendar when none is stored: the deployment's business hours. */
  readonly defaultCalendar: BusinessCalendar;
  /** Which of these assignment groups exist, for escalations that reassign. */
  readonly existingGroups?: (ids: readonly string[]) => Promise<ReadonlySet<string>>;
}

const requireAdmin = (actor: Actor) => {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins change service levels');
};
const requireAgent = (actor: Actor) => {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents see service-level definitions');
};

/** The definitions that apply now: the stored ones, or the built-in ones while none are stored. */
export async function activeDefinitions(deps: Pick<SlaAdminDeps, 'sla'>): Promise<readonly SlaDefinition[]> {
  const stored = await deps.sla.definitions();
  return stored.length > 0 ? stored : defaultDefinitions;
}

/** Stores the built-in definitions when none are stored yet (the demo seed, an admin's first save). */
export async function seedDefinitions(deps: Pick<SlaAdminDeps, 'sla'>): Promise<number> {
  if ((await deps.sla.definitions()).length > 0) return 0;
  let stored = 0;
  for (const definition of defaultDefinitions) {
    try {
      await deps.sla.saveDefinition(definition);
      stored++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return stored;
}

export async function listDefinitions(deps: SlaAdminDeps, actor: Actor) {
  requireAgent(actor);
  return activeDefinitions(deps);
}

export async function definitionVersions(deps: SlaAdminDeps, actor: Actor, id: string) {
  requireAgent(actor);
  const versions = await deps.sla.definitionVersions(id);
  if (versions.length > 0) return versions;
  const builtIn = defaultDefinitions.find((d) => d.id === id);
  if (!builtIn) throw new NotFoundError(`No service-level definition ${id}`);
  return [builtIn];
}

async function requireKnownCalendar(deps: SlaAdminDeps, calendarId: string) {
  if (calendarId === DEFAULT_CALENDAR || calendarId === ALWAYS_CALENDAR) return;
  const known = (await deps.sla.calendars()).some((c) => c.id === calendarId);
  if (!known)
    throw new ValidationError('Unknown calendar', [
      { path: 'calendarId', message: `${calendarId} is not a calendar` },
    ]);
}

/** An escalation may only hand records to a group that exists. */
async function requireKnownGroups(deps: SlaAdminDeps, input: Pick<SlaDefinition, 'escalations'>) {
  const named = input.escalations.flatMap((e, i) => (e.reassignTo ? [{ i, group: e.reassignTo }] : []));
  if (named.length === 0 || !deps.existingGroups) return;
  const known = await deps.existingGroups(named.map((n) => n.group));
  const unknown = named.filter((n) => !known.has(n.group));
  if (unknown.length > 0)
    throw new ValidationError(
      'Unknown group',
      unknown.map((n) => ({ path: `escalations[${n.i}].reassignTo`, message: `${n.group} is not a group` })),
    );
}

export async function createDefinition(deps: SlaAdminDeps, actor: Actor, raw: CreateDefinitionInput) {
  requireAdmin(actor);
  const input = CreateDefinitionInput.parse(raw);
  await requireKnownCalendar(deps, input.calendarId);
  await requireKnownGroups(deps, input);
  await seedDefinitions(deps);
  if (await deps.sla.definition(input.id))
    throw new ConflictError(`Definition ${input.id} exists; save a new version of it instead`);
  const definition = SlaDefinition.parse({ ...input, version: 1 });
  await deps.sla.saveDefinition(definition);
  return definition;
}

/** Saves a new version: records already running keep the version they started with. */
export async function updateDefinition(
  deps: SlaAdminDeps,
  actor: Actor,
  id: string,
  raw: UpdateDefinitionInput,
) {
  requireAdmin(actor);
  const { version, ...input } = UpdateDefinitionInput.parse(raw);
  await requireKnownCalendar(deps, input.calendarId);
  await requireKnownGroups(deps, input);
  await seedDefinitions(deps);
  const current = await deps.sla.definition(id);
  if (!current) throw new NotFoundError(`No service-level definition ${id}`);
  if (current.version !== version)
    throw new ConflictError(`Definition ${id} was changed by someone else`, current);
  const definition = SlaDefinition.parse({ ...input, id, version: version + 1 });
  await deps.sla.saveDefinition(definition);
  return definition;
}

/** Every calendar: the stored ones, with `default` (the deployment's hours) and `24x7` unless stored. */
export async function listCalendars(deps: SlaAdminDeps): Promise<StoredCalendar[]> {
  const stored = await deps.sla.calendars();
  const epoch = new Date(0).toISOString();
  const builtIn: StoredCalendar[] = [
    {
      id: DEFAULT_CALENDAR,
      name: 'Business hours',
      calendar: deps.defaultCalendar,
      services: [],
      groups: [],
      version: 0,
      updatedAt: epoch,
    },
    {
      id: ALWAYS_CALENDAR,
      name: 'Around the clock',
      calendar: ALWAYS,
      services: [],
      groups: [],
      version: 0,
      updatedAt: epoch,
    },
  ];
  return [...builtIn.filter((b) => !stored.some((s) => s.id === b.id)), ...stored];
}

export async function saveCalendar(deps: SlaAdminDeps, actor: Actor, id: string, raw: SaveCalendarInput) {
  requireAdmin(actor);
  const parsedId = Id.safeParse(id);
  if (!parsedId.success)
    throw new ValidationError('Bad id', [{ path: 'id', message: 'lower-case letters, digits and dashes' }]);
  const input = SaveCalendarInput.parse(raw);
  if (id === ALWAYS_CALENDAR)
    throw new ValidationError('Built-in calendar', [{ path: 'id', message: '24x7 cannot be changed' }]);
  if (id === DEFAULT_CALENDAR && (input.services.length > 0 || input.groups.length > 0))
    throw new ValidationError('Default calendar', [
      { path: 'services', message: 'the default calendar applies to every service and group already' },
    ]);
  const others = (await deps.sla.calendars()).filter((c) => c.id !== id);
  const taken = (field: 'services' | 'groups') =>
    input[field].flatMap((name, index) => {
      const owner = others.find((c) => c[field].includes(name));
      return owner
        ? [{ path: `${field}[${index}]`, message: `${name} already has the calendar ${owner.id}` }]
        : [];
    });
  const clashes = [...taken('services'), ...taken('groups')];
  if (clashes.length > 0) throw new ValidationError('Calendar scope taken', clashes);
  const calendar = StoredCalendar.parse({
    id,
    name: input.name,
    calendar: input.calendar,
    services: input.services,
    groups: input.groups,
    version: input.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  });
  await deps.sla.saveCalendar(calendar);
  return calendar;
}

/** Calendars by id for the clocks: stored ones win; an unknown id falls back to the default. */
export async function calendarLookup(
  deps: SlaAdminDeps,
  known?: readonly StoredCalendar[],
): Promise<(id: string) => BusinessCalendar> {
  const all = new Map((known ?? (await listCalendars(deps))).map((c) => [c.id, c.calendar]));
  return (id) => all.get(id) ?? all.get(DEFAULT_CALENDAR) ?? deps.defaultCalendar;
}

/**
 * Which calendar a definition's clocks run in for a record: a definition naming `default` takes
 * the calendar of the record's service, else of its assignment group, else the default; one
 * naming another calendar keeps it.
 */
export function calendarChooser(known: readonly StoredCalendar[]) {
  const byService = new Map(known.flatMap((c) => c.services.map((s) => [s, c.id] as const)));
  const byGroup = new Map(known.flatMap((c) => c.groups.map((g) => [g, c.id] as const)));
  return (calendarId: string, subject: { service?: string; assignmentGroup?: string }): string => {
    if (calendarId !== DEFAULT_CALENDAR) return calendarId;
    return (
      (subject.service && byService.get(subject.service)) ||
      (subject.assignmentGroup && byGroup.get(subject.assignmentGroup)) ||
      DEFAULT_CALENDAR
    );
  };
}

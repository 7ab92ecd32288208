import * as z from 'zod';
import type { ChangeStore } from '#ports/change-store.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { ProblemStore } from '#ports/problem-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail, systemActor } from '../identity/actor.ts';
import { type AuditDraft, linkedEvent, updatedEvent } from '../record/audit.ts';
import { Label, type Page, Person, type RecordRef, type StoredLink } from '../record/record.ts';
import { requireVersion } from '../record/version.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { Level, priorityOf } from '../ticket/priority.ts';
import type { Ticket } from '../ticket/ticket.ts';
import { addArticle, type TicketDeps, updateTicket, viewTicket } from '../ticket/ticket-service.ts';
import {
  applyMove,
  diffProblems,
  type HitDimension,
  isKnownError,
  KnownError,
  matchKnownErrors,
  nextProblemStates,
  type Problem,
  type ProblemArticle,
  type ProblemRole,
  type ProblemSettings,
  ProblemState,
  type ProblemSuggestion,
  windowDays,
} from './problem.ts';

/**
 * Problem management on the record engine: problems, their links to incidents and changes,
 * the known-error database and proactive suggestions. Incidents are read and told through the
 * ticket engine's own services, so its access rules and notifications apply unchanged.
 */
export interface ProblemDeps extends TicketDeps {
  readonly problems: ProblemStore;
  readonly changes: Pick<ChangeStore, 'get' | 'findByNumber'>;
  readonly problemSettings: ProblemSettings;
}

const Email = z.email().max(254).transform(normalizeEmail);
const Text = z.string().trim().max(10_000);
const Assignee = z.strictObject({ email: Email, name: z.string().max(200).optional() });

const ProblemFields = {
  shortDescription: z.string().trim().min(1).max(160),
  description: Text,
  category: Label,
  services: z.array(Label).max(20),
  configurationItems: z.array(Label).max(50),
  impact: Level,
  urgency: Level,
  assignmentGroup: Label,
  assignee: Assignee,
  rootCause: Text.min(1),
  workaround: Text.min(1),
  workaroundPublished: z.boolean(),
  fix: Text.min(1),
  watchers: z.array(Email).max(50),
};

/** What an agent fills in to open a problem; `fromTicketId` opens it from an incident and links it. */
export const CreateProblemInput = z.strictObject({
  ...ProblemFields,
  shortDescription: ProblemFields.shortDescription.optional(),
  description: Text.default(''),
  category: Label.optional(),
  services: ProblemFields.services.default([]),
  configurationItems: ProblemFields.configurationItems.default([]),
  impact: Level.default(3),
  urgency: Level.default(3),
  assignmentGroup: Label.optional(),
  assignee: Assignee.optional(),
  rootCause: ProblemFields.rootCause.optional(),
  workaround: ProblemFields.workaround.optional(),
  workaroundPublished: z.boolean().default(false),
  fix: ProblemFields.fix.optional(),
  watchers: ProblemFields.watchers.default([]),
  fromTicketId: z.string().min(1).max(64).optional(),
});
export type CreateProblemInput = z.input<typeof CreateProblemInput>;

/** A change of fields (not of state: that is a move). `null` clears a field. */
export const UpdateProblemInput = z.strictObject({
  version: z.number().int().min(1),
  shortDescription: ProblemFields.shortDescription.optional(),
  description: Text.optional(),
  category: Label.nullable().optional(),
  services: ProblemFields.services.optional(),
  configurationItems: ProblemFields.configurationItems.optional(),
  impact: Level.optional(),
  urgency: Level.optional(),
  assignmentGroup: Label.nullable().optional(),
  assignee: Assignee.nullable().optional(),
  rootCause: ProblemFields.rootCause.nullable().optional(),
  workaround: ProblemFields.workaround.nullable().optional(),
  workaroundPublished: z.boolean().optional(),
  fix: ProblemFields.fix.nullable().optional(),
  watchers: ProblemFields.watchers.optional(),
});
export type UpdateProblemInput = z.input<typeof UpdateProblemInput>;

export const MoveProblemInput = z.strictObject({
  version: z.number().int().min(1),
  to: ProblemState,
  rootCause: ProblemFields.rootCause.optional(),
  fix: ProblemFields.fix.optional(),
  cancelReason: z.string().trim().min(1).max(4000).optional(),
});
export type MoveProblemInput = z.input<typeof MoveProblemInput>;

export const ProblemNoteInput = z.strictObject({
  type: z.enum(['reply', 'note']).default('note'),
  body: z.string().trim().min(1, 'is required').max(100_000),
});

export const ProblemListQuery = z.strictObject({
  state: ProblemState.optional(),
  group: Label.optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** A record named by id or by number: exactly one of them. */
const RecordPointer = z
  .strictObject({ id: z.string().min(1).max(64).optional(), number: z.string().trim().max(20).optional() })
  .refine((p) => Boolean(p.id) !== Boolean(p.number), { message: 'name the record by id or by number' });

export const LinkIncidentInput = z.strictObject({
  ticketId: z.string().min(1).max(64).optional(),
  number: z.string().trim().max(20).optional(),
  /** Adds the problem's published workaround to the incident as a public reply. @default false */
  insertWorkaround: z.boolean().default(false),
});
export const LinkProblemInput = z.strictObject({
  problemId: z.string().min(1).max(64).optional(),
  number: z.string().trim().max(20).optional(),
  insertWorkaround: z.boolean().default(false),
});
export const LinkChangeInput = RecordPointer;

export const KnownErrorQuery = z.strictObject({
  service: Label.optional(),
  category: Label.optional(),
  ci: Label.optional(),
  q: z.string().trim().max(200).optional(),
  /** Match an incident: its service, category and words. */
  ticketId: z.string().min(1).max(64).optional(),
});

const ref = (actor: Actor) => ({ id: actor.id, email: actor.email });
const person = (p: { id?: string; email: string; name?: string | undefined }) =>
  Person.parse({ id: p.id ?? p.email, email: normalizeEmail(p.email), ...(p.name ? { name: p.name } : {}) });
const problemRef = (p: Problem): RecordRef => ({ kind: 'problem', id: p.id, number: p.number });
const ticketRef = (t: Ticket): RecordRef => ({ kind: t.kind, id: t.id, number: t.number });

// ——— who may do what ———

interface Standing {
  readonly view: boolean;
  /** The lifecycle role the actor moves this problem with, if they work it. */
  readonly role?: ProblemRole;
  readonly manager: boolean;
}

/** Agents and problem managers view problems; the problem's group, its assignee and managers work it. */
async function standing(deps: ProblemDeps, actor: Actor, problem?: Problem): Promise<Standing> {
  const groups = await deps.groups.groupsOf(normalizeEmail(actor.email));
  const manager = isAdmin(actor) || groups.includes(deps.problemSettings.managersGroup);
  if (manager) return { view: true, role: 'manager', manager };
  if (!isAgent(actor)) return { view: false, manager };
  const works =
    !problem?.assignmentGroup ||
    groups.includes(problem.assignmentGroup) ||
    problem.assignee?.email === normalizeEmail(actor.email);
  return { view: true, manager, ...(works ? { role: 'worker' as const } : {}) };
}

async function visible(deps: ProblemDeps, actor: Actor, id: string) {
  const found = await deps.problems.get(id);
  const who = await standing(deps, actor, found?.problem);
  if (!found || !who.view) throw new NotFoundError(`No problem ${id}`);
  return { ...found, who };
}

async function worked(deps: ProblemDeps, actor: Actor, id: string) {
  const found = await visible(deps, actor, id);
  if (!found.who.role)
    throw new ForbiddenError(
      `Only the ${found.problem.assignmentGroup} group and problem managers work this problem`,
    );
  return found as typeof found & { who: { role: ProblemRole } };
}

async function requireGroup(deps: ProblemDeps, group: string | null | undefined) {
  if (group && !(await deps.groups.existingGroups([group])).has(group))
    throw new ValidationError(`No group ${group}`, [
      { path: 'assignmentGroup', message: `names no group: ${group}` },
    ]);
}

// ——— writes ———

async function store(
  deps: ProblemDeps,
  actor: Actor,
  before: Problem,
  after: Problem,
  options: { readonly reason?: string; readonly articles?: readonly ProblemArticle[] } = {},
): Promise<Problem> {
  const at = deps.clock.now().toISOString();
  const next: Problem = {
    ...after,
    priority: priorityOf(after.impact, after.urgency, deps.problemSettings.priorityMatrix),
    updatedAt: at,
    version: before.version + 1,
  };
  const audit = diffProblems(before, next, { actor: ref(actor), at, reason: options.reason });
  await deps.problems.update(next, before.version, audit, options.articles);
  await deps.events.publish(
    updatedEvent('problem.updated', { problemId: next.id, number: next.number }, audit, {
      ids: deps.ids,
      at,
    }),
  );
  return next;
}

/** Opens a problem (agents and problem managers), from scratch or from an incident it then links. */
export async function createProblem(
  deps: ProblemDeps,
  actor: Actor,
  raw: CreateProblemInput,
): Promise<Problem> {
  const input = CreateProblemInput.parse(raw);
  const who = await standing(deps, actor);
  if (!who.role) throw new ForbiddenError('Only agents and problem managers open problems');
  await requireGroup(deps, input.assignmentGroup);
  const incident = input.fromTicketId
    ? (await viewTicket(deps, actor, input.fromTicketId)).ticket
    : undefined;
  if (incident && incident.kind !== 'incident')
    throw new ValidationError('Not an incident', [
      { path: 'fromTicketId', message: 'names a request, not an incident' },
    ]);
  if (incident) await requireNoProblem(deps, incident);
  const shortDescription = input.shortDescription ?? incident?.shortDescription;
  if (!shortDescription)
    throw new ValidationError('A problem needs a statement', [
      { path: 'shortDescription', message: 'is required' },
    ]);
  const at = deps.clock.now().toISOString();
  const { fromTicketId: _, assignee, ...fields } = input;
  const draft: Omit<Problem, 'number'> = {
    ...fields,
    id: deps.ids.next(),
    shortDescription,
    ...(incident?.category && !fields.category ? { category: incident.category } : {}),
    services: fields.services.length > 0 || !incident?.service ? fields.services : [incident.service],
    ...(assignee ? { assignee: person(assignee) } : {}),
    state: 'new',
    priority: priorityOf(fields.impact, fields.urgency, deps.problemSettings.priorityMatrix),
    openedBy: person(actor),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const audit: AuditDraft[] = [
    {
      at,
      actor: ref(actor),
      field: 'state',
      newValue: 'new',
      ...(incident ? { reason: `from ${incident.number}` } : {}),
    },
    ...(incident ? [{ at, actor: ref(actor), field: 'incidents', newValue: incident.number }] : []),
  ];
  const links = (problem: Problem): StoredLink[] =>
    incident
      ? [
          {
            type: 'incident_of',
            source: ticketRef(incident),
            target: problemRef(problem),
            createdAt: at,
            createdBy: ref(actor),
          },
        ]
      : [];
  const problem = await deps.problems.create(draft, audit, links);
  await deps.events.publish([
    {
      type: 'problem.created',
      id: deps.ids.next(),
      at,
      detail: {
        problemId: problem.id,
        number: problem.number,
        priority: problem.priority,
        ...(problem.assignmentGroup ? { assignmentGroup: problem.assignmentGroup } : {}),
        ...(incident ? { fromIncident: incident.number } : {}),
      },
    },
    ...links(problem).map((link) => linkedEvent(link, { id: deps.ids.next(), at })),
  ]);
  return problem;
}

export async function updateProblem(
  deps: ProblemDeps,
  actor: Actor,
  id: string,
  raw: UpdateProblemInput,
): Promise<Problem> {
  const { version, ...input } = UpdateProblemInput.parse(raw);
  const { problem: current } = await worked(deps, actor, id);
  requireVersion(current, version);
  if (current.state === 'closed' || current.state === 'cancelled')
    throw new ValidationError(`Problem is ${current.state}`, [
      { path: 'state', message: `is ${current.state}; nothing can change` },
    ]);
  if (input.assignmentGroup !== current.assignmentGroup) await requireGroup(deps, input.assignmentGroup);
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = field === 'assignee' ? person(value as { email: string }) : value;
  }
  const after = next as Problem;
  if (after.workaroundPublished && !after.workaround)
    throw new ValidationError('Nothing to publish', [
      { path: 'workaroundPublished', message: 'needs a workaround' },
    ]);
  return store(deps, actor, current, after);
}

/** Moves a problem along its lifecycle table, with the fields the move requires. */
export async function moveProblem(
  deps: ProblemDeps,
  actor: Actor,
  id: string,
  raw: MoveProblemInput,
): Promise<Problem> {
  const { version, ...move } = MoveProblemInput.parse(raw);
  const { problem: current, who } = await worked(deps, actor, id);
  requireVersion(current, version);
  return store(deps, actor, current, applyMove(current, move, who.role, deps.clock.now().toISOString()));
}

export async function addProblemNote(
  deps: ProblemDeps,
  actor: Actor,
  id: string,
  raw: z.input<typeof ProblemNoteInput>,
): Promise<ProblemArticle> {
  const input = ProblemNoteInput.parse(raw);
  const { problem } = await worked(deps, actor, id);
  const article: ProblemArticle = {
    id: deps.ids.next(),
    problemId: problem.id,
    type: input.type,
    author: person(actor),
    body: input.body,
    createdAt: deps.clock.now().toISOString(),
  };
  await store(deps, actor, problem, problem, { articles: [article] });
  return article;
}

// ——— reads ———

export interface ProblemView {
  readonly problem: Problem;
  readonly articles: readonly ProblemArticle[];
  readonly incidents: readonly RecordRef[];
  readonly changes: readonly RecordRef[];
  /** Where the caller may move it now (empty when they only view it). */
  readonly nextStates: readonly ProblemState[];
}

export async function viewProblem(deps: ProblemDeps, actor: Actor, id: string): Promise<ProblemView> {
  const { problem, articles, links, who } = await visible(deps, actor, id);
  const others = (kind: string) =>
    links
      .filter((l) => l.source.kind === kind || l.target.kind === kind)
      .map((l) => (l.source.kind === 'problem' ? l.target : l.source));
  return {
    problem,
    articles,
    incidents: others('incident'),
    changes: others('change'),
    nextStates: who.role ? nextProblemStates(problem.state, who.role) : [],
  };
}

export async function findProblemByNumber(deps: ProblemDeps, actor: Actor, number: string): Promise<Problem> {
  const found = await deps.problems.findByNumber(number.trim().toUpperCase());
  if (!found || !(await standing(deps, actor, found)).view) throw new NotFoundError(`No problem ${number}`);
  return found;
}

export async function listProblems(
  deps: ProblemDeps,
  actor: Actor,
  raw: z.input<typeof ProblemListQuery>,
): Promise<Page<Problem>> {
  const query = ProblemListQuery.parse(raw);
  if (!(await standing(deps, actor)).view)
    throw new ForbiddenError('Only agents and problem managers see problems');
  if (query.group && query.state)
    throw new ValidationError('One list at a time', [
      { path: 'group', message: 'lists by group or by state, not both' },
    ]);
  const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
  return deps.problems.list(
    query.group ? { by: 'group', group: query.group } : { by: 'state', state: query.state ?? 'new' },
    page,
  );
}

export async function problemHistory(deps: ProblemDeps, actor: Actor, id: string, cursor?: string) {
  await visible(deps, actor, id);
  return deps.problems.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

// ——— links ———

async function requireNoProblem(deps: ProblemDeps, incident: Ticket, allowed?: string) {
  const [existing] = await deps.problems.linksOf(incident, 'problem');
  if (existing && existing.target.id !== allowed)
    throw new ConflictError(
      `${incident.number} is already linked to ${existing.target.number}; unlink it first`,
      existing.target,
    );
}

/**
 * Links an incident to a problem (an incident has at most one problem). Either side may start
 * it: the caller must work the problem and see the incident. With `insertWorkaround`, a known
 * error's workaround goes to the incident as a public reply.
 */
export async function linkIncident(
  deps: ProblemDeps,
  actor: Actor,
  problemId: string,
  incidentId: string,
  insertWorkaround = false,
): Promise<{ problem: RecordRef; incident: RecordRef; linked: boolean }> {
  const { problem } = await worked(deps, actor, problemId);
  const { ticket } = await viewTicket(deps, actor, incidentId);
  if (ticket.kind !== 'incident')
    throw new ValidationError('Not an incident', [
      { path: 'ticketId', message: 'names a request, not an incident' },
    ]);
  await requireNoProblem(deps, ticket, problem.id);
  const at = deps.clock.now().toISOString();
  const link: StoredLink = {
    type: 'incident_of',
    source: ticketRef(ticket),
    target: problemRef(problem),
    createdAt: at,
    createdBy: ref(actor),
  };
  const linked = await deps.problems.link(link, problem.id, [
    { at, actor: ref(actor), field: 'incidents', newValue: ticket.number },
  ]);
  if (linked) await deps.events.publish([linkedEvent(link, { id: deps.ids.next(), at })]);
  if (insertWorkaround) {
    if (!isKnownError(problem))
      throw new ValidationError('No published workaround', [
        { path: 'insertWorkaround', message: `${problem.number} has no published workaround` },
      ]);
    await addArticle(deps, actor, ticket.id, { type: 'reply', body: workaroundReply(problem) });
  }
  return { problem: link.target, incident: link.source, linked };
}

const workaroundReply = (p: Problem) =>
  `This is a known error (${p.number}: ${p.shortDescription}). Until it is fixed, this workaround helps:\n\n${p.workaround ?? ''}`;

export async function unlinkIncident(
  deps: ProblemDeps,
  actor: Actor,
  problemId: string,
  incidentId: string,
): Promise<void> {
  const { problem, links } = await worked(deps, actor, problemId);
  const link = links.find((l) => l.source.id === incidentId);
  if (!link) throw new NotFoundError(`${problem.number} has no incident ${incidentId}`);
  const at = deps.clock.now().toISOString();
  if (
    await deps.problems.unlink(link, problem.id, [
      { at, actor: ref(actor), field: 'incidents', oldValue: link.source.number },
    ])
  )
    await deps.events.publish([linkedEvent(link, { id: deps.ids.next(), at, removed: true })]);
}

/** Links a change that delivers the problem's fix; when it closes successfully, the problem moves on. */
export async function linkChange(
  deps: ProblemDeps,
  actor: Actor,
  problemId: string,
  raw: z.input<typeof LinkChangeInput>,
): Promise<{ problem: RecordRef; change: RecordRef; linked: boolean }> {
  const pointer = LinkChangeInput.parse(raw);
  const { problem } = await worked(deps, actor, problemId);
  const change = pointer.id
    ? await deps.changes.get(pointer.id)
    : await deps.changes.findByNumber((pointer.number ?? '').toUpperCase());
  if (!change) throw new NotFoundError(`No change ${pointer.id ?? pointer.number}`);
  const at = deps.clock.now().toISOString();
  const link: StoredLink = {
    type: 'fixes',
    source: { kind: 'change', id: change.id, number: change.number },
    target: problemRef(problem),
    createdAt: at,
    createdBy: ref(actor),
  };
  const linked = await deps.problems.link(link, problem.id, [
    { at, actor: ref(actor), field: 'changes', newValue: change.number },
  ]);
  if (linked) await deps.events.publish([linkedEvent(link, { id: deps.ids.next(), at })]);
  return { problem: link.target, change: link.source, linked };
}

/**
 * The problem behind a ticket, as the caller may see it: the whole problem for those who see
 * problems; for the ticket's requester only a published workaround.
 */
export async function problemOfTicket(
  deps: ProblemDeps,
  actor: Actor,
  ticketId: string,
): Promise<{ problem?: Problem; knownError?: KnownError }> {
  const { ticket } = await viewTicket(deps, actor, ticketId);
  const [link] = await deps.problems.linksOf(ticket, 'problem');
  const found = link ? await deps.problems.get(link.target.id) : undefined;
  if (!found) return {};
  const knownError = isKnownError(found.problem) ? { knownError: KnownError.parse(found.problem) } : {};
  return (await standing(deps, actor, found.problem)).view
    ? { problem: found.problem, ...knownError }
    : knownError;
}

// ——— known errors ———

/** Known errors matching an incident or a query (agents and problem managers), best first. */
export async function findKnownErrors(
  deps: ProblemDeps,
  actor: Actor,
  raw: z.input<typeof KnownErrorQuery>,
): Promise<KnownError[]> {
  const query = KnownErrorQuery.parse(raw);
  if (!(await standing(deps, actor)).view)
    throw new ForbiddenError('Only agents and problem managers search known errors');
  const incident = query.ticketId ? (await viewTicket(deps, actor, query.ticketId)).ticket : undefined;
  const errors = (await deps.problems.knownErrors(deps.problemSettings.knownErrorLimit)).map((p) =>
    KnownError.parse(p),
  );
  const facts = {
    service: query.service ?? incident?.service,
    category: query.category ?? incident?.category,
    configurationItems: query.ci ? [query.ci] : [],
    text: [query.q, incident?.shortDescription, incident?.description].filter(Boolean).join(' '),
  };
  const filtering = Object.values(facts).some((v) => (Array.isArray(v) ? v.length > 0 : Boolean(v)));
  return filtering ? matchKnownErrors(errors, facts) : errors;
}

// ——— what record events set off ———

const fixedBy = (problem: Problem, change: RecordRef) =>
  `The problem behind this incident (${problem.number}: ${problem.shortDescription}) was fixed by change ${change.number}.`;

/**
 * A linked change closed successfully: each problem it fixes that is in `fix_in_progress` is
 * resolved, and the requesters of the problem's incidents are told (and, with
 * `notify-and-resolve`, their incidents resolved). Safe to run twice for one event.
 */
export async function followChangeClosed(deps: ProblemDeps, event: DomainEvent): Promise<string[]> {
  const changeId = String(event.detail.changeId ?? '');
  const changes = (event.detail.changes ?? []) as readonly { field: string; newValue?: unknown }[];
  if (!changes.some((c) => c.field === 'state' && c.newValue === 'closed')) return [];
  const change = await deps.changes.get(changeId);
  if (change?.state !== 'closed' || change.closeCode !== 'successful') return [];
  const changeRef: RecordRef = { kind: 'change', id: change.id, number: change.number };
  const resolved: string[] = [];
  for (const link of await deps.problems.linksOf(changeRef, 'problem')) {
    const found = await deps.problems.get(link.target.id);
    if (found?.problem.state !== 'fix_in_progress') continue;
    const problem = found.problem;
    const automation: Actor = { ...systemActor, groups: ['admins'] };
    for (const incident of found.links.filter((l) => l.source.kind === 'incident'))
      await tellIncident(deps, automation, problem, incident.source, changeRef, event.id);
    const fix = problem.fix ?? `Change ${change.number}`;
    try {
      const moved = applyMove({ ...problem, fix }, { to: 'resolved' }, 'system', event.at);
      await store(deps, systemActor, problem, moved, {
        reason: `change ${change.number} closed successfully`,
      });
      resolved.push(problem.number);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await addProblemNote(deps, { ...systemActor, groups: ['admins'] }, problem.id, {
        type: 'note',
        body: `Change ${change.number} closed successfully, but the problem cannot be resolved yet: ${error.message}.`,
      });
    }
  }
  return resolved;
}

async function tellIncident(
  deps: ProblemDeps,
  automation: Actor,
  problem: Problem,
  incident: RecordRef,
  change: RecordRef,
  eventId: string,
) {
  const { ticket } = await viewTicket(deps, automation, incident.id).catch(() => ({ ticket: undefined }));
  if (!ticket || ['resolved', 'closed', 'cancelled'].includes(ticket.state)) return;
  const told = await addArticle(
    deps,
    automation,
    ticket.id,
    { type: 'reply', body: fixedBy(problem, change) },
    {
      channel: 'system',
      idempotencyKey: `problem-fix:${eventId}:${ticket.id}`,
    },
  );
  if (deps.problemSettings.onFix === 'notify-and-resolve')
    await updateTicket(deps, automation, ticket.id, {
      version: told.ticket.version,
      state: 'resolved',
      resolutionCode: 'solved_by_change',
      resolutionNotes: fixedBy(problem, change),
    });
}

/**
 * Counts a new incident on its service's and its category's counters for the day, and when
 * either reaches the threshold within the window, suggests a problem to the problem managers
 * (once per window). Counting is idempotent per event id; no Scan anywhere.
 */
export async function countIncident(deps: ProblemDeps, event: DomainEvent): Promise<ProblemSuggestion[]> {
  const ticketId = String(event.detail.ticketId ?? '');
  const found = await deps.tickets.get(ticketId);
  if (found?.ticket.kind !== 'incident') return [];
  const { service, category } = found.ticket;
  const hits: { dimension: HitDimension; value: string }[] = [
    ...(service ? [{ dimension: 'service' as const, value: service }] : []),
    ...(category ? [{ dimension: 'category' as const, value: category }] : []),
  ];
  const day = event.at.slice(0, 10);
  if (!(await deps.problems.countIncident(event.id, day, hits))) return [];
  const { threshold, windowDays: span } = deps.problemSettings.proactive;
  const days = windowDays(event.at, span);
  const suggestions: ProblemSuggestion[] = [];
  for (const { dimension, value } of hits) {
    const incidents = await deps.problems.hits(dimension, value, days);
    if (incidents < threshold) continue;
    const suggestion: ProblemSuggestion = {
      dimension,
      value,
      incidents,
      windowDays: span,
      day,
      suggestedAt: event.at,
    };
    const since = new Date(Date.parse(event.at) - span * 86_400_000).toISOString();
    if (await deps.problems.suggest(suggestion, since)) suggestions.push(suggestion);
  }
  if (suggestions.length > 0)
    await deps.events.publish(
      suggestions.map((s) => ({
        type: 'problem.suggested' as const,
        id: deps.ids.next(),
        at: event.at,
        detail: { ...s },
      })),
    );
  return suggestions;
}

export async function listSuggestions(
  deps: ProblemDeps,
  actor: Actor,
  cursor?: string,
): Promise<Page<ProblemSuggestion>> {
  if (!(await standing(deps, actor)).manager)
    throw new ForbiddenError('Only problem managers see suggestions');
  return deps.problems.suggestions({ limit: 50, ...(cursor ? { cursor } : {}) });
}

import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { RoutingPolicy } from '#ports/routing-policy.ts';
import type { Page, ReservedNumber, TicketList, TicketStore } from '#ports/ticket-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail, systemActor } from '../identity/actor.ts';
import { type AuditSpec, auditDiff, updatedEvent } from '../record/audit.ts';
import { AGAIN, retried } from '../record/retry.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import {
  type AgentVisibility,
  canViewTicket,
  isRequesterOrWatcher,
  type Viewer,
  visibleArticles,
  worksTicket,
} from './access.ts';
import { type Article, type AuditEntry, MAX_ARTICLE_HTML } from './article.ts';
import {
  autoCloseAt,
  canTransition,
  defaultLifecycleSettings,
  isFinal,
  type LifecycleSettings,
  ticketMoveRequires,
  withinReopenWindow,
} from './lifecycle.ts';
import { defaultPriorityMatrix, Level, type PriorityMatrix, priorityOf } from './priority.ts';
import {
  type Channel,
  HoldReason,
  Label,
  ResolutionCode,
  type Ticket,
  TicketKind,
  TicketLink,
  TicketNumber,
  TicketState,
} from './ticket.ts';
import { checkNewWatchers, defaultWatcherSettings, type WatcherSettings } from './watchers.ts';

/** What each deployment may configure about tickets. */
export interface TicketSettings extends LifecycleSettings, WatcherSettings {
  readonly priorityMatrix: PriorityMatrix;
  readonly agentVisibility: AgentVisibility;
}

export const defaultTicketSettings: TicketSettings = {
  ...defaultLifecycleSettings,
  ...defaultWatcherSettings,
  priorityMatrix: defaultPriorityMatrix,
  agentVisibility: 'groups',
};

export interface TicketDeps {
  readonly tickets: TicketStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEventPublisher;
  readonly groups: GroupDirectory;
  readonly routing: RoutingPolicy;
  readonly settings: TicketSettings;
}

const Email = z.email().max(254).transform(normalizeEmail);
const Watchers = z.array(Email).max(50);
const Tags = z.array(Label).max(20);

/** The watchers as they will be stored: the requester left out, outsiders refused per the watcher policy. */
function newWatchers(
  deps: TicketDeps,
  actor: Actor,
  requesterEmail: string,
  before: readonly string[],
  after: readonly string[],
): string[] {
  checkNewWatchers(deps.settings, isAgent(actor), requesterEmail, before, after);
  return after.filter((w) => w !== requesterEmail);
}

/** What a person fills in to open a ticket. Unknown fields are refused, not ignored (OWASP API3). */
export const OpenTicketInput = z.strictObject({
  kind: TicketKind.default('incident'),
  shortDescription: z.string().trim().min(1, 'is required').max(160),
  description: z.string().max(10_000).default(''),
  category: Label.optional(),
  subcategory: Label.optional(),
  service: Label.optional(),
  impact: Level.default(3),
  urgency: Level.default(3),
  watchers: Watchers.default([]),
  tags: Tags.default([]),
  parentId: z.string().min(1).max(64).optional(),
  /** Agents only: open the ticket for a caller (a phone call, a walk-up). */
  requester: z.strictObject({ email: Email, name: z.string().max(200).optional() }).optional(),
  /** Agents only: skip routing and put the ticket straight into a group. */
  assignmentGroup: Label.optional(),
});
export type OpenTicketInput = z.input<typeof OpenTicketInput>;

/** A change to a ticket. `version` is the one the editor saw; a stale one gets 409. */
export const UpdateTicketInput = z.strictObject({
  version: z.number().int().min(1),
  shortDescription: z.string().trim().min(1).max(160).optional(),
  description: z.string().max(10_000).optional(),
  category: Label.nullable().optional(),
  subcategory: Label.nullable().optional(),
  service: Label.nullable().optional(),
  impact: Level.optional(),
  urgency: Level.optional(),
  state: TicketState.optional(),
  holdReason: HoldReason.optional(),
  resolutionCode: ResolutionCode.optional(),
  resolutionNotes: z.string().trim().min(1).max(4000).optional(),
  assignmentGroup: Label.nullable().optional(),
  assignee: z
    .strictObject({ email: Email, name: z.string().max(200).optional() })
    .nullable()
    .optional(),
  watchers: Watchers.optional(),
  tags: Tags.optional(),
  parentId: z.string().min(1).max(64).nullable().optional(),
  links: z.array(TicketLink).max(50).optional(),
});
export type UpdateTicketInput = z.input<typeof UpdateTicketInput>;

export const AddArticleInput = z.strictObject({
  type: z.enum(['reply', 'note']).default('reply'),
  body: z.string().trim().min(1, 'is required').max(100_000),
});
export type AddArticleInput = z.input<typeof AddArticleInput>;

export const TicketListQuery = z.strictObject({
  view: z.enum(['mine', 'assigned', 'queue', 'unassigned']).default('mine'),
  group: Label.optional(),
  state: TicketState.optional(),
  /** `oldest` puts the tickets that have waited longest since their last update first. */
  order: z.enum(['newest', 'oldest']).default('newest'),
  priority: z.coerce.number().int().min(1).max(5).optional(),
  /** Group queue only: the tickets of one assignee (a filter within the queue's Query). */
  assignee: Email.optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TicketListQuery = z.input<typeof TicketListQuery>;

/** What a mail adds to its article beyond the text: the quoted history and the sanitized HTML. */
export interface MailBody {
  readonly quoted?: string;
  readonly html?: string;
  /** Where the whole body of a large mail is kept when the article holds excerpts. */
  readonly fullBodyKey?: string;
}

const mailFields = (mail: MailBody | undefined) => ({
  ...(mail?.quoted ? { quoted: mail.quoted.slice(0, 100_000) } : {}),
  ...(mail?.html && mail.html.length <= MAX_ARTICLE_HTML ? { html: mail.html } : {}),
  ...(mail?.fullBodyKey ? { fullBodyKey: mail.fullBodyKey } : {}),
});

export interface OpenTicketOptions {
  readonly channel: Channel;
  readonly idempotencyKey?: string;
  /** For mail: the Message-ID of the message that opened the ticket. */
  readonly messageId?: string;
  /** For mail: the quoted history and the sanitized HTML of the message, kept with its article. */
  readonly mail?: MailBody;
  /** A number reserved ahead (see `TicketStore.reserveNumber`); used when its kind is the ticket's. */
  readonly number?: ReservedNumber;
}

export interface OpenedTicket {
  readonly ticket: Ticket;
  /** False when the idempotency key had been used: the ticket is the one created the first time. */
  readonly created: boolean;
}

export interface TicketView {
  readonly ticket: Ticket;
  readonly articles: readonly Article[];
  readonly children: readonly { readonly id: string; readonly number: string }[];
}

const auditActor = (actor: Actor) => ({ id: actor.id, email: actor.email });
const person = (p: { id?: string; email: string; name?: string | undefined }) => ({
  id: p.id ?? p.email,
  email: normalizeEmail(p.email),
  ...(p.name ? { name: p.name } : {}),
});

async function viewerOf(deps: TicketDeps, actor: Actor): Promise<Viewer> {
  const groups = isAgent(actor) ? await deps.groups.groupsOf(normalizeEmail(actor.email)) : [];
  return { actor, groups };
}

/** Loads a ticket the actor may see, or 404s: the one gate in front of every record access. */
export async function visibleTicket(deps: TicketDeps, actor: Actor, id: string) {
  const [found, viewer] = await Promise.all([deps.tickets.get(id), viewerOf(deps, actor)]);
  if (!found || !canViewTicket(viewer, found.ticket, deps.settings.agentVisibility)) {
    throw new NotFoundError(`No ticket ${id}`);
  }
  return { ...found, viewer };
}

/** `visibleTicket` for a ticket the caller has already read. */
async function seenTicket(deps: TicketDeps, actor: Actor, ticket: Ticket) {
  const viewer = await viewerOf(deps, actor);
  if (!canViewTicket(viewer, ticket, deps.settings.agentVisibility))
    throw new NotFoundError(`No ticket ${ticket.id}`);
  return { ticket, viewer };
}

/**
 * Throws `NotFoundError` unless the actor may see the ticket: the gate for records that hang
 * off a ticket. Tells whether the ticket still takes additions (it is not closed or cancelled).
 */
export async function authorizeTicketAccess(
  deps: TicketDeps,
  actor: Actor,
  id: string,
): Promise<{ open: boolean }> {
  const { ticket } = await visibleTicket(deps, actor, id);
  return { open: !isFinal(ticket.state) };
}

/** Opens a ticket: routed, prioritized, numbered, with its first article and audit trail. */
export async function openTicket(
  deps: TicketDeps,
  actor: Actor,
  rawInput: OpenTicketInput,
  options: OpenTicketOptions,
): Promise<OpenedTicket> {
  const input = OpenTicketInput.parse(rawInput);
  if ((input.requester || input.assignmentGroup) && !isAgent(actor)) {
    throw new ForbiddenError('Only agents may open tickets for someone else or choose the group', {
      cause: { fields: ['requester', 'assignmentGroup'] },
    });
  }
  const now = deps.clock.now().toISOString();
  const requester = input.requester ? person(input.requester) : person(actor);
  const routed = input.assignmentGroup
    ? { group: input.assignmentGroup }
    : await deps.routing.route({
        shortDescription: input.shortDescription,
        description: input.description,
        requesterEmail: requester.email,
        channel: options.channel,
        ...(input.category ? { category: input.category } : {}),
        ...(input.service ? { service: input.service } : {}),
      });
  const impact = routed.impact ?? input.impact;
  const urgency = routed.urgency ?? input.urgency;
  if (input.parentId) await requireParent(deps, actor, input.parentId);
  const id = deps.ids.next();
  const ticket = {
    id,
    kind: input.kind,
    shortDescription: input.shortDescription,
    description: input.description,
    ...(input.category ? { category: input.category } : {}),
    ...(input.subcategory ? { subcategory: input.subcategory } : {}),
    ...(input.service ? { service: input.service } : {}),
    state: 'new' as const,
    impact,
    urgency,
    priority: priorityOf(impact, urgency, deps.settings.priorityMatrix),
    requester,
    channel: options.channel,
    ...(routed.group ? { assignmentGroup: routed.group } : {}),
    watchers: newWatchers(deps, actor, requester.email, [], input.watchers),
    tags: input.tags,
    ...(input.parentId ? { parentId: input.parentId } : {}),
    links: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const firstArticle: Article = {
    id: deps.ids.next(),
    ticketId: id,
    type: 'reply',
    author: requester,
    body: input.description || input.shortDescription,
    channel: options.channel === 'email' ? 'email' : options.channel === 'portal' ? 'portal' : 'api',
    ...(options.messageId ? { messageId: options.messageId } : {}),
    ...mailFields(options.mail),
    createdAt: now,
  };
  const who = auditActor(actor);
  const audit: Omit<AuditEntry, 'ticketId'>[] = [{ at: now, actor: who, field: 'state', newValue: 'new' }];
  if (routed.group) {
    audit.push({
      at: now,
      actor: who,
      field: 'assignmentGroup',
      newValue: routed.group,
      ...('ruleId' in routed && routed.ruleId ? { reason: `routing rule ${routed.ruleId}` } : {}),
    });
  }
  const result = await deps.tickets.create(
    {
      ticket,
      firstArticle,
      audit,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(options.number ? { number: options.number } : {}),
    },
    input.kind,
  );
  if (result.created) {
    await deps.events.publish([
      event(deps, 'ticket.created', now, {
        ticketId: result.ticket.id,
        number: result.ticket.number,
        channel: options.channel,
        kind: result.ticket.kind,
        ...(result.ticket.assignmentGroup ? { assignmentGroup: result.ticket.assignmentGroup } : {}),
        ...(result.ticket.service ? { service: result.ticket.service } : {}),
        priority: result.ticket.priority,
      }),
    ]);
  }
  return result;
}

async function requireParent(deps: TicketDeps, actor: Actor, parentId: string) {
  const parent = await deps.tickets.get(parentId);
  const viewer = await viewerOf(deps, actor);
  if (!parent || !canViewTicket(viewer, parent.ticket, deps.settings.agentVisibility)) {
    throw new ValidationError('Unknown parent', [
      { path: 'parentId', message: 'is not a ticket you can see' },
    ]);
  }
  if (parent.ticket.parentId) {
    throw new ValidationError('Parent is a child', [
      { path: 'parentId', message: 'is itself a child ticket' },
    ]);
  }
}

const event = (
  deps: TicketDeps,
  type: DomainEvent['type'],
  at: string,
  detail: Record<string, unknown>,
): DomainEvent => ({
  type,
  id: deps.ids.next(),
  at,
  detail,
});

/** A ticket with the part of its conversation the actor may see; 404 when they may not see it at all. */
export async function viewTicket(deps: TicketDeps, actor: Actor, id: string): Promise<TicketView> {
  const { ticket, articles, children, viewer } = await visibleTicket(deps, actor, id);
  return {
    ticket,
    articles: visibleArticles(viewer, ticket, articles, deps.settings.agentVisibility),
    children: worksTicket(viewer, ticket, deps.settings.agentVisibility) ? children : [],
  };
}

/** Finds a ticket by its number (`INC0001042`), under the same visibility rules. */
export async function findTicketByNumber(deps: TicketDeps, actor: Actor, rawNumber: string): Promise<Ticket> {
  const number = TicketNumber.parse(rawNumber.trim().toUpperCase());
  const ticket = await deps.tickets.findByNumber(number);
  if (!ticket || !canViewTicket(await viewerOf(deps, actor), ticket, deps.settings.agentVisibility)) {
    throw new NotFoundError(`No ticket ${number}`);
  }
  return ticket;
}

/** What a requester or watcher may change; everything else is the agents'. */
const callerFields = new Set(['version', 'watchers', 'state']);

/**
 * Changes a ticket: checks the version, who may change what, the lifecycle and its required
 * fields, then stores the new record with one audit entry per changed field.
 */
export async function updateTicket(
  deps: TicketDeps,
  actor: Actor,
  id: string,
  rawInput: UpdateTicketInput,
): Promise<Ticket> {
  return (await changeTicket(deps, actor, id, rawInput)).ticket;
}

/** What a change may carry besides fields: a reply or note written with it (a macro), and why. */
export interface ChangeOptions {
  readonly article?: { readonly type: 'reply' | 'note'; readonly body: string };
  /** Kept on every history entry of the change (`macro "Password reset"`, `bulk change`). */
  readonly reason?: string;
}

/**
 * `updateTicket` with an article added in the same versioned write: the fields and the text
 * land together or not at all, each changed field one history entry carrying `reason`.
 */
export async function changeTicket(
  deps: TicketDeps,
  actor: Actor,
  id: string,
  rawInput: UpdateTicketInput,
  options: ChangeOptions = {},
): Promise<{ ticket: Ticket; article?: Article }> {
  const input = UpdateTicketInput.parse(rawInput);
  const { ticket: current, viewer } = await visibleTicket(deps, actor, id);
  if (input.version !== current.version) {
    throw new ConflictError(`Ticket ${current.number} was changed by someone else`, current);
  }
  const agent = worksTicket(viewer, current, deps.settings.agentVisibility);
  if (!agent) {
    const refused = Object.keys(input).filter((field) => !callerFields.has(field));
    if (refused.length > 0) {
      throw new ForbiddenError(`Only agents may change ${refused.join(', ')}`);
    }
    if (input.state && input.state !== 'cancelled')
      throw new ForbiddenError('A caller may only cancel their ticket');
    if (
      (input.watchers || input.state) &&
      normalizeEmail(current.requester.email) !== normalizeEmail(actor.email)
    ) {
      throw new ForbiddenError('Only the requester may change the watchers or cancel the ticket');
    }
  }
  if (isFinal(current.state)) {
    throw new ValidationError(`Ticket is ${current.state}`, [
      { path: 'state', message: `is ${current.state}; nothing can change` },
    ]);
  }
  if (options.article?.type === 'note' && !agent)
    throw new ForbiddenError('Only agents write internal notes');
  const now = deps.clock.now();
  const next = await applyUpdate(deps, actor, current, input, now);
  const article: Article | undefined = options.article && {
    id: deps.ids.next(),
    ticketId: current.id,
    type: options.article.type,
    author: person(actor),
    body: options.article.body,
    channel: 'portal',
    createdAt: now.toISOString(),
  };
  const ticket = await storeChange(deps, actor, current, next, now, {
    ...(article ? { articles: [article] } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
  });
  return { ticket, ...(article ? { article } : {}) };
}

async function applyUpdate(
  deps: TicketDeps,
  actor: Actor,
  current: Ticket,
  input: z.output<typeof UpdateTicketInput>,
  now: Date,
) {
  const next: Ticket = { ...current };
  const set = <K extends keyof Ticket>(field: K, value: Ticket[K] | null | undefined) => {
    if (value === undefined) return;
    if (value === null) delete next[field];
    else next[field] = value;
  };
  set('shortDescription', input.shortDescription);
  set('description', input.description);
  set('category', input.category);
  set('subcategory', input.subcategory);
  set('service', input.service);
  set('impact', input.impact);
  set('urgency', input.urgency);
  set(
    'watchers',
    input.watchers && newWatchers(deps, actor, next.requester.email, current.watchers, input.watchers),
  );
  set('tags', input.tags);
  set('links', input.links);
  set('assignmentGroup', input.assignmentGroup);
  set('assignee', input.assignee === null ? null : input.assignee ? person(input.assignee) : undefined);
  if (input.parentId !== undefined && input.parentId !== current.parentId) {
    if (input.parentId === current.id)
      throw new ValidationError('Self parent', [
        { path: 'parentId', message: 'cannot be the ticket itself' },
      ]);
    if (input.parentId) await requireParent(deps, actor, input.parentId);
    set('parentId', input.parentId);
  }
  next.priority = priorityOf(next.impact, next.urgency, deps.settings.priorityMatrix);
  const groupChanged = next.assignmentGroup !== current.assignmentGroup;
  if (groupChanged && input.assignee === undefined) delete next.assignee;
  if (groupChanged && next.assignmentGroup) {
    const known = await deps.groups.existingGroups([next.assignmentGroup]);
    if (!known.has(next.assignmentGroup)) {
      throw new ValidationError('Unknown group', [
        { path: 'assignmentGroup', message: `${next.assignmentGroup} is not a group` },
      ]);
    }
  }
  if (next.assignee && (groupChanged || next.assignee.email !== current.assignee?.email)) {
    const groups = await deps.groups.groupsOf(next.assignee.email);
    const fits = next.assignmentGroup ? groups.includes(next.assignmentGroup) : groups.length > 0;
    if (!fits) {
      throw new ValidationError('Assignee not in group', [
        {
          path: 'assignee',
          message: next.assignmentGroup
            ? `is not a member of ${next.assignmentGroup}`
            : 'is not a member of any group',
        },
      ]);
    }
  }
  if (input.state && input.state !== current.state) applyTransition(next, current, input, actor, now);
  else if (input.holdReason && current.state === 'on_hold') next.holdReason = input.holdReason;
  return next;
}

function applyTransition(
  next: Ticket,
  current: Ticket,
  input: z.output<typeof UpdateTicketInput>,
  actor: Actor,
  now: Date,
) {
  const to = input.state as Ticket['state'];
  if (!canTransition(current.state, to)) {
    throw new ValidationError('Transition not allowed', [
      { path: 'state', message: `cannot go from ${current.state} to ${to}` },
    ]);
  }
  const missing = ticketMoveRequires(current.state, to).filter(
    (field) => !input[field as keyof typeof input],
  );
  if (missing.length > 0)
    throw to === 'on_hold'
      ? new ValidationError('Hold reason required', [
          { path: 'holdReason', message: 'is required to put a ticket on hold' },
        ])
      : new ValidationError(
          'Resolution required',
          missing.map((path) => ({ path, message: 'is required to resolve' })),
        );
  next.state = to;
  delete next.holdReason;
  if (to === 'on_hold' && input.holdReason) next.holdReason = input.holdReason;
  if (to === 'resolved' && input.resolutionCode && input.resolutionNotes) {
    next.resolution = {
      code: input.resolutionCode,
      notes: input.resolutionNotes,
      resolvedAt: now.toISOString(),
      resolvedBy: auditActor(actor),
    };
  }
  if (current.state === 'resolved' && to === 'in_progress') delete next.resolution;
  if (to === 'closed' || to === 'cancelled') next.closedAt = now.toISOString();
}

/** What the history of a ticket follows (the kernel's audit diff does the rest). */
export const ticketAudit: AuditSpec<Ticket> = [
  'shortDescription',
  'description',
  'category',
  'subcategory',
  'service',
  'state',
  'holdReason',
  'impact',
  'urgency',
  'priority',
  'assignmentGroup',
  { field: 'assignee', value: (ticket) => ticket.assignee?.email },
  'watchers',
  'tags',
  'parentId',
  'links',
  'resolution',
];

/** Stores a change the caller has decided and checked (the system's own changes use it too), publishing its events. */
export async function storeChange(
  deps: TicketDeps,
  actor: Actor,
  current: Ticket,
  next: Ticket,
  now: Date,
  extra: { articles?: Article[]; reason?: string; idempotencyKey?: string } = {},
): Promise<Ticket> {
  const at = now.toISOString();
  const audit = auditDiff(ticketAudit, current, next, { actor, at, reason: extra.reason });
  if (audit.length === 0 && !extra.articles?.length) return current;
  const stored = { ...next, updatedAt: at, version: current.version + 1 };
  const { ticket, applied } = await deps.tickets.update({
    ticket: stored,
    expectedVersion: current.version,
    audit,
    ...(extra.articles ? { articles: extra.articles } : {}),
    ...(stored.state === 'resolved' && stored.resolution
      ? { autoCloseAt: autoCloseAt(stored.resolution.resolvedAt, deps.settings) }
      : {}),
    ...(extra.idempotencyKey ? { idempotencyKey: extra.idempotencyKey } : {}),
    ...(current.parentId ? { previousParentId: current.parentId } : {}),
  });
  if (!applied) return ticket;
  const events: DomainEvent[] = updatedEvent(
    'ticket.updated',
    { ticketId: ticket.id, number: ticket.number },
    audit,
    { ids: deps.ids, at },
  );
  for (const article of extra.articles ?? []) {
    events.push(
      event(deps, 'article.added', at, {
        ticketId: ticket.id,
        number: ticket.number,
        articleId: article.id,
        type: article.type,
      }),
    );
  }
  await deps.events.publish(events);
  return ticket;
}

export interface AddArticleOptions {
  readonly channel: Article['channel'];
  readonly messageId?: string;
  /** For mail: the quoted history and the sanitized HTML of the message, kept with its article. */
  readonly mail?: MailBody;
  /** Makes adding from mail exactly-once (the SES message id). */
  readonly idempotencyKey?: string;
  /**
   * The ticket as the caller has just read it: the first try writes against it instead of
   * reading it again (if it changed since, the write's version condition fails and the next
   * try reads it afresh).
   */
  readonly current?: Ticket;
}

/**
 * Adds a reply or an internal note. Only those who work the ticket write notes. A caller's
 * reply reopens a resolved ticket within the reopen window and takes a ticket that waits
 * for the caller off hold.
 */
export async function addArticle(
  deps: TicketDeps,
  actor: Actor,
  id: string,
  rawInput: AddArticleInput,
  options: AddArticleOptions = { channel: 'portal' },
): Promise<{ ticket: Ticket; article: Article }> {
  const input = AddArticleInput.parse(rawInput);
  let known = options.current?.id === id ? options.current : undefined;
  return retried(`Ticket ${id}`, async () => {
    const { ticket: current, viewer } = known
      ? await seenTicket(deps, actor, known)
      : await visibleTicket(deps, actor, id);
    known = undefined;
    const agent = worksTicket(viewer, current, deps.settings.agentVisibility);
    if (input.type === 'note' && !agent) throw new ForbiddenError('Only agents write internal notes');
    if (isFinal(current.state)) {
      throw new ValidationError(`Ticket is ${current.state}`, [
        { path: 'ticket', message: `is ${current.state}; open a new ticket` },
      ]);
    }
    const now = deps.clock.now();
    const article: Article = {
      id: deps.ids.next(),
      ticketId: current.id,
      type: input.type,
      author: person(actor),
      body: input.body,
      channel: options.channel,
      ...(options.messageId ? { messageId: options.messageId } : {}),
      ...mailFields(options.mail),
      createdAt: now.toISOString(),
    };
    const next: Ticket = { ...current };
    let reason: string | undefined;
    const fromCaller = !agent && isRequesterOrWatcher(actor, current) && input.type === 'reply';
    if (fromCaller && current.state === 'resolved' && current.resolution) {
      if (!withinReopenWindow(current.resolution.resolvedAt, now, deps.settings)) {
        throw new ValidationError('Reopen window passed', [
          {
            path: 'ticket',
            message: `was resolved more than ${deps.settings.reopenWindowDays} days ago; open a new ticket`,
          },
        ]);
      }
      next.state = 'in_progress';
      delete next.resolution;
      reason = 'reply from the caller';
    } else if (fromCaller && current.state === 'on_hold' && current.holdReason === 'awaiting_caller') {
      next.state = 'in_progress';
      delete next.holdReason;
      reason = 'reply from the caller';
    }
    try {
      const ticket = await storeChange(deps, actor, current, next, now, {
        articles: [article],
        ...(reason ? { reason } : {}),
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      });
      return { ticket, article };
    } catch (error) {
      // Someone changed the ticket since it was read: the reply goes onto the ticket as it is now.
      if (error instanceof ConflictError) return AGAIN;
      throw error;
    }
  });
}

/** The lists of the product, each allowed to those who may see what is in it. */
export async function listTickets(
  deps: TicketDeps,
  actor: Actor,
  rawQuery: TicketListQuery,
): Promise<Page<Ticket>> {
  const query = TicketListQuery.parse(rawQuery);
  const email = normalizeEmail(actor.email);
  if (query.assignee && query.view !== 'queue')
    throw new ValidationError('Assignee filter', [
      { path: 'assignee', message: 'filters the queue view only' },
    ]);
  let list: TicketList;
  if (query.view === 'mine') list = { by: 'requester', email };
  else {
    if (!isAgent(actor)) throw new ForbiddenError('Only agents see work queues');
    if (query.view === 'assigned') list = { by: 'assignee', email };
    else {
      if (!query.group)
        throw new ValidationError('Group required', [
          { path: 'group', message: `is required for the ${query.view} view` },
        ]);
      const viewer = await viewerOf(deps, actor);
      if (
        !isAdmin(actor) &&
        deps.settings.agentVisibility === 'groups' &&
        !viewer.groups.includes(query.group)
      ) {
        throw new ForbiddenError(`Not a member of ${query.group}`);
      }
      list =
        query.view === 'queue'
          ? { by: 'queue', group: query.group, state: query.state ?? 'new' }
          : { by: 'unassigned', group: query.group };
    }
  }
  return deps.tickets.list(list, {
    limit: query.limit,
    oldestFirst: query.order === 'oldest',
    ...(query.priority === undefined ? {} : { priority: query.priority }),
    ...(query.assignee ? { assignee: query.assignee } : {}),
    // The queue's state is its partition; in my work it is a filter.
    ...(query.view === 'assigned' && query.state ? { state: query.state } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/** The audit trail of a ticket, for those who work it. */
export async function ticketHistory(
  deps: TicketDeps,
  actor: Actor,
  id: string,
  cursor?: string,
): Promise<Page<AuditEntry>> {
  const { ticket, viewer } = await visibleTicket(deps, actor, id);
  if (!worksTicket(viewer, ticket, deps.settings.agentVisibility))
    throw new ForbiddenError('Only agents see the history');
  return deps.tickets.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

/** Closes resolved tickets whose auto-close time has passed; run on a schedule. Returns how many it closed. */
export async function closeResolvedTickets(deps: TicketDeps, batch = 100): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.tickets.dueForAutoClose(now.toISOString(), batch);
  let closed = 0;
  for (const ticket of due) {
    try {
      await storeChange(
        deps,
        systemActor,
        ticket,
        { ...ticket, state: 'closed', closedAt: now.toISOString() },
        now,
        {
          reason: `resolved more than ${deps.settings.autoCloseDays} days ago`,
        },
      );
      closed++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return closed;
}

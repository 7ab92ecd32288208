import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { ResponseStore } from '#ports/desk-store.ts';
import type { GroupStore } from '#ports/group-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import type { Page } from '../record/record.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Article } from '../ticket/article.ts';
import type { Ticket } from '../ticket/ticket.ts';
import {
  changeTicket,
  type TicketDeps,
  type UpdateTicketInput,
  visibleTicket,
} from '../ticket/ticket-service.ts';
import {
  ApplyMacroInput,
  type CannedResponse,
  CreateResponseInput,
  fillPlaceholders,
  type MacroActions,
  UpdateResponseInput,
  unknownPlaceholders,
} from './response.ts';

export interface ResponseDeps {
  readonly responses: ResponseStore;
  readonly groupStore: Pick<GroupStore, 'getGroup'>;
  readonly ticket: TicketDeps;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The portal's base URL, for the `{link}` placeholder. */
  readonly portalUrl: string;
}

/** How many of an agent's responses one list returns (personal and each group's). */
export const RESPONSE_PAGE_SIZE = 100;

function requireAgent(actor: Actor) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents and admins use canned responses');
}

const groupsOf = (deps: ResponseDeps, actor: Actor) =>
  deps.ticket.groups.groupsOf(normalizeEmail(actor.email));

/** Whether the actor may edit a group's responses: its manager, or an admin. */
async function managesGroup(deps: ResponseDeps, actor: Actor, groupId: string): Promise<boolean> {
  if (isAdmin(actor)) return true;
  const group = await deps.groupStore.getGroup(groupId);
  return !!group?.managerEmail && normalizeEmail(group.managerEmail) === normalizeEmail(actor.email);
}

/** Whether the actor may see and use a response: its owner; for a group's, its members, manager and admins. */
async function mayUse(deps: ResponseDeps, actor: Actor, response: CannedResponse): Promise<boolean> {
  if (response.scope === 'personal') return response.owner === normalizeEmail(actor.email);
  if (isAdmin(actor)) return true;
  if ((await groupsOf(deps, actor)).includes(response.owner)) return true;
  return managesGroup(deps, actor, response.owner);
}

async function mayEdit(deps: ResponseDeps, actor: Actor, response: CannedResponse): Promise<boolean> {
  if (response.scope === 'personal') return response.owner === normalizeEmail(actor.email);
  return managesGroup(deps, actor, response.owner);
}

/** A response the actor may use, or 404 (someone else's personal responses are not an oracle). */
async function usable(deps: ResponseDeps, actor: Actor, id: string): Promise<CannedResponse> {
  requireAgent(actor);
  const response = await deps.responses.get(id);
  if (!response || !(await mayUse(deps, actor, response))) throw new NotFoundError(`No response ${id}`);
  return response;
}

/** Refuses what would fail every time the macro is applied, naming the field. */
function checkTemplate(body: string, actions: MacroActions | undefined) {
  const unknown = unknownPlaceholders(body);
  const problems = unknown.length
    ? [{ path: 'body', message: `has unknown placeholders ${unknown.join(', ')}` }]
    : [];
  if (actions?.state === 'on_hold' && !actions.holdReason)
    problems.push({ path: 'actions.holdReason', message: 'is required to put a ticket on hold' });
  if (actions?.state === 'resolved' && !actions.resolutionCode)
    problems.push({ path: 'actions.resolutionCode', message: 'is required to resolve' });
  if (actions?.holdReason && actions.state !== 'on_hold')
    problems.push({ path: 'actions.holdReason', message: 'needs state on_hold' });
  if (actions?.resolutionCode && actions.state !== 'resolved')
    problems.push({ path: 'actions.resolutionCode', message: 'needs state resolved' });
  if (problems.length) throw new ValidationError('The template cannot be used as written', problems);
}

/** Saves a personal response (any agent) or a group's (its manager or an admin). */
export async function createResponse(
  deps: ResponseDeps,
  actor: Actor,
  raw: CreateResponseInput,
): Promise<CannedResponse> {
  requireAgent(actor);
  const input = CreateResponseInput.parse(raw);
  if (input.scope === 'group') {
    if (!input.group)
      throw new ValidationError('Group required', [
        { path: 'group', message: 'is required for a group response' },
      ]);
    if (!(await deps.groupStore.getGroup(input.group)))
      throw new ValidationError('Unknown group', [
        { path: 'group', message: `${input.group} is not a group` },
      ]);
    if (!(await managesGroup(deps, actor, input.group)))
      throw new ForbiddenError(`Only the manager of ${input.group} or an admin may add its responses`);
  } else if (input.group) {
    throw new ValidationError('Group on a personal response', [
      { path: 'group', message: 'is only for scope group' },
    ]);
  }
  checkTemplate(input.body, input.actions);
  const at = deps.clock.now().toISOString();
  const response: CannedResponse = {
    id: deps.ids.next(),
    name: input.name,
    body: input.body,
    scope: input.scope,
    owner: input.scope === 'group' ? (input.group as string) : normalizeEmail(actor.email),
    articleType: input.articleType,
    ...(input.actions ? { actions: input.actions } : {}),
    createdBy: normalizeEmail(actor.email),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await deps.responses.put(response, 0);
  return response;
}

/** Every response the agent may use: their own, then each of their groups'. `group` narrows to one group's. */
export async function listResponses(
  deps: ResponseDeps,
  actor: Actor,
  group?: string,
): Promise<Page<CannedResponse & { editable: boolean }>> {
  requireAgent(actor);
  const request = { limit: RESPONSE_PAGE_SIZE };
  const mine = normalizeEmail(actor.email);
  const groups = group ? [group] : await groupsOf(deps, actor);
  if (
    group &&
    !isAdmin(actor) &&
    !(await groupsOf(deps, actor)).includes(group) &&
    !(await managesGroup(deps, actor, group))
  )
    throw new ForbiddenError(`Not a member of ${group}`);
  const pages = await Promise.all([
    group
      ? Promise.resolve({ items: [] as CannedResponse[] })
      : deps.responses.list('personal', mine, request),
    ...groups.map((g) => deps.responses.list('group', g, request)),
  ]);
  const managed = new Map<string, boolean>();
  for (const g of groups) managed.set(g, await managesGroup(deps, actor, g));
  return {
    items: pages.flatMap((page) =>
      page.items.map((r) => ({ ...r, editable: r.scope === 'personal' || managed.get(r.owner) === true })),
    ),
  };
}

export async function getResponse(deps: ResponseDeps, actor: Actor, id: string): Promise<CannedResponse> {
  return usable(deps, actor, id);
}

async function editable(deps: ResponseDeps, actor: Actor, id: string, version: number) {
  const current = await usable(deps, actor, id);
  if (!(await mayEdit(deps, actor, current)))
    throw new ForbiddenError(`Only the manager of ${current.owner} or an admin may change its responses`);
  if (current.version !== version)
    throw new ConflictError(`Response ${current.name} was changed by someone else`, current);
  return current;
}

export async function updateResponse(
  deps: ResponseDeps,
  actor: Actor,
  id: string,
  raw: UpdateResponseInput,
): Promise<CannedResponse> {
  const input = UpdateResponseInput.parse(raw);
  const current = await editable(deps, actor, id, input.version);
  const { actions: _, ...rest } = current;
  const actions = input.actions === null ? undefined : (input.actions ?? current.actions);
  const next: CannedResponse = {
    ...rest,
    ...(input.name ? { name: input.name } : {}),
    ...(input.body ? { body: input.body } : {}),
    ...(input.articleType ? { articleType: input.articleType } : {}),
    ...(actions ? { actions } : {}),
    updatedAt: deps.clock.now().toISOString(),
    version: current.version + 1,
  };
  checkTemplate(next.body, next.actions);
  await deps.responses.put(next, current.version);
  return next;
}

export async function deleteResponse(
  deps: ResponseDeps,
  actor: Actor,
  id: string,
  version: number,
): Promise<void> {
  await editable(deps, actor, id, version);
  await deps.responses.delete(id, version);
}

/** The ticket change a macro makes, for the ticket as it is now and the agent applying it. */
export function macroChange(
  actions: MacroActions,
  ticket: Ticket,
  actor: Actor,
  version: number,
  text: string,
): UpdateTicketInput {
  return {
    version,
    ...(actions.state && actions.state !== ticket.state ? { state: actions.state } : {}),
    ...(actions.holdReason ? { holdReason: actions.holdReason } : {}),
    ...(actions.resolutionCode ? { resolutionCode: actions.resolutionCode, resolutionNotes: text } : {}),
    ...(actions.impact ? { impact: actions.impact } : {}),
    ...(actions.urgency ? { urgency: actions.urgency } : {}),
    ...(actions.assignmentGroup ? { assignmentGroup: actions.assignmentGroup } : {}),
    ...(actions.assignToMe
      ? { assignee: { email: actor.email, ...(actor.name ? { name: actor.name } : {}) } }
      : {}),
    ...(actions.addTags?.length
      ? { tags: [...new Set([...ticket.tags, ...actions.addTags])].slice(0, 20) }
      : {}),
  };
}

/**
 * Applies a macro (or inserts a response as a reply) on a ticket in one versioned write: the
 * fields it sets and its text, filled in for this ticket, land together; each changed field
 * is one history entry with the reason `macro "<name>"`.
 */
export async function applyMacro(
  deps: ResponseDeps,
  actor: Actor,
  ticketId: string,
  raw: ApplyMacroInput,
): Promise<{ ticket: Ticket; article?: Article }> {
  const input = ApplyMacroInput.parse(raw);
  const response = await usable(deps, actor, input.responseId);
  const { ticket } = await visibleTicket(deps.ticket, actor, ticketId);
  const text = fillPlaceholders(response.body, ticket, { portalUrl: deps.portalUrl, agent: actor });
  return changeTicket(
    deps.ticket,
    actor,
    ticketId,
    macroChange(response.actions ?? {}, ticket, actor, input.version, text),
    { article: { type: response.articleType, body: text }, reason: `macro "${response.name}"` },
  );
}

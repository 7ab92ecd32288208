import type { Clock } from '#ports/clock.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { Page } from '#ports/ticket-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { emptyRoutingConfig, type RoutingConfig, SaveRoutingInput } from '../routing/routing-rules.ts';
import {
  ConflictError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../shared/errors.ts';
import {
  AddMemberInput,
  CreateGroupInput,
  type Group,
  GroupId,
  GroupMember,
  UpdateGroupInput,
} from './group.ts';

export interface GroupDeps {
  readonly groups: GroupStore;
  readonly clock: Clock;
  /**
   * The company's mail domains (subdomains included): members and managers must have an address
   * on one of them, so a typo never becomes a member nobody is. @default the acting admin's domain
   */
  readonly knownDomains?: readonly string[];
}

/** Groups are few; one page holds all of them in most deployments. */
export const GROUP_PAGE_SIZE = 100;
export const MEMBER_PAGE_SIZE = 100;

/**
 * Groups, members and routing are configuration: admins change them, agents read them to
 * know where work goes, employees have no business with them. Refusing is a 403, not a 404:
 * that a group exists is no secret worth hiding.
 */
function requireAdmin(actor: Actor, action: string): void {
  if (!isAdmin(actor)) throw new ForbiddenError(`Only admins may ${action}`);
}

function requireAgent(actor: Actor, what: string): void {
  if (!isAgent(actor)) throw new ForbiddenError(`Only agents and admins may see ${what}`);
}

/** Approvers read groups and their members too: a change page names who was asked. */
function requireStaff(actor: Actor, what: string): void {
  if (!isAgent(actor) && !actor.groups.includes('approvers'))
    throw new ForbiddenError(`Only agents, approvers and admins may see ${what}`);
}

const pageRequest = (limit: number, cursor: string | undefined) => ({ limit, ...(cursor ? { cursor } : {}) });

/** A path parameter that cannot be a group id names no group: 404 like any other unknown id. */
function groupIdOf(id: string): string {
  if (!GroupId.safeParse(id).success) throw new NotFoundError(`No group ${JSON.stringify(id.slice(0, 64))}`);
  return id;
}

async function existingGroup(deps: GroupDeps, id: string): Promise<Group> {
  const group = await deps.groups.getGroup(groupIdOf(id));
  if (!group) throw new NotFoundError(`No group ${id}`);
  return group;
}

const optionalEmail = (email: string | undefined) => (email ? normalizeEmail(email) : undefined);

/** Refuses an address outside the company's domains, naming the field and the domains known. */
function requireKnownAddress(deps: GroupDeps, actor: Actor, email: string | null | undefined, path: string) {
  if (!email) return;
  const known = deps.knownDomains?.length ? deps.knownDomains : [actor.email.split('@')[1] ?? ''];
  const domain = normalizeEmail(email).split('@')[1] ?? '';
  if (known.some((k) => domain === k.toLowerCase() || domain.endsWith(`.${k.toLowerCase()}`))) return;
  throw new ValidationError(`${email} is not an address of your organisation`, [
    { path, message: `must be an address on ${known.join(', ')}` },
  ]);
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

export async function createGroup(deps: GroupDeps, actor: Actor, rawInput: CreateGroupInput): Promise<Group> {
  requireAdmin(actor, 'create groups');
  const input = CreateGroupInput.parse(rawInput);
  requireKnownAddress(deps, actor, input.managerEmail, 'managerEmail');
  const now = deps.clock.now().toISOString();
  const group: Group = withoutUndefined({
    id: input.id,
    name: input.name,
    description: input.description || undefined,
    email: optionalEmail(input.email),
    managerEmail: optionalEmail(input.managerEmail),
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  await deps.groups.createGroup(group);
  return group;
}

/**
 * Changes the fields given. A stale `version` is refused with the group as it is now, both
 * when it is already stale on reading and when another admin saved in between.
 */
export async function updateGroup(
  deps: GroupDeps,
  actor: Actor,
  id: string,
  rawInput: UpdateGroupInput,
): Promise<Group> {
  requireAdmin(actor, 'change groups');
  const input = UpdateGroupInput.parse(rawInput);
  requireKnownAddress(deps, actor, input.managerEmail, 'managerEmail');
  const current = await existingGroup(deps, id);
  if (current.version !== input.version)
    throw new ConflictError(`Group ${id} has changed since version ${input.version}`, current);
  const pick = (given: string | null | undefined, old: string | undefined, email = false) => {
    if (given === undefined) return old;
    if (given === null || given === '') return undefined;
    return email ? normalizeEmail(given) : given;
  };
  const next: Group = withoutUndefined({
    ...current,
    name: input.name ?? current.name,
    description: pick(input.description, current.description),
    email: pick(input.email, current.email, true),
    managerEmail: pick(input.managerEmail, current.managerEmail, true),
    updatedAt: deps.clock.now().toISOString(),
    version: current.version + 1,
  });
  await deps.groups.updateGroup(next, current.version);
  return next;
}

export async function getGroup(deps: GroupDeps, actor: Actor, id: string): Promise<Group> {
  requireStaff(actor, 'groups');
  return existingGroup(deps, id);
}

export async function listGroups(deps: GroupDeps, actor: Actor, cursor?: string): Promise<Page<Group>> {
  requireStaff(actor, 'groups');
  return deps.groups.listGroups(pageRequest(GROUP_PAGE_SIZE, cursor));
}

/** Adds a person to a group; adding a member again changes nothing and says so (`added: false`). */
export async function addMember(
  deps: GroupDeps,
  actor: Actor,
  groupId: string,
  rawInput: AddMemberInput,
): Promise<{ member: GroupMember; added: boolean }> {
  requireAdmin(actor, 'change group membership');
  const input = AddMemberInput.parse(rawInput);
  requireKnownAddress(deps, actor, input.email, 'email');
  const member: GroupMember = {
    groupId: groupIdOf(groupId),
    email: normalizeEmail(input.email),
    ...(input.name ? { name: input.name } : {}),
    addedAt: deps.clock.now().toISOString(),
  };
  return deps.groups.addMember(member);
}

export async function removeMember(
  deps: GroupDeps,
  actor: Actor,
  groupId: string,
  email: string,
): Promise<void> {
  requireAdmin(actor, 'change group membership');
  const address = normalizeEmail(email);
  if (!GroupMember.shape.email.safeParse(address).success)
    throw new NotFoundError(`${address.slice(0, 254)} is not a member of ${groupId}`);
  await deps.groups.removeMember(groupIdOf(groupId), address);
}

export async function listMembers(
  deps: GroupDeps,
  actor: Actor,
  groupId: string,
  cursor?: string,
): Promise<Page<GroupMember>> {
  requireStaff(actor, 'group members');
  await existingGroup(deps, groupId);
  return deps.groups.listMembers(groupId, pageRequest(MEMBER_PAGE_SIZE, cursor));
}

/** The routing configuration; before the first save, one without rules or default group. */
export async function getRoutingConfig(deps: GroupDeps, actor: Actor): Promise<RoutingConfig> {
  requireAgent(actor, 'routing rules');
  return (await deps.groups.getRoutingConfig()) ?? emptyRoutingConfig;
}

/**
 * Replaces the rules and the default group. Every group named must exist, so a typo cannot
 * send tickets into a queue nobody watches; the refusal names each offending field.
 */
export async function saveRoutingConfig(
  deps: GroupDeps,
  actor: Actor,
  rawInput: SaveRoutingInput,
): Promise<RoutingConfig> {
  requireAdmin(actor, 'change routing rules');
  const input = SaveRoutingInput.parse(rawInput);
  const named = [
    ...input.rules.map((rule, i) => ({ path: `rules[${i}].actions.group`, group: rule.actions.group })),
    ...(input.defaultGroup ? [{ path: 'defaultGroup', group: input.defaultGroup }] : []),
  ];
  const existing = await deps.groups.existingGroups([...new Set(named.map((n) => n.group))]);
  const missing = named.filter((n) => !existing.has(n.group));
  if (missing.length > 0) {
    const fields: FieldProblem[] = missing.map((n) => ({
      path: n.path,
      message: `names no group: ${n.group}`,
    }));
    const groups = [...new Set(missing.map((n) => n.group))].join(', ');
    throw new ValidationError(`Routing names groups that do not exist: ${groups}`, fields);
  }
  const config: RoutingConfig = {
    rules: input.rules,
    ...(input.defaultGroup ? { defaultGroup: input.defaultGroup } : {}),
    version: input.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: normalizeEmail(actor.email),
  };
  await deps.groups.saveRoutingConfig(config, input.version);
  return config;
}

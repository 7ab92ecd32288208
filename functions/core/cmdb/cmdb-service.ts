import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { CiList, CiWithRelations, CmdbStore } from '#ports/cmdb-store.ts';
import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { type AuditDraft, auditDiff, updatedEvent } from '../record/audit.ts';
import { mayMove } from '../record/lifecycle.ts';
import { Label, type Page, RecordNumber } from '../record/record.ts';
import { applyEdit, nextVersion, requireVersion } from '../record/version.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { type AssetAssignment, isHardwareClass } from './asset.ts';
import {
  CiClass,
  type CiRelation,
  type CiSource,
  CiStatus,
  type ConfigurationItem,
  Criticality,
  ciAudit,
  ciLifecycle,
  ciRef,
  Environment,
  ExternalId,
  parseAttributes,
  RelationType,
} from './ci.ts';

/**
 * The CMDB on the record engine: configuration items, their typed relations and history.
 *
 * Who may do what (object-level, on every call):
 * - **read**: agents, approvers and admins (employees see only their own devices, elsewhere);
 * - **create**: admins and members of the configuration-manager group (`managerGroup`);
 * - **edit, relate, retire**: those, and agents of the CI's support group.
 */
export interface CmdbDeps {
  readonly cis: CmdbStore;
  readonly groups: GroupDirectory;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The support group whose members manage the whole CMDB. @default configuration-managers */
  readonly managerGroup: string;
}

const Name = z.string().trim().min(1, 'is required').max(200);
const Email = z.email().max(254).transform(normalizeEmail);
const Tags = z.record(z.string().min(1).max(128), z.string().max(256));

export const CreateCiInput = z.strictObject({
  name: Name,
  class: CiClass,
  status: CiStatus.default('in_service'),
  owner: Email.optional(),
  supportGroup: Label.optional(),
  environment: Environment.optional(),
  criticality: Criticality.default('medium'),
  location: z.string().trim().min(1).max(200).optional(),
  tags: Tags.default({}),
  externalId: ExternalId.optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type CreateCiInput = z.input<typeof CreateCiInput>;

export const UpdateCiInput = z.strictObject({
  version: z.number().int().min(1),
  name: Name.optional(),
  status: CiStatus.optional(),
  owner: Email.nullable().optional(),
  supportGroup: Label.nullable().optional(),
  environment: Environment.nullable().optional(),
  criticality: Criticality.optional(),
  location: z.string().trim().min(1).max(200).nullable().optional(),
  tags: Tags.optional(),
  /** Replaces the attributes; validated against the CI's class. */
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateCiInput = z.input<typeof UpdateCiInput>;

export const CiListQuery = z.strictObject({
  class: CiClass.optional(),
  status: CiStatus.optional(),
  owner: z.email().max(254).optional(),
  /** Name prefix, case-insensitive (with a status, or among CIs in service). */
  q: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type CiListQuery = z.input<typeof CiListQuery>;

export const RelateInput = z.strictObject({
  type: RelationType,
  /** The id of the CI at the other end. */
  to: z.string().min(1).max(64),
});
export type RelateInput = z.input<typeof RelateInput>;

/** Whether the actor may read the CMDB. */
export const mayReadCmdb = (actor: Actor): boolean => isAgent(actor) || actor.groups.includes('approvers');

function requireReader(actor: Actor): void {
  if (!mayReadCmdb(actor)) throw new ForbiddenError('Only agents, approvers and admins may read the CMDB');
}

async function isManager(deps: CmdbDeps, actor: Actor): Promise<boolean> {
  if (isAdmin(actor)) return true;
  return (await deps.groups.groupsOf(normalizeEmail(actor.email))).includes(deps.managerGroup);
}

/** Whether the actor may edit this CI: a CMDB manager, or an agent of its support group. */
export async function mayEditCi(deps: CmdbDeps, actor: Actor, ci: ConfigurationItem): Promise<boolean> {
  if (isAdmin(actor)) return true;
  if (!isAgent(actor)) return false;
  const groups = await deps.groups.groupsOf(normalizeEmail(actor.email));
  return (
    groups.includes(deps.managerGroup) || (ci.supportGroup !== undefined && groups.includes(ci.supportGroup))
  );
}

async function requireEditor(deps: CmdbDeps, actor: Actor, ci: ConfigurationItem): Promise<void> {
  if (!(await mayEditCi(deps, actor, ci)))
    throw new ForbiddenError(
      `Only admins, ${deps.managerGroup} and the support group of ${ci.number} may change it`,
    );
}

function attributesOrThrow(ciClass: CiClass, attributes: unknown): Record<string, unknown> {
  const parsed = parseAttributes(ciClass, attributes);
  if (!parsed.ok) throw new ValidationError(`Attributes do not fit class ${ciClass}`, parsed.problems);
  return parsed.value;
}

async function loadCi(deps: CmdbDeps, actor: Actor, id: string): Promise<ConfigurationItem> {
  requireReader(actor);
  const ci = await deps.cis.get(id);
  if (!ci) throw new NotFoundError(`No configuration item ${id}`);
  return ci;
}

const event = (
  deps: CmdbDeps,
  type: DomainEvent['type'],
  at: string,
  ci: ConfigurationItem,
  more: Record<string, unknown> = {},
): DomainEvent => ({
  type,
  id: deps.ids.next(),
  at,
  detail: { ciId: ci.id, number: ci.number, class: ci.class, ...more },
});

/** Stores a new CI (by hand, import or discovery): the one create path. */
export async function storeNewCi(
  deps: CmdbDeps,
  actor: Actor,
  input: z.output<typeof CreateCiInput>,
  source: z.infer<typeof CiSource>,
): Promise<ConfigurationItem> {
  const attributes = attributesOrThrow(input.class, input.attributes);
  const now = deps.clock.now().toISOString();
  const { owner, ...fields } = input;
  const id = deps.ids.next();
  const by = { id: actor.id, email: actor.email };
  // A hardware CI is an asset: assigned to its owner when it has one (its first check-out), else in stock.
  const hardware = isHardwareClass(input.class);
  const assigned = hardware && owner !== undefined && input.status !== 'retired';
  const assignment: AssetAssignment | undefined = assigned
    ? {
        ciId: id,
        person: owner,
        checkedOutAt: now,
        checkedOutBy: by,
        note: `assigned when added (${source})`,
      }
    : undefined;
  const created = await deps.cis.create(
    {
      id,
      ...fields,
      attributes,
      ...(owner ? { owner: { id: owner, email: owner } } : {}),
      source,
      ...(hardware
        ? {
            asset: assigned
              ? { state: 'assigned' as const, assignedAt: now }
              : { state: input.status === 'retired' ? ('retired' as const) : ('in_stock' as const) },
          }
        : {}),
      ...(input.status === 'retired' ? { retiredAt: now } : {}),
      createdAt: now,
      updatedAt: now,
      version: 1,
    },
    [{ at: now, actor: by, field: 'status', newValue: input.status }],
    assignment,
  );
  await deps.events.publish([event(deps, 'ci.created', now, created, { source })]);
  return created;
}

export async function createCi(deps: CmdbDeps, actor: Actor, raw: CreateCiInput): Promise<ConfigurationItem> {
  const input = CreateCiInput.parse(raw);
  if (!(await isManager(deps, actor)))
    throw new ForbiddenError(`Only admins and members of ${deps.managerGroup} may add configuration items`);
  return storeNewCi(deps, actor, input, 'manual');
}

export async function viewCi(deps: CmdbDeps, actor: Actor, id: string): Promise<CiWithRelations> {
  requireReader(actor);
  const found = await deps.cis.getWithRelations(id);
  if (!found) throw new NotFoundError(`No configuration item ${id}`);
  return found;
}

export async function findCiByNumber(deps: CmdbDeps, actor: Actor, raw: string): Promise<ConfigurationItem> {
  requireReader(actor);
  const number = RecordNumber.parse(raw.trim().toUpperCase());
  const ci = await deps.cis.findByNumber(number);
  if (!ci) throw new NotFoundError(`No configuration item ${number}`);
  return ci;
}

export async function findCiByExternalId(
  deps: CmdbDeps,
  actor: Actor,
  raw: string,
): Promise<ConfigurationItem> {
  requireReader(actor);
  const ci = await deps.cis.findByExternalId(ExternalId.parse(raw));
  if (!ci) throw new NotFoundError('No configuration item with that external id');
  return ci;
}

/**
 * The next version of a CI after an edit, checked: the status move is one the lifecycle
 * allows, the attributes fit the class. Shared by people's edits and discovery.
 */
export function editedCi(
  current: ConfigurationItem,
  edit: Omit<z.output<typeof UpdateCiInput>, 'version'>,
  role: 'editor' | 'discovery',
  now: string,
): ConfigurationItem {
  const next: ConfigurationItem = { ...current };
  const { owner, attributes, status, ...rest } = edit;
  applyEdit(next, rest, ['name', 'supportGroup', 'environment', 'criticality', 'location', 'tags']);
  if (owner === null) delete next.owner;
  else if (owner) next.owner = { id: owner, email: owner };
  if (attributes) next.attributes = attributesOrThrow(current.class, attributes);
  if (status && status !== current.status) {
    if (!mayMove(ciLifecycle, current.status, status, role))
      throw new ValidationError('Status change not allowed', [
        { path: 'status', message: `cannot go from ${current.status} to ${status}` },
      ]);
    next.status = status;
    if (status === 'retired') next.retiredAt = now;
    else delete next.retiredAt;
  }
  return next;
}

/** Stores an edited CI with its history and announces `ci.updated` (and `ci.retired`). */
export async function storeEditedCi(
  deps: CmdbDeps,
  actor: Actor,
  current: ConfigurationItem,
  next: ConfigurationItem,
  now: string,
  reason?: string,
): Promise<ConfigurationItem> {
  const audit = auditDiff(ciAudit, current, next, { actor, at: now, reason });
  if (audit.length === 0) return current;
  const stored = nextVersion(next, current, now);
  await deps.cis.update(stored, current.version, audit);
  const events = updatedEvent('ci.updated', { ciId: stored.id, number: stored.number }, audit, {
    ids: deps.ids,
    at: now,
  });
  if (stored.status === 'retired' && current.status !== 'retired')
    events.push(event(deps, 'ci.retired', now, stored));
  await deps.events.publish(events);
  return stored;
}

/** Edits a CI or moves its status (send the version you saw); retiring keeps it, never deletes it. */
export async function updateCi(
  deps: CmdbDeps,
  actor: Actor,
  id: string,
  raw: UpdateCiInput,
): Promise<ConfigurationItem> {
  const input = UpdateCiInput.parse(raw);
  const current = await loadCi(deps, actor, id);
  await requireEditor(deps, actor, current);
  requireVersion(current, input.version);
  if (isHardwareClass(current.class)) {
    const moved = (['owner', 'status'] as const).filter((field) => input[field] !== undefined);
    if (moved.length > 0)
      throw new ValidationError(
        `${current.number} is an asset: it moves by check-out, return, repair and retire`,
        moved.map((path) => ({
          path,
          message: 'changes with the asset moves (check out, return, send to repair, retire), not by editing',
        })),
      );
  }
  const { version: _, ...edit } = input;
  const now = deps.clock.now().toISOString();
  return storeEditedCi(deps, actor, current, editedCi(current, edit, 'editor', now), now);
}

/** One list of CIs: by class (and status), by owner, or by status with a name prefix (in service by default). */
export async function listCis(
  deps: CmdbDeps,
  actor: Actor,
  raw: CiListQuery,
): Promise<Page<ConfigurationItem>> {
  requireReader(actor);
  const query = CiListQuery.parse(raw);
  let list: CiList;
  if (query.class) {
    if (query.q)
      throw new ValidationError('Search by name within a status, not a class', [
        { path: 'q', message: 'cannot be combined with class; give a status instead' },
      ]);
    list = { by: 'class', class: query.class, ...(query.status ? { status: query.status } : {}) };
  } else if (query.owner) list = { by: 'owner', owner: normalizeEmail(query.owner) };
  else
    list = {
      by: 'status',
      status: query.status ?? 'in_service',
      ...(query.q ? { namePrefix: query.q.toLowerCase() } : {}),
    };
  return deps.cis.list(list, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
}

export async function ciHistory(deps: CmdbDeps, actor: Actor, id: string, cursor?: string) {
  await loadCi(deps, actor, id);
  return deps.cis.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

const relationAudit = (
  actor: Actor,
  at: string,
  relation: Pick<CiRelation, 'type' | 'from' | 'to'>,
  added: boolean,
) =>
  ({
    at,
    actor: { id: actor.id, email: actor.email },
    field: 'relations',
    ...(added
      ? { newValue: `${relation.from.number} ${relation.type} ${relation.to.number}` }
      : { oldValue: `${relation.from.number} ${relation.type} ${relation.to.number}` }),
  }) satisfies AuditDraft;

/** Relates a CI to another (`from` is the CI in the path); a missing CI is refused, a duplicate is 409. */
export async function relateCis(
  deps: CmdbDeps,
  actor: Actor,
  fromId: string,
  raw: RelateInput,
  source: z.infer<typeof CiSource> = 'manual',
): Promise<CiRelation> {
  const input = RelateInput.parse(raw);
  const from = await loadCi(deps, actor, fromId);
  if (source === 'manual') await requireEditor(deps, actor, from);
  if (input.to === from.id)
    throw new ValidationError('A CI cannot relate to itself', [{ path: 'to', message: 'is the same CI' }]);
  const to = await deps.cis.get(input.to);
  if (!to)
    throw new ValidationError('No such CI to relate to', [
      { path: 'to', message: `no configuration item ${input.to}` },
    ]);
  const now = deps.clock.now().toISOString();
  const relation: CiRelation = {
    type: input.type,
    from: ciRef(from),
    to: ciRef(to),
    source,
    createdAt: now,
    createdBy: { id: actor.id, email: actor.email },
  };
  await deps.cis.relate(relation, relationAudit(actor, now, relation, true));
  await deps.events.publish([
    event(deps, 'ci.related', now, from, { type: relation.type, toCiId: to.id, toNumber: to.number }),
  ]);
  return relation;
}

export async function unrelateCis(
  deps: CmdbDeps,
  actor: Actor,
  fromId: string,
  type: string,
  toId: string,
): Promise<void> {
  const relationType = RelationType.parse(type);
  const from = await loadCi(deps, actor, fromId);
  await requireEditor(deps, actor, from);
  const to = await deps.cis.get(toId);
  if (!to) throw new NotFoundError(`No configuration item ${toId}`);
  const now = deps.clock.now().toISOString();
  const relation = { type: relationType, from: ciRef(from), to: ciRef(to) };
  if (!(await deps.cis.unrelate(relation, relationAudit(actor, now, relation, false))))
    throw new NotFoundError(`${from.number} has no ${relationType} relation to ${to.number}`);
  await deps.events.publish([
    event(deps, 'ci.unrelated', now, from, { type: relationType, toCiId: to.id, toNumber: to.number }),
  ]);
}

/** Classes a person carries or sits at: what "My devices" lists. */
export const personalClasses: ReadonlySet<string> = new Set(['laptop', 'desktop', 'mobile_phone', 'tablet']);

/**
 * Anyone signed in: the devices assigned to them (CIs of a personal class they own), not
 * retired. Reads the owner's partition only, so nobody sees anyone else's devices.
 */
export async function listMyDevices(
  deps: CmdbDeps,
  actor: Actor,
  cursor?: string,
): Promise<Page<ConfigurationItem>> {
  const page = await deps.cis.list(
    { by: 'owner', owner: normalizeEmail(actor.email) },
    { limit: 100, ...(cursor ? { cursor } : {}) },
  );
  return {
    items: page.items.filter((ci) => personalClasses.has(ci.class) && ci.status !== 'retired'),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

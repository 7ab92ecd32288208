import * as z from 'zod';
import type { CatalogStore } from '#ports/catalog-store.ts';
import type { Clock } from '#ports/clock.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { requireVersion } from '../record/version.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { CatalogCategory, type CatalogItem, CatalogItemBody, policyProblems, Slug } from './catalog.ts';

/**
 * The catalog's definitions: admins keep categories and items (each edit a new version) and
 * the people directory; everyone browses the items they may order.
 */
export interface CatalogDeps {
  readonly catalog: CatalogStore;
  readonly groups: GroupDirectory;
  readonly clock: Clock;
}

export const CreateItemInput = z.strictObject({ id: Slug, ...CatalogItemBody.shape });
export type CreateItemInput = z.input<typeof CreateItemInput>;
export const UpdateItemInput = z.strictObject({ version: z.number().int().min(1), ...CatalogItemBody.shape });
export type UpdateItemInput = z.input<typeof UpdateItemInput>;
export const ManagerInput = z.strictObject({ manager: z.email().max(254).nullable() });

function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins edit the catalog');
}

async function checkItem(deps: CatalogDeps, body: z.output<typeof CatalogItemBody>): Promise<void> {
  const problems = policyProblems(body);
  const categories = new Set((await deps.catalog.categories()).map((c) => c.id));
  if (!categories.has(body.category))
    problems.push({ path: 'category', message: `${body.category} is not a catalog category` });
  const named = [
    ...body.orderGroups,
    ...(body.approval.group ? [body.approval.group] : []),
    ...(body.approval.costThreshold ? [body.approval.costThreshold.group] : []),
    ...body.plan.stages.flatMap((s) => s.tasks.map((t) => t.group)),
  ];
  const existing = await deps.groups.existingGroups([...new Set(named)]);
  for (const group of new Set(named))
    if (!existing.has(group)) problems.push({ path: 'groups', message: `${group} is not a group` });
  if (problems.length > 0)
    throw new ValidationError(
      `Invalid item: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    );
}

export async function putCategory(deps: CatalogDeps, actor: Actor, raw: unknown): Promise<CatalogCategory> {
  requireAdmin(actor);
  const category = CatalogCategory.parse(raw);
  await deps.catalog.putCategory(category);
  return category;
}

export async function createItem(
  deps: CatalogDeps,
  actor: Actor,
  raw: CreateItemInput,
): Promise<CatalogItem> {
  requireAdmin(actor);
  const { id, ...body } = CreateItemInput.parse(raw);
  await checkItem(deps, body);
  const now = deps.clock.now().toISOString();
  const item: CatalogItem = {
    ...body,
    id,
    version: 1,
    updatedBy: normalizeEmail(actor.email),
    createdAt: now,
    updatedAt: now,
  };
  await deps.catalog.createItem(item);
  return item;
}

/** Stores the next version of an item; requests ordered under earlier versions keep theirs. */
export async function updateItem(
  deps: CatalogDeps,
  actor: Actor,
  id: string,
  raw: UpdateItemInput,
): Promise<CatalogItem> {
  requireAdmin(actor);
  const { version, ...body } = UpdateItemInput.parse(raw);
  const current = await deps.catalog.item(id);
  if (!current) throw new NotFoundError(`No catalog item ${id}`);
  requireVersion({ ...current, number: current.id }, version);
  await checkItem(deps, body);
  const item: CatalogItem = {
    ...body,
    id,
    version: current.version + 1,
    updatedBy: normalizeEmail(actor.email),
    createdAt: current.createdAt,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.catalog.updateItem(item, current.version);
  return item;
}

/** Whether someone may order an item: active, and open to everyone or to a group of theirs (agents order on anyone's behalf). */
export async function mayOrder(deps: CatalogDeps, actor: Actor, item: CatalogItem): Promise<boolean> {
  if (!item.active) return false;
  if (item.orderGroups.length === 0 || isAgent(actor)) return true;
  const mine = new Set(await deps.groups.groupsOf(normalizeEmail(actor.email)));
  return item.orderGroups.some((g) => mine.has(g));
}

/** The catalog as one person sees it: categories, and the items they may order (admins see retired ones too). */
export async function browseCatalog(deps: CatalogDeps, actor: Actor) {
  const [categories, items] = await Promise.all([deps.catalog.categories(), deps.catalog.items()]);
  const visible: CatalogItem[] = [];
  for (const item of items) if (isAdmin(actor) || (await mayOrder(deps, actor, item))) visible.push(item);
  return {
    categories: categories.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name)),
    items: visible.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function viewItem(deps: CatalogDeps, actor: Actor, id: string, version?: number) {
  const item = version ? await deps.catalog.itemVersion(id, version) : await deps.catalog.item(id);
  if (!item || (!isAdmin(actor) && !(await mayOrder(deps, actor, item))))
    throw new NotFoundError(`No catalog item ${id}`);
  return item;
}

/** The people directory (DESIGN: Cognito has no manager attribute; admins keep who manages whom here). */
export async function setManager(deps: CatalogDeps, actor: Actor, email: string, raw: unknown) {
  requireAdmin(actor);
  const person = z.email().max(254).parse(email);
  const { manager } = ManagerInput.parse(raw);
  if (manager && normalizeEmail(manager) === normalizeEmail(person))
    throw new ValidationError('Nobody manages themselves', [{ path: 'manager', message: 'is the person' }]);
  await deps.catalog.setManager(normalizeEmail(person), manager ? normalizeEmail(manager) : undefined);
  return { email: normalizeEmail(person), manager: manager ? normalizeEmail(manager) : null };
}

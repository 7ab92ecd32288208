import * as z from 'zod';
import { type Actor, isAgent, normalizeEmail, systemActor } from '../identity/actor.ts';
import { auditDiff, linkedEvent, updatedEvent } from '../record/audit.ts';
import { mayMove } from '../record/lifecycle.ts';
import type { Page, StoredLink } from '../record/record.ts';
import { nextVersion, requireVersion } from '../record/version.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import {
  type AssetAssignment,
  type AssetInfo,
  type AssetRole,
  type AssetState,
  assetLifecycle,
  isHardwareClass,
} from './asset.ts';
import { type ConfigurationItem, ciAudit } from './ci.ts';
import { type CmdbDeps, mayEditCi, mayReadCmdb, personalClasses } from './cmdb-service.ts';

/**
 * Assets people carry, on the CMDB: check an asset out to a person, take it back, send it to
 * repair, retire it. Each move is guarded by {@link assetLifecycle}, written with the CI's
 * history and the assignment it opens or closes in one transaction, and refused (409) when the
 * asset moved meanwhile. Desk moves need the right to edit the CI (a configuration manager or
 * its support group); fulfilment ({@link assignFromStock}) is what the catalog calls.
 */

const Email = z.email().max(254).transform(normalizeEmail);
const Note = z.string().trim().min(1).max(1000).optional();

export const AssetMoveInput = z.strictObject({ version: z.number().int().min(1), note: Note });
export type AssetMoveInput = z.input<typeof AssetMoveInput>;
export const CheckOutInput = AssetMoveInput.extend({ person: Email });
export type CheckOutInput = z.input<typeof CheckOutInput>;

/** An asset's state: stored on it, or for a hardware CI older than asset tracking, read from its owner and status. */
export function assetOf(ci: ConfigurationItem): AssetInfo {
  if (ci.asset) return ci.asset;
  if (ci.status === 'retired') return { state: 'retired' };
  if (ci.status === 'maintenance') return { state: 'in_repair' };
  return { state: ci.owner ? 'assigned' : 'in_stock' };
}

/** The CI status that goes with an asset state. */
const statusOf: Readonly<Record<AssetState, ConfigurationItem['status']>> = {
  in_stock: 'in_service',
  assigned: 'in_service',
  in_repair: 'maintenance',
  retired: 'retired',
};

const actorRef = (actor: Actor) => ({ id: actor.id, email: actor.email });

async function loadAsset(deps: CmdbDeps, id: string): Promise<ConfigurationItem> {
  const ci = await deps.cis.get(id);
  if (!ci) throw new NotFoundError(`No configuration item ${id}`);
  if (!isHardwareClass(ci.class))
    throw new ValidationError(`${ci.number} is not an asset`, [
      { path: 'class', message: `${ci.class} is not a hardware class` },
    ]);
  return ci;
}

interface Move {
  readonly to: AssetState;
  readonly role: AssetRole;
  readonly note?: string | undefined;
  readonly person?: string;
  readonly fulfils?: string;
}

/** The one path of every asset move: guard, next CI, assignment opened or closed, one transaction. */
async function moveAsset(
  deps: CmdbDeps,
  actor: Actor,
  current: ConfigurationItem,
  move: Move,
): Promise<ConfigurationItem> {
  const from = assetOf(current);
  if (!mayMove(assetLifecycle, from.state, move.to, move.role))
    throw new ValidationError('Asset move not allowed', [
      {
        path: 'state',
        message: `${current.number} cannot go from ${from.state} to ${move.to}${from.state === 'assigned' && move.to === 'retired' ? ' (return it first)' : ''}`,
      },
    ]);
  const now = deps.clock.now().toISOString();
  const next: ConfigurationItem = { ...current, status: statusOf[move.to] };
  if (move.to === 'retired') next.retiredAt = now;
  else delete next.retiredAt;
  let open: AssetAssignment | undefined;
  if (move.to === 'assigned' && move.person) {
    next.owner = { id: move.person, email: move.person };
    next.asset = { state: 'assigned', assignedAt: now };
    open = {
      ciId: current.id,
      person: move.person,
      checkedOutAt: now,
      checkedOutBy: actorRef(actor),
      ...(move.note ? { note: move.note } : {}),
      ...(move.fulfils ? { fulfils: move.fulfils } : {}),
    };
  } else {
    delete next.owner;
    next.asset = { state: move.to };
  }
  const close = from.state === 'assigned' ? await closing(deps, actor, current, from, now, move) : undefined;
  const reason = move.note ?? (move.fulfils ? `fulfils ${move.fulfils}` : undefined);
  const audit = auditDiff(ciAudit, current, next, { actor, at: now, reason });
  const stored = nextVersion(next, current, now);
  await deps.cis.moveAsset(stored, current.version, audit, {
    ...(open ? { open } : {}),
    ...(close ? { close } : {}),
  });
  const events = updatedEvent('ci.updated', { ciId: stored.id, number: stored.number }, audit, {
    ids: deps.ids,
    at: now,
  });
  if (move.to === 'retired')
    events.push({
      type: 'ci.retired',
      id: deps.ids.next(),
      at: now,
      detail: { ciId: stored.id, number: stored.number, class: stored.class },
    });
  await deps.events.publish(events);
  return stored;
}

/** The open assignment with its return filled in (none for an asset assigned before tracking). */
async function closing(
  deps: CmdbDeps,
  actor: Actor,
  current: ConfigurationItem,
  from: AssetInfo,
  now: string,
  move: Move,
): Promise<AssetAssignment | undefined> {
  if (!from.assignedAt) return undefined;
  const open = (await deps.cis.assignments(current.id)).find((a) => a.checkedOutAt === from.assignedAt);
  if (!open || open.returnedAt)
    throw new ConflictError(`${current.number}'s assignment was changed meanwhile`);
  return {
    ...open,
    returnedAt: now,
    returnedBy: actorRef(actor),
    ...(move.note
      ? { returnNote: move.note }
      : move.to === 'in_repair'
        ? { returnNote: 'sent to repair' }
        : {}),
  };
}

async function deskMove(
  deps: CmdbDeps,
  actor: Actor,
  id: string,
  input: z.output<typeof AssetMoveInput> & { readonly person?: string },
  to: AssetState,
): Promise<ConfigurationItem> {
  if (!mayReadCmdb(actor)) throw new ForbiddenError('Only agents may move assets');
  const current = await loadAsset(deps, id);
  if (!(await mayEditCi(deps, actor, current)))
    throw new ForbiddenError(
      `Only admins, ${deps.managerGroup} and the support group of ${current.number} may move it`,
    );
  requireVersion(current, input.version);
  return moveAsset(deps, actor, current, {
    to,
    role: 'desk',
    note: input.note,
    ...(input.person ? { person: input.person } : {}),
  });
}

/** Checks an asset in stock out to a person: it becomes theirs (their "My devices"). */
export const checkOutAsset = (deps: CmdbDeps, actor: Actor, id: string, raw: CheckOutInput) =>
  deskMove(deps, actor, id, CheckOutInput.parse(raw), 'assigned');

/** Takes an asset back into stock: from the person who had it, or back from repair. */
export const returnAsset = (deps: CmdbDeps, actor: Actor, id: string, raw: AssetMoveInput) =>
  deskMove(deps, actor, id, AssetMoveInput.parse(raw), 'in_stock');

/** Sends an asset to repair (an assigned one is taken back from its person first). */
export const sendAssetToRepair = (deps: CmdbDeps, actor: Actor, id: string, raw: AssetMoveInput) =>
  deskMove(deps, actor, id, AssetMoveInput.parse(raw), 'in_repair');

/** Retires an asset in stock or in repair (final; the CI is kept with its history). */
export const retireAsset = (deps: CmdbDeps, actor: Actor, id: string, raw: AssetMoveInput) =>
  deskMove(deps, actor, id, AssetMoveInput.parse(raw), 'retired');

export interface AssetView {
  readonly ci: ConfigurationItem;
  readonly asset: AssetInfo;
  /** Check-outs and returns, newest first. */
  readonly assignments: readonly AssetAssignment[];
}

/** An asset with its check-out history: agents, or the person it is assigned to. */
export async function viewAsset(deps: CmdbDeps, actor: Actor, id: string): Promise<AssetView> {
  const ci = await loadAsset(deps, id);
  if (!mayReadCmdb(actor) && ci.owner?.email !== normalizeEmail(actor.email))
    throw new NotFoundError(`No configuration item ${id}`);
  const assignments = [...(await deps.cis.assignments(id))].reverse();
  return {
    ci,
    asset: assetOf(ci),
    // Employees see their own device, not who had it before them.
    assignments: mayReadCmdb(actor)
      ? assignments
      : assignments.filter((a) => a.person === normalizeEmail(actor.email)),
  };
}

export const StockQuery = z.strictObject({
  model: z.string().trim().min(1).max(200),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type StockQuery = z.input<typeof StockQuery>;

/** Assets in stock of one model (agents). */
export async function listStock(
  deps: CmdbDeps,
  actor: Actor,
  raw: StockQuery,
): Promise<Page<ConfigurationItem>> {
  if (!mayReadCmdb(actor)) throw new ForbiddenError('Only agents, approvers and admins may read the CMDB');
  const query = StockQuery.parse(raw);
  return deps.cis.inStock(query.model, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

export const AssignFromStockInput = z.strictObject({
  model: z.string().trim().min(1).max(200),
  person: Email,
  /** What the hand-over fulfils, e.g. the catalog request's number. */
  fulfils: z.string().trim().min(1).max(64).optional(),
});
export type AssignFromStockInput = z.input<typeof AssignFromStockInput>;

/**
 * Fulfilment (the catalog's call): finds an asset of the model in stock and checks it out to
 * the person. The stock index is read eventually consistent, so a candidate another hand-over
 * took first is skipped and the next tried. Undefined when none is in stock. Agents or the
 * system (a catalog task) only.
 */
export async function assignFromStock(
  deps: CmdbDeps,
  actor: Actor,
  raw: AssignFromStockInput,
): Promise<ConfigurationItem | undefined> {
  if (actor.id !== systemActor.id && !isAgent(actor))
    throw new ForbiddenError('Only agents and fulfilment may hand out assets');
  const input = AssignFromStockInput.parse(raw);
  let cursor: string | undefined;
  do {
    const page = await deps.cis.inStock(input.model, { limit: 10, ...(cursor ? { cursor } : {}) });
    for (const candidate of page.items) {
      const current = await deps.cis.get(candidate.id);
      if (!current || assetOf(current).state !== 'in_stock') continue;
      try {
        return await moveAsset(deps, actor, current, {
          to: 'assigned',
          role: 'fulfilment',
          person: input.person,
          ...(input.fulfils ? { fulfils: input.fulfils } : {}),
        });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error; // taken meanwhile: try the next
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return undefined;
}

export const ReportDeviceInput = z.strictObject({
  shortDescription: z.string().trim().min(1, 'is required').max(160),
  description: z.string().max(10_000).default(''),
});
export type ReportDeviceInput = z.input<typeof ReportDeviceInput>;

/** What reporting a device problem needs besides the CMDB: opening an incident as the person. */
export interface DeviceReportDeps {
  readonly cmdb: CmdbDeps;
  readonly openIncident: (
    actor: Actor,
    input: { readonly shortDescription: string; readonly description: string },
  ) => Promise<{ readonly id: string; readonly number: string }>;
}

/**
 * "Report a problem with this device": an incident opened by the person the device is assigned
 * to, linked to the device's CI (a `relates_to` record link on both), so the desk sees which
 * device and the device's page its incidents. Someone else's device is not found.
 */
export async function reportDeviceProblem(
  deps: DeviceReportDeps,
  actor: Actor,
  ciId: string,
  raw: ReportDeviceInput,
): Promise<{ readonly incident: { readonly id: string; readonly number: string }; readonly ci: string }> {
  const input = ReportDeviceInput.parse(raw);
  const ci = await deps.cmdb.cis.get(ciId);
  if (
    !ci ||
    !personalClasses.has(ci.class) ||
    ci.status === 'retired' ||
    ci.owner?.email !== normalizeEmail(actor.email)
  )
    throw new NotFoundError(`No device ${ciId} of yours`);
  const serial =
    typeof ci.attributes.serialNumber === 'string' ? `, serial ${ci.attributes.serialNumber}` : '';
  const incident = await deps.openIncident(actor, {
    shortDescription: input.shortDescription,
    description: `${input.description}\n\nDevice: ${ci.name} (${ci.number}${serial})`.trim(),
  });
  const now = deps.cmdb.clock.now().toISOString();
  const link: StoredLink = {
    type: 'relates_to',
    source: { kind: 'incident', id: incident.id, number: incident.number },
    target: { kind: 'configuration_item', id: ci.id, number: ci.number },
    createdAt: now,
    createdBy: actorRef(actor),
  };
  await deps.cmdb.cis.linkRecord(link);
  await deps.cmdb.events.publish([linkedEvent(link, { id: deps.cmdb.ids.next(), at: now })]);
  return { incident, ci: ci.number };
}

import * as z from 'zod';
import type { ChangeStore } from '#ports/change-store.ts';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import type { ProblemStore } from '#ports/problem-store.ts';
import type { ReleaseStore } from '#ports/release-store.ts';
import type { TicketStore } from '#ports/ticket-store.ts';
import { type ChangeSummary, summarizeChange } from '../change/change.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { linkedEvent, updatedEvent } from '../record/audit.ts';
import { Label, type Page, Person, type RecordRef, type StoredLink } from '../record/record.ts';
import { applyEdit, requireVersion } from '../record/version.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import {
  applyReleaseMove,
  diffReleases,
  type GoNoGoStep,
  MAX_RELEASE_WINDOW_DAYS,
  nextReleaseStages,
  type Release,
  type ReleaseSettings,
  ReleaseStage,
} from './release.ts';

/**
 * Release management on the record engine: releases, their changes (generic record links,
 * `part_of`), their stages and history, the release calendar. The go/no-go decision is
 * `go-no-go.ts`; the notes are `release-notes.ts`; the pipeline gate is `pipeline-gate.ts`.
 */
export interface ReleaseWorkflow {
  /** Starts one go/no-go execution for a release; the id lets the caller stop it later. */
  start(input: { releaseId: string }): Promise<{ executionId: string }>;
  stop(executionId: string, cause: string): Promise<void>;
  /** Answers the waiting round (`TaskTokenGoneError` when nothing waits on it any more). */
  answer(taskToken: string, outcome: { decision: 'approved' | 'rejected' }): Promise<void>;
}

export interface ReleaseDeps {
  readonly releases: ReleaseStore;
  readonly changes: Pick<ChangeStore, 'get' | 'findByNumber'>;
  readonly problems: Pick<ProblemStore, 'get'>;
  readonly tickets: Pick<TicketStore, 'get'>;
  readonly workflow: ReleaseWorkflow;
  readonly groups: GroupDirectory;
  readonly groupStore: GroupStore;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly signer: LinkSigner;
  readonly releaseSettings: ReleaseSettings;
}

const DAY_MS = 24 * 3600 * 1000;
const Email = z.email().max(254).transform(normalizeEmail);
const Window = z.iso.datetime({ offset: true });

export const CreateReleaseInput = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(160),
  versionLabel: z.string().trim().min(1).max(40).optional(),
  description: z.string().max(10_000).default(''),
  plannedStart: Window,
  plannedEnd: Window,
  services: z.array(Label).max(20).default([]),
  /** The release manager. @default the caller */
  manager: Email.optional(),
});
export type CreateReleaseInput = z.input<typeof CreateReleaseInput>;

export const UpdateReleaseInput = z.strictObject({
  version: z.number().int().min(1),
  name: z.string().trim().min(1).max(160).optional(),
  versionLabel: z.string().trim().min(1).max(40).nullable().optional(),
  description: z.string().max(10_000).optional(),
  plannedStart: Window.optional(),
  plannedEnd: Window.optional(),
  services: z.array(Label).max(20).optional(),
  manager: Email.optional(),
});

export const MoveReleaseInput = z.strictObject({
  version: z.number().int().min(1),
  to: ReleaseStage,
  cancelReason: z.string().trim().min(1).max(2000).optional(),
  closeNotes: z.string().trim().min(1).max(4000).optional(),
});

export const ReleaseListQuery = z.strictObject({
  stage: ReleaseStage.default('plan'),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const ReleaseCalendarQuery = z.strictObject({ from: Window, to: Window });

/** A change named by id or by number: exactly one of them. */
export const ReleaseChangeInput = z
  .strictObject({ id: z.string().min(1).max(64).optional(), number: z.string().trim().max(20).optional() })
  .refine((p) => Boolean(p.id) !== Boolean(p.number), {
    message: 'name the change by id or by number',
    path: ['id'],
  });

const iso = (value: string) => new Date(value).toISOString();
export const ref = (actor: Actor) => ({ id: actor.id, email: normalizeEmail(actor.email) });
const person = (email: string, name?: string) =>
  Person.parse({ id: email, email: normalizeEmail(email), ...(name ? { name } : {}) });
export const releaseRef = (r: Release): RecordRef => ({ kind: 'release', id: r.id, number: r.number });

// ——— who may do what ———

/** Agents and approvers see releases (as they see changes); employees see none. */
export const mayViewReleases = (actor: Actor) =>
  isAgent(actor) || actor.groups.includes('approvers') || isAdmin(actor);

/** Change managers and admins create releases; they and the release's own manager move it. */
export async function mayManage(deps: ReleaseDeps, actor: Actor, release?: Release): Promise<boolean> {
  if (isAdmin(actor)) return true;
  if (!isAgent(actor)) return false;
  if (release && normalizeEmail(release.manager.email) === normalizeEmail(actor.email)) return true;
  return (await deps.groups.groupsOf(normalizeEmail(actor.email))).includes(
    deps.releaseSettings.managersGroup,
  );
}

export async function visibleRelease(deps: ReleaseDeps, actor: Actor, id: string) {
  const found = await deps.releases.get(id);
  if (!found || !mayViewReleases(actor)) throw new NotFoundError(`No release ${id}`);
  return found;
}

export async function managedRelease(deps: ReleaseDeps, actor: Actor, id: string) {
  const found = await visibleRelease(deps, actor, id);
  if (!(await mayManage(deps, actor, found.release)))
    throw new ForbiddenError(
      `Only the change managers and ${found.release.manager.email} manage ${found.release.number}`,
    );
  return found;
}

function checkWindow(start: string, end: string): void {
  const span = Date.parse(end) - Date.parse(start);
  if (!(span > 0))
    throw new ValidationError('The planned end must be after the planned start', [
      { path: 'plannedEnd', message: 'must be after plannedStart' },
    ]);
  if (span > MAX_RELEASE_WINDOW_DAYS * DAY_MS)
    throw new ValidationError('The planned window is too long', [
      { path: 'plannedEnd', message: `must be at most ${MAX_RELEASE_WINDOW_DAYS} days after plannedStart` },
    ]);
}

// ——— writes ———

/** Stores the next version of a release with its audit entries and publishes `release.updated`. */
export async function storeRelease(
  deps: ReleaseDeps,
  actor: Pick<Actor, 'id' | 'email'>,
  before: Release,
  after: Release,
  reason?: string,
): Promise<Release> {
  const at = deps.clock.now().toISOString();
  const next: Release = { ...after, updatedAt: at, version: before.version + 1 };
  const audit = diffReleases(before, next, { actor: ref(actor as Actor), at, reason });
  await deps.releases.update(next, before.version, audit);
  await deps.events.publish(
    updatedEvent('release.updated', { releaseId: next.id, number: next.number }, audit, {
      ids: deps.ids,
      at,
    }),
  );
  return next;
}

export async function createRelease(
  deps: ReleaseDeps,
  actor: Actor,
  raw: CreateReleaseInput,
): Promise<Release> {
  const input = CreateReleaseInput.parse(raw);
  if (!(await mayManage(deps, actor)))
    throw new ForbiddenError(
      `Only the change managers (${deps.releaseSettings.managersGroup}) create releases`,
    );
  const plannedStart = iso(input.plannedStart);
  const plannedEnd = iso(input.plannedEnd);
  checkWindow(plannedStart, plannedEnd);
  const at = deps.clock.now().toISOString();
  const release = await deps.releases.create(
    {
      id: deps.ids.next(),
      name: input.name,
      ...(input.versionLabel ? { versionLabel: input.versionLabel } : {}),
      description: input.description,
      plannedStart,
      plannedEnd,
      services: input.services,
      stage: 'plan',
      manager: input.manager ? person(input.manager) : person(actor.email, actor.name),
      goNoGo: { status: 'not_requested', attempt: 0 },
      createdAt: at,
      updatedAt: at,
      version: 1,
    },
    [{ at, actor: ref(actor), field: 'stage', newValue: 'plan' }],
  );
  await deps.events.publish([
    {
      type: 'release.created',
      id: deps.ids.next(),
      at,
      detail: { releaseId: release.id, number: release.number, plannedStart, plannedEnd },
    },
  ]);
  return release;
}

export async function updateRelease(
  deps: ReleaseDeps,
  actor: Actor,
  id: string,
  raw: z.input<typeof UpdateReleaseInput>,
): Promise<Release> {
  const { version, manager, ...edit } = UpdateReleaseInput.parse(raw);
  const { release } = await managedRelease(deps, actor, id);
  requireVersion(release, version);
  if (!['plan', 'build', 'test'].includes(release.stage))
    throw new ValidationError(`${release.number} is in ${release.stage}; its plan is fixed`, [
      { path: 'stage', message: `is ${release.stage}; a release is edited in plan, build or test only` },
    ]);
  const next: Release = { ...release };
  applyEdit(next, edit, ['name', 'versionLabel', 'description', 'services']);
  if (edit.plannedStart) next.plannedStart = iso(edit.plannedStart);
  if (edit.plannedEnd) next.plannedEnd = iso(edit.plannedEnd);
  if (manager) next.manager = person(manager);
  checkWindow(next.plannedStart, next.plannedEnd);
  return storeRelease(deps, actor, release, next);
}

/**
 * Moves a release along its stages. Deploy needs an approved go; cancelling while a decision
 * is pending stops the go/no-go workflow (its step is closed first, so no late decision lands).
 */
export async function moveRelease(
  deps: ReleaseDeps,
  actor: Actor,
  id: string,
  raw: z.input<typeof MoveReleaseInput>,
): Promise<Release> {
  const { version, ...move } = MoveReleaseInput.parse(raw);
  const { release } = await managedRelease(deps, actor, id);
  requireVersion(release, version);
  const next = applyReleaseMove(release, move, 'manager');
  const pending = release.goNoGo.status === 'pending';
  if (pending && next.stage !== release.stage) {
    await closeGoNoGoStep(deps, release, 'cancelled');
    next.goNoGo = { ...release.goNoGo, status: 'cancelled', decidedAt: deps.clock.now().toISOString() };
  }
  const stored = await storeRelease(deps, actor, release, next, move.cancelReason);
  if (pending && release.goNoGo.executionId)
    await deps.workflow.stop(release.goNoGo.executionId, `release moved to ${next.stage} by ${actor.email}`);
  return stored;
}

/** Ends a still-open go/no-go step of the current attempt (`cancelled` or `expired`). */
export async function closeGoNoGoStep(
  deps: ReleaseDeps,
  release: Release,
  status: 'cancelled' | 'expired',
): Promise<GoNoGoStep | undefined> {
  const found = await deps.releases.getStep(release.id, release.goNoGo.attempt);
  if (found?.step.status !== 'pending') return found?.step;
  const closed: GoNoGoStep = {
    ...found.step,
    status,
    decidedAt: deps.clock.now().toISOString(),
    version: found.step.version + 1,
  };
  await deps.releases.saveStep(closed, found.step.version);
  return closed;
}

// ——— changes of a release ———

async function changeOf(deps: ReleaseDeps, pointer: z.output<typeof ReleaseChangeInput>) {
  const change = pointer.id
    ? await deps.changes.get(pointer.id)
    : await deps.changes.findByNumber((pointer.number ?? '').toUpperCase());
  if (!change) throw new NotFoundError(`No change ${pointer.id ?? pointer.number}`);
  return change;
}

/**
 * Adds a change to a release (a change belongs to one release at most) in plan, build or test;
 * the link is stored on both records and announced as `record.linked`.
 */
export async function addReleaseChange(
  deps: ReleaseDeps,
  actor: Actor | Pick<Actor, 'id' | 'email'>,
  releaseId: string,
  raw: z.input<typeof ReleaseChangeInput>,
  options: { readonly system?: boolean } = {},
): Promise<{ release: RecordRef; change: RecordRef; linked: boolean }> {
  const pointer = ReleaseChangeInput.parse(raw);
  const { release } = options.system
    ? ((await deps.releases.get(releaseId)) ?? raise(new NotFoundError(`No release ${releaseId}`)))
    : await managedRelease(deps, actor as Actor, releaseId);
  if (!options.system && !['plan', 'build', 'test'].includes(release.stage))
    throw new ValidationError(`${release.number} is in ${release.stage}; its changes are fixed`, [
      { path: 'id', message: `changes are added in plan, build or test only (it is ${release.stage})` },
    ]);
  const change = await changeOf(deps, pointer);
  const changeRef: RecordRef = { kind: 'change', id: change.id, number: change.number };
  const [existing] = await deps.releases.linksOf(changeRef, 'release');
  const other = existing && (existing.source.kind === 'release' ? existing.source : existing.target);
  if (other && other.id !== release.id)
    throw new ConflictError(
      `${change.number} is part of ${other.number} already; remove it there first`,
      other,
    );
  const at = deps.clock.now().toISOString();
  const link: StoredLink = {
    type: 'part_of',
    source: changeRef,
    target: releaseRef(release),
    createdAt: at,
    createdBy: { id: actor.id, email: normalizeEmail(actor.email) },
  };
  const linked = await deps.releases.link(link, release.id, [
    { at, actor: link.createdBy, field: 'changes', newValue: change.number },
  ]);
  if (linked) await deps.events.publish([linkedEvent(link, { id: deps.ids.next(), at })]);
  return { release: link.target, change: link.source, linked };
}

export async function removeReleaseChange(
  deps: ReleaseDeps,
  actor: Actor,
  releaseId: string,
  changeId: string,
): Promise<void> {
  const { release, links } = await managedRelease(deps, actor, releaseId);
  const link = links.find((l) => l.source.id === changeId);
  if (!link) throw new NotFoundError(`${release.number} has no change ${changeId}`);
  const at = deps.clock.now().toISOString();
  if (
    await deps.releases.unlink(link, release.id, [
      { at, actor: ref(actor), field: 'changes', oldValue: link.source.number },
    ])
  )
    await deps.events.publish([linkedEvent(link, { id: deps.ids.next(), at, removed: true })]);
}

const raise = (error: Error): never => {
  throw error;
};

// ——— reads ———

export interface ReleaseView {
  readonly release: Release;
  readonly changes: readonly ChangeSummary[];
  readonly goNoGo?: GoNoGoStep;
  readonly nextStages: readonly ReleaseStage[];
  readonly mayManage: boolean;
  /** Whether the caller may decide the pending go/no-go. */
  readonly mayDecide: boolean;
}

export async function releaseChanges(deps: ReleaseDeps, links: readonly StoredLink[]) {
  const found = await Promise.all(
    links.filter((l) => l.source.kind === 'change').map((l) => deps.changes.get(l.source.id)),
  );
  return found
    .filter((c) => c !== undefined)
    .sort((a, b) => a.plannedStart.localeCompare(b.plannedStart) || a.number.localeCompare(b.number));
}

export async function viewRelease(deps: ReleaseDeps, actor: Actor, id: string): Promise<ReleaseView> {
  const { release, links } = await visibleRelease(deps, actor, id);
  const [changes, step, manages] = await Promise.all([
    releaseChanges(deps, links),
    release.goNoGo.attempt > 0 ? deps.releases.getStep(release.id, release.goNoGo.attempt) : undefined,
    mayManage(deps, actor, release),
  ]);
  const me = normalizeEmail(actor.email);
  const mayDecide =
    step?.step.status === 'pending' &&
    [...step.step.approvers, ...step.step.escalationApprovers].includes(me) &&
    !step.step.decisions.some((d) => d.by.email === me);
  return {
    release,
    changes: changes.map(summarizeChange),
    ...(step ? { goNoGo: step.step } : {}),
    nextStages: manages ? nextReleaseStages(release.stage, 'manager') : [],
    mayManage: manages,
    mayDecide,
  };
}

export async function findReleaseByNumber(deps: ReleaseDeps, actor: Actor, number: string) {
  const found = await deps.releases.findByNumber(number.trim().toUpperCase());
  if (!found || !mayViewReleases(actor)) throw new NotFoundError(`No release ${number}`);
  return found;
}

export async function listReleases(
  deps: ReleaseDeps,
  actor: Actor,
  raw: z.input<typeof ReleaseListQuery>,
): Promise<Page<Release>> {
  const query = ReleaseListQuery.parse(raw);
  if (!mayViewReleases(actor)) throw new ForbiddenError('Only agents and approvers see releases');
  return deps.releases.list(query.stage, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/** Releases whose window meets the range (at most 92 days), for the release calendar. */
export async function releaseCalendar(
  deps: ReleaseDeps,
  actor: Actor,
  raw: z.input<typeof ReleaseCalendarQuery>,
): Promise<{ releases: Release[] }> {
  if (!mayViewReleases(actor)) throw new ForbiddenError('Only agents and approvers see the release calendar');
  const query = ReleaseCalendarQuery.parse(raw);
  const from = iso(query.from);
  const to = iso(query.to);
  if (!(Date.parse(to) > Date.parse(from)) || Date.parse(to) - Date.parse(from) > 92 * DAY_MS)
    throw new ValidationError('The range must be positive and at most 92 days', [
      { path: 'to', message: 'must be after from and at most 92 days later' },
    ]);
  const releases = await deps.releases.inWindow(from, to);
  return {
    releases: releases
      .filter((r) => r.stage !== 'cancelled')
      .sort((a, b) => a.plannedStart.localeCompare(b.plannedStart)),
  };
}

export async function releaseHistory(deps: ReleaseDeps, actor: Actor, id: string, cursor?: string) {
  await visibleRelease(deps, actor, id);
  return deps.releases.history(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

import * as z from 'zod';
import { type Actor, isAgent } from '#core/identity/actor.ts';
import { Label } from '#core/record/record.ts';
import { ForbiddenError, ValidationError } from '#core/shared/errors.ts';
import {
  type Change,
  type ChangeSummary,
  type FreezeWindow,
  MAX_CHANGE_WINDOW_DAYS,
  summarizeChange,
} from './change.ts';
import { type ChangeDeps, DAY_MS, isApproverRole, iso, ref, requireAdmin } from './change-record.ts';
import { type ChangeConflict, conflictsOf, freezesHit } from './schedule.ts';

/** The change calendar and freeze windows: when changes may happen and where they collide. */

export const CalendarQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});

export const CreateFreezeInput = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100),
  reason: z.string().trim().max(1000).optional(),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  services: z.array(Label).max(20).optional(),
});

export function checkWindow(start: string, end: string): void {
  const span = Date.parse(end) - Date.parse(start);
  if (!(span > 0))
    throw new ValidationError('The planned end must be after the planned start', [
      { path: 'plannedEnd', message: 'must be after plannedStart' },
    ]);
  if (span > MAX_CHANGE_WINDOW_DAYS * DAY_MS)
    throw new ValidationError('The planned window is too long', [
      { path: 'plannedEnd', message: `must be at most ${MAX_CHANGE_WINDOW_DAYS} days after plannedStart` },
    ]);
}

export async function checkFreezes(deps: ChangeDeps, change: Change): Promise<void> {
  const hit = freezesHit(change, await deps.changes.freezes(change.plannedStart, change.plannedEnd));
  if (hit.length === 0) return;
  const names = hit.map((f) => `“${f.name}”`).join(', ');
  if (change.type !== 'emergency')
    throw new ValidationError(`The planned window falls in the freeze window ${names}`, [
      {
        path: 'plannedStart',
        message: `falls in the freeze window ${names}; only an emergency change may be planned in a freeze`,
      },
    ]);
  if (!change.freezeJustification)
    throw new ValidationError(`An emergency change in the freeze window ${names} needs a justification`, [
      { path: 'freezeJustification', message: `is required inside the freeze window ${names}` },
    ]);
}

// ——— calendar, freeze windows, templates ———

export interface ChangeCalendar {
  readonly changes: readonly (ChangeSummary & { conflicts: readonly ChangeConflict[] })[];
  readonly freezes: readonly FreezeWindow[];
}

export async function changeCalendar(
  deps: ChangeDeps,
  actor: Actor,
  raw: z.input<typeof CalendarQuery>,
): Promise<ChangeCalendar> {
  if (!isAgent(actor) && !isApproverRole(actor))
    throw new ForbiddenError('Only agents and approvers see the change calendar');
  const query = CalendarQuery.parse(raw);
  const from = iso(query.from);
  const to = iso(query.to);
  if (!(Date.parse(to) > Date.parse(from)) || Date.parse(to) - Date.parse(from) > 92 * DAY_MS)
    throw new ValidationError('The range must be positive and at most 92 days', [
      { path: 'to', message: 'must be after from and at most 92 days later' },
    ]);
  const [all, freezes] = await Promise.all([deps.changes.inWindow(from, to), deps.changes.freezes(from, to)]);
  const inRange = all.filter(
    (c) => Date.parse(c.plannedStart) < Date.parse(to) && Date.parse(c.plannedEnd) > Date.parse(from),
  );
  return {
    changes: inRange.map((change) => ({ ...summarizeChange(change), conflicts: conflictsOf(change, all) })),
    freezes,
  };
}

export async function createFreeze(
  deps: ChangeDeps,
  actor: Actor,
  raw: z.input<typeof CreateFreezeInput>,
): Promise<FreezeWindow> {
  requireAdmin(actor);
  const input = CreateFreezeInput.parse(raw);
  const start = iso(input.start);
  const end = iso(input.end);
  if (!(Date.parse(end) > Date.parse(start)))
    throw new ValidationError('The freeze must end after it starts', [
      { path: 'end', message: 'must be after start' },
    ]);
  const freeze: FreezeWindow = {
    id: deps.ids.next(),
    name: input.name,
    reason: input.reason ?? '',
    start,
    end,
    services: input.services ?? [],
    createdBy: ref(actor),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.changes.putFreeze(freeze);
  return freeze;
}

/** Every freeze window from a month ago to two years ahead, for the admins' list. */
export async function listFreezes(deps: ChangeDeps, actor: Actor): Promise<FreezeWindow[]> {
  if (!isAgent(actor) && !isApproverRole(actor))
    throw new ForbiddenError('Only agents and approvers see freeze windows');
  const now = deps.clock.now().getTime();
  return deps.changes.freezes(
    new Date(now - 31 * DAY_MS).toISOString(),
    new Date(now + 2 * 366 * DAY_MS).toISOString(),
  );
}

export async function deleteFreeze(deps: ChangeDeps, actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await deps.changes.deleteFreeze(id);
}

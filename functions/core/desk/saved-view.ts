import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { SavedViewStore } from '#ports/desk-store.ts';
import { type Actor, isAgent, normalizeEmail } from '../identity/actor.ts';
import { Label } from '../record/record.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { TicketState } from '../ticket/ticket.ts';

/**
 * An agent's saved queue views: named filters over the ticket lists. Each view is one of the
 * lists `GET /api/tickets` serves, so it stays one indexed Query (docs/desk.md says which).
 */
export const ViewFilters = z
  .strictObject({
    view: z.enum(['assigned', 'queue', 'unassigned']),
    group: Label.optional(),
    state: TicketState.optional(),
    priority: z.number().int().min(1).max(5).optional(),
    assignee: z.email().max(254).transform(normalizeEmail).optional(),
    order: z.enum(['newest', 'oldest']).optional(),
  })
  .superRefine((filters, context) => {
    const refuse = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (filters.view !== 'assigned' && !filters.group)
      refuse('group', `is required for the ${filters.view} view`);
    if (filters.view === 'assigned' && filters.group) refuse('group', 'is not a filter of the assigned view');
    if (filters.view !== 'queue' && filters.assignee)
      refuse('assignee', 'is a filter of the queue view only');
    if (filters.view === 'unassigned' && filters.state)
      refuse('state', 'is not a filter of the unassigned view (it holds the open states)');
  });
export type ViewFilters = z.output<typeof ViewFilters>;

export const SavedView = z.object({
  id: z.string().min(1).max(64),
  owner: z.email().max(254),
  name: z.string().trim().min(1).max(60),
  filters: ViewFilters,
  createdAt: z.iso.datetime(),
});
export type SavedView = z.infer<typeof SavedView>;

export const SaveViewInput = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(60),
  filters: ViewFilters,
});
export type SaveViewInput = z.input<typeof SaveViewInput>;

/** An agent has at most this many views: one Query lists them all. */
export const MAX_SAVED_VIEWS = 30;

export interface SavedViewDeps {
  readonly views: SavedViewStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

function requireAgent(actor: Actor) {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents save queue views');
}

export async function listViews(deps: SavedViewDeps, actor: Actor): Promise<readonly SavedView[]> {
  requireAgent(actor);
  return deps.views.list(normalizeEmail(actor.email));
}

/** Saves a named view; a name already used is replaced, so saving again updates it. */
export async function saveView(deps: SavedViewDeps, actor: Actor, raw: SaveViewInput): Promise<SavedView> {
  requireAgent(actor);
  const input = SaveViewInput.parse(raw);
  const owner = normalizeEmail(actor.email);
  const existing = await deps.views.list(owner);
  const same = existing.find((v) => v.name.toLowerCase() === input.name.toLowerCase());
  if (!same && existing.length >= MAX_SAVED_VIEWS)
    throw new ValidationError('Too many views', [
      { path: 'name', message: `you have ${MAX_SAVED_VIEWS} views already; delete one first` },
    ]);
  const view: SavedView = {
    id: same?.id ?? deps.ids.next(),
    owner,
    name: input.name,
    filters: input.filters,
    createdAt: same?.createdAt ?? deps.clock.now().toISOString(),
  };
  await deps.views.put(view);
  return view;
}

export async function deleteView(deps: SavedViewDeps, actor: Actor, id: string): Promise<void> {
  requireAgent(actor);
  if (!(await deps.views.delete(normalizeEmail(actor.email), id))) throw new NotFoundError(`No view ${id}`);
}

import type { ChangeState, ChangeType } from './change.ts';

/**
 * The change lifecycle: new → assess → authorize → scheduled → implement → review → closed,
 * with rejected, cancelled, failed and backed out. Which state may follow which depends on the
 * type (a standard change is pre-approved and skips assessment and authorization; an emergency
 * change may skip assessment) and on who moves it: only the approval workflow leaves
 * `authorize`, so no person can approve a change by editing its state.
 */
export type Mover = 'person' | 'workflow';

const byPerson: Readonly<Record<ChangeState, readonly ChangeState[]>> = {
  new: ['assess', 'cancelled'],
  assess: ['authorize', 'cancelled'],
  authorize: ['cancelled'],
  scheduled: ['implement', 'cancelled'],
  implement: ['review', 'failed', 'backed_out'],
  failed: ['review'],
  backed_out: ['review'],
  review: ['closed'],
  closed: [],
  rejected: [],
  cancelled: [],
};

/** What the approval workflow decides: approved, rejected, or expired (back to assessment). */
const byWorkflow: Partial<Record<ChangeState, readonly ChangeState[]>> = {
  authorize: ['scheduled', 'rejected', 'assess'],
};

/** Type-specific shortcuts a person may take. */
const shortcuts: Readonly<Record<ChangeType, Partial<Record<ChangeState, readonly ChangeState[]>>>> = {
  standard: { new: ['scheduled'] },
  normal: {},
  emergency: { new: ['authorize'] },
};

export function allowedNext(type: ChangeType, from: ChangeState, mover: Mover): readonly ChangeState[] {
  if (mover === 'workflow') return byWorkflow[from] ?? [];
  if (type === 'standard' && (from === 'new' || from === 'assess')) {
    // A standard change is pre-approved: it never goes to assessment or authorization.
    return [...(shortcuts.standard[from] ?? []), 'cancelled'];
  }
  return [...byPerson[from], ...(shortcuts[type][from] ?? [])];
}

export const canMove = (type: ChangeType, from: ChangeState, to: ChangeState, mover: Mover): boolean =>
  allowedNext(type, from, mover).includes(to);

export const finalChangeStates: readonly ChangeState[] = ['closed', 'rejected', 'cancelled'];
export const isFinalChange = (state: ChangeState): boolean => finalChangeStates.includes(state);

/** States in which a change occupies its window on the calendar (and can conflict). */
export const plannedStates: readonly ChangeState[] = ['new', 'assess', 'authorize', 'scheduled', 'implement'];

import {
  allowedMoves,
  type LifecycleTable,
  mayMove,
  movesFrom,
  requiredFields,
} from '../record/lifecycle.ts';
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

/** Fields a move requires: a reason to cancel, fail or back out; a close code and notes to close. */
const requires: Partial<Record<ChangeState, readonly string[]>> = {
  cancelled: ['reason'],
  failed: ['reason'],
  backed_out: ['reason'],
  closed: ['closeCode', 'closeNotes'],
};

/** Every state, in lifecycle order (the keys of the person moves; no zod here, the portal imports this). */
const states = Object.keys(byPerson) as ChangeState[];

function tableOf(type: ChangeType): LifecycleTable<ChangeState, Mover> {
  const person: Partial<Record<ChangeState, readonly ChangeState[]>> = {};
  for (const from of states) {
    person[from] =
      type === 'standard' && (from === 'new' || from === 'assess')
        ? // A standard change is pre-approved: it never goes to assessment or authorization.
          [...(shortcuts.standard[from] ?? []), 'cancelled']
        : [...byPerson[from], ...(shortcuts[type][from] ?? [])];
  }
  return {
    states,
    initial: 'new',
    roles: ['person', 'workflow'],
    moves: [...movesFrom(person, ['person'], requires), ...movesFrom(byWorkflow, ['workflow'], requires)],
  };
}

/** The lifecycle table of each change type (state × mover → next states, and what each move needs). */
export const changeLifecycles: Readonly<Record<ChangeType, LifecycleTable<ChangeState, Mover>>> = {
  standard: tableOf('standard'),
  normal: tableOf('normal'),
  emergency: tableOf('emergency'),
};

export const allowedNext = (type: ChangeType, from: ChangeState, mover: Mover): readonly ChangeState[] =>
  allowedMoves(changeLifecycles[type], from, mover);

export const canMove = (type: ChangeType, from: ChangeState, to: ChangeState, mover: Mover): boolean =>
  mayMove(changeLifecycles[type], from, to, mover);

/** What a move of a change requires (fields of the move request). */
export const changeMoveRequires = (type: ChangeType, from: ChangeState, to: ChangeState) =>
  requiredFields(changeLifecycles[type], from, to);

export const finalChangeStates: readonly ChangeState[] = ['closed', 'rejected', 'cancelled'];
export const isFinalChange = (state: ChangeState): boolean => finalChangeStates.includes(state);

/** States in which a change occupies its window on the calendar (and can conflict). */
export const plannedStates: readonly ChangeState[] = ['new', 'assess', 'authorize', 'scheduled', 'implement'];

/**
 * Lifecycle tables: for each record type, which state may follow which, for whom (the role
 * making the move), and which fields each move requires. A type declares its table; the
 * kernel answers every question about it, so the services, the portal and the property tests
 * read the same rules.
 */
export interface Move<S extends string, Role extends string> {
  readonly from: S;
  readonly to: S;
  readonly roles: readonly Role[];
  /** Fields the move needs (a hold reason, a resolution, a close code). */
  readonly requires?: readonly string[];
}

export interface LifecycleTable<S extends string, Role extends string> {
  readonly states: readonly S[];
  readonly initial: S;
  readonly roles: readonly Role[];
  readonly moves: readonly Move<S, Role>[];
}

/** The states a role may move a record to from `from`, in the table's order. */
export const allowedMoves = <S extends string, Role extends string>(
  table: LifecycleTable<S, Role>,
  from: S,
  role: Role,
): S[] => table.moves.filter((m) => m.from === from && m.roles.includes(role)).map((m) => m.to);

export const mayMove = <S extends string, Role extends string>(
  table: LifecycleTable<S, Role>,
  from: S,
  to: S,
  role: Role,
): boolean => allowedMoves(table, from, role).includes(to);

/** The fields a move requires; empty for a move that does not exist. */
export const requiredFields = <S extends string, Role extends string>(
  table: LifecycleTable<S, Role>,
  from: S,
  to: S,
): readonly string[] => table.moves.find((m) => m.from === from && m.to === to)?.requires ?? [];

/** A state nobody may leave. */
export const isFinalState = <S extends string, Role extends string>(
  table: LifecycleTable<S, Role>,
  state: S,
): boolean => !table.moves.some((m) => m.from === state);

/** Every state reachable from the initial one by any role's moves. */
export function reachableStates<S extends string, Role extends string>(
  table: LifecycleTable<S, Role>,
): Set<S> {
  const seen = new Set<S>([table.initial]);
  const queue: S[] = [table.initial];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const move of table.moves) {
      if (move.from === state && !seen.has(move.to)) {
        seen.add(move.to);
        queue.push(move.to);
      }
    }
  }
  return seen;
}

/** Builds moves from a `from → [to…]` map for the given roles (how most tables are written). */
export function movesFrom<S extends string, Role extends string>(
  map: Partial<Readonly<Record<S, readonly S[]>>>,
  roles: readonly Role[],
  requires: Partial<Readonly<Record<S, readonly string[]>>> = {},
): Move<S, Role>[] {
  return (Object.entries(map) as [S, readonly S[]][]).flatMap(([from, tos]) =>
    tos.map((to) => ({ from, to, roles, ...(requires[to] ? { requires: requires[to] } : {}) })),
  );
}

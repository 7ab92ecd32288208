import * as z from 'zod';

/** ITIL impact and urgency: 1 = high, 2 = medium, 3 = low. */
export const Level = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type Level = z.infer<typeof Level>;

/** Priority 1 (critical) … 5 (planning). */
export const Priority = z.number().int().min(1).max(5);
export type Priority = z.infer<typeof Priority>;

/** A priority matrix: `matrix[impact - 1][urgency - 1]`. */
export type PriorityMatrix = readonly [
  readonly [Priority, Priority, Priority],
  readonly [Priority, Priority, Priority],
  readonly [Priority, Priority, Priority],
];

/** The ITIL default: high impact and high urgency is P1, low and low is P5. */
export const defaultPriorityMatrix: PriorityMatrix = [
  [1, 2, 3],
  [2, 3, 4],
  [3, 4, 5],
];

export const priorityOf = (
  impact: Level,
  urgency: Level,
  matrix: PriorityMatrix = defaultPriorityMatrix,
): Priority => matrix[impact - 1]?.[urgency - 1] ?? 5;

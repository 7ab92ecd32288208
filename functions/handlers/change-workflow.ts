import * as z from 'zod';

/** What the change approval state machine hands its task: the change being approved. */
const changeTaskInput = z.object({ changeId: z.string().min(1) });

export type ChangeTaskInput = z.infer<typeof changeTaskInput>;

export interface ChangeTaskResult {
  readonly changeId: string;
  readonly status: 'submitted';
}

/**
 * The change approval workflow's task (placeholder): it accepts a well-formed change and
 * reports it submitted, which the state machine's Choice checks. A malformed input throws,
 * so the execution fails visibly instead of approving nothing.
 */
export const handler = async (event: unknown): Promise<ChangeTaskResult> => {
  const { changeId } = changeTaskInput.parse(event);
  return { changeId, status: 'submitted' };
};

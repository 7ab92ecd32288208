import type { Decision } from '#core/change/approval.ts';

/**
 * The change approval workflow, seen from the core: Step Functions in AWS, the local runner
 * (the same synthesized ASL) on a laptop.
 */
export interface ChangeWorkflow {
  /** Starts one approval execution for a change; the id lets the caller stop it later. */
  start(input: { changeId: string }): Promise<{ executionId: string }>;
  /** Stops an execution (the change was cancelled). Stopping a finished one is not an error. */
  stop(executionId: string, cause: string): Promise<void>;
  /**
   * Answers a waiting approval task (`SendTaskSuccess`). Throws `TaskTokenGoneError` when the
   * task no longer waits: it timed out, was answered, or its execution ended.
   */
  answer(taskToken: string, outcome: { decision: Decision }): Promise<void>;
}

export class TaskTokenGoneError extends Error {
  override readonly name = 'TaskTokenGoneError';
}

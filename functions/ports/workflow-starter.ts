/**
 * Starts the change approval workflow. The core asks for an approval through this port; the
 * Step Functions adapter runs it in AWS, the local runner runs the same ASL on a laptop.
 */
export interface WorkflowStarter {
  /** Starts one approval execution for a change; the id lets the caller find or stop it later. */
  startChangeApproval(input: { changeId: string }): Promise<{ executionId: string }>;
}

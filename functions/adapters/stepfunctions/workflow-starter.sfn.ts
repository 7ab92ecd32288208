import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '#ports/workflow-starter.ts';

/**
 * Starts the change approval state machine in AWS. The execution name is the change id plus
 * a timestamp: readable in the console and unique per submission of the same change.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(stateMachineArn: string, client: SFNClient = new SFNClient({})) {
    this.#stateMachineArn = stateMachineArn;
    this.#client = client;
  }

  async startChangeApproval({ changeId }: { changeId: string }): Promise<{ executionId: string }> {
    const name = `${changeId}-${Date.now()}`.replace(/[^\w-]/g, '-').slice(0, 80);
    const { executionArn } = await this.#client.send(
      new StartExecutionCommand({
        stateMachineArn: this.#stateMachineArn,
        name,
        input: JSON.stringify({ changeId }),
      }),
    );
    if (!executionArn) throw new Error(`Step Functions returned no execution ARN for change ${changeId}`);
    return { executionId: executionArn };
  }
}

/**
 * The answer to a CodePipeline job (a Lambda invoke action): go is `PutJobSuccessResult`,
 * wait is `PutJobFailureResult` with the reason, which the pipeline shows on the action.
 */
export interface PipelineJobs {
  succeed(jobId: string, summary: string, outputVariables: Readonly<Record<string, string>>): Promise<void>;
  fail(jobId: string, message: string, executionId: string): Promise<void>;
}

import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { claimPort } from '#local/preflight.ts';

/**
 * Starts one in-memory DynamoDB Local for the integration project. When it cannot start,
 * the run fails here, loudly: integration tests never pass without their emulator.
 */
export default async function setup(project: TestProject) {
  const port = await claimPort(0, 'DynamoDB Local for tests');
  const dynamo = await startDynamoDbLocal({ port });
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

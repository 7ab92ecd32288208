import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { ensureTables } from '#local/create-tables.ts';

/** Fresh tables with a unique prefix in the shared DynamoDB Local, so test files never see each other's data. */
export async function freshTables() {
  const endpoint = inject('dynamodbEndpoint');
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const prefix = `t${randomUUID().slice(0, 8)}`;
  await ensureTables(client, prefix);
  return {
    endpoint,
    prefix,
    client,
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    domainTable: tableName(prefix, domainTable),
    idempotencyTable: tableName(prefix, idempotencyTable),
  };
}

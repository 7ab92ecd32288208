import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableDefinitions, tableName } from '#adapters/dynamodb/table-definition.ts';
import { type CheckResult, couldNotCheck, errorName, fix, ok } from './check.ts';

/**
 * The stack's tables are the only resources it names itself, and they are retained when a stack
 * is deleted. A stack of the same name deployed again — after an uninstall, or a delete to start
 * over — would stop on "spoke-prod-domain already exists" half-way through its first deploy.
 * Only asked on a first deploy: an existing stack owns its tables.
 */
export async function checkLeftoverTables(
  dynamodb: Pick<DynamoDBClient, 'send'>,
  target: { readonly prefix: string; readonly region: string; readonly configPath: string },
): Promise<CheckResult> {
  const name = 'leftover tables';
  const found: string[] = [];
  for (const definition of tableDefinitions) {
    const table = tableName(target.prefix, definition);
    try {
      await dynamodb.send(new DescribeTableCommand({ TableName: table }));
      found.push(table);
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') {
        return couldNotCheck(name, `dynamodb:DescribeTable on ${table}`, error);
      }
    }
  }
  if (found.length === 0) return ok(name, `no table named ${target.prefix}-… is left from an earlier stack`);
  return fix(
    name,
    [
      `${found.join(' and ')} ${found.length > 1 ? 'are' : 'is'} left from an earlier stack of this name, and creating ${found.length > 1 ? 'them' : 'it'} again fails. Either keep the data: restore it under a new name and point restoredTables at it (docs/restore.md), then delete the old table; or delete ${found.length > 1 ? 'them' : 'it'} (after npm run export or a backup):`,
      ...found.map(
        (table) =>
          `aws dynamodb update-table --region ${target.region} --table-name ${table} --no-deletion-protection-enabled && aws dynamodb delete-table --region ${target.region} --table-name ${table}`,
      ),
      `or deploy under another stage or "instance" in ${target.configPath}.`,
    ].join('\n'),
  );
}

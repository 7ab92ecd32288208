import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { usedLinkEntity } from './entities.ts';
import type { RecordTable } from './record-table.ts';

/**
 * Marks a mailed approval link used (any approval's: a change's, a catalog request's); false
 * when it was used already. The mark lives in the idempotency table a day past the link's expiry.
 */
export async function consumeLink(records: RecordTable, linkId: string, expiresAt: string): Promise<boolean> {
  try {
    await records.db.send(
      new PutCommand({
        TableName: records.tableOf(usedLinkEntity),
        Item: usedLinkEntity.item(
          { expiresAt: Math.ceil(Date.parse(expiresAt) / 1000) + 24 * 3600 },
          { linkId },
        ),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

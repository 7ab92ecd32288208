import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

/** Every item of a Query, page after page (for the few lists that are read whole and stay small). */
export async function queryAll(
  query: (input: QueryCommandInput) => Promise<QueryCommandOutput>,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page = await query({ ...input, ExclusiveStartKey: startKey });
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

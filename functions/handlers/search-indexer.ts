import type { DynamoDBStreamEvent } from 'aws-lambda';
import { indexChangeOf } from '#adapters/dynamodb/search-documents.ts';
import { searchServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, searchEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';

const services = searchServices(parseEnv(searchEnv));

/**
 * The table's stream → the search index: each batch of ticket and knowledge writes becomes one
 * update of the shards it touches. A failure fails the batch, which the event source mapping
 * retries (bisecting) before it goes to the dead-letter queue.
 */
export const handler = instrumented(telemetry(), async (event: DynamoDBStreamEvent) => {
  const changes = event.Records.flatMap((record) => {
    const change = indexChangeOf(record);
    return change ? [change] : [];
  });
  await services.keeper.apply(changes);
  return { indexed: changes.length };
});

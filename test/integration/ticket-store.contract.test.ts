import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { freshTables } from '../support/dynamodb.ts';
import { ticketStoreContract } from '../support/ticket-store-contract.ts';

ticketStoreContract('DynamoDB', async () => {
  const tables = await freshTables();
  return new DynamoTicketStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  });
});

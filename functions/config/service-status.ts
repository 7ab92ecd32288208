import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRecordCiStore } from '#adapters/dynamodb/record-ci-store.dynamo.ts';
import { DynamoServiceStatusStore } from '#adapters/dynamodb/service-status-store.dynamo.ts';
import type { CmdbDeps } from '#core/cmdb/cmdb-service.ts';
import type { ServiceStatusDeps } from '#core/cmdb/service-status-service.ts';
import type { TicketDeps } from '#core/ticket/ticket-service.ts';

/** The status page on the domain table: its items, the CMDB it reads and the incidents it follows. */
export function serviceStatusServices(
  env: {
    readonly DOMAIN_TABLE: string;
    readonly IDEMPOTENCY_TABLE: string;
    readonly CMDB_STATUS_DEPTH?: string;
  },
  data: TicketDeps & { readonly documents: DynamoDBDocumentClient },
  cmdb: CmdbDeps,
): ServiceStatusDeps {
  const table = {
    client: data.documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  };
  return {
    statuses: new DynamoServiceStatusStore(table),
    links: new DynamoRecordCiStore(table),
    cmdb,
    tickets: data,
    impactDepth: Number(env.CMDB_STATUS_DEPTH ?? '3'),
  };
}

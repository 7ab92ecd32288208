import type * as z from 'zod';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoOperationsStore } from '#adapters/dynamodb/operations-store.dynamo.ts';
import type { TrailDeps } from '#core/operations/cloudtrail-service.ts';
import type { OperationsDeps } from '#core/operations/signal-incidents.ts';
import { operationsAdapters } from './composition-root.ts';
import type { cloudOperationsEnv } from './env.ts';

/** Alarms, Health and CloudTrail: the ticket engine, the CMDB, the change store, mail and the signals. */
export function cloudOperationsServices(
  env: z.output<typeof cloudOperationsEnv>,
): OperationsDeps & TrailDeps {
  const { data, cmdb, mailer, rateLimiter } = operationsAdapters(env);
  const table = {
    client: data.documents,
    domainTable: env.DOMAIN_TABLE,
    idempotencyTable: env.IDEMPOTENCY_TABLE,
  };
  return {
    store: new DynamoOperationsStore(table),
    tickets: data,
    cis: cmdb.cis,
    changes: new DynamoChangeStore(data.documents, env.DOMAIN_TABLE, env.IDEMPOTENCY_TABLE),
    events: data.events,
    clock: data.clock,
    ids: data.ids,
    mailer,
    rateLimiter,
    supportAddress: env.SUPPORT_ADDRESS,
    portalUrl: env.PORTAL_URL,
    settings: env.OPERATIONS_SETTINGS,
    trail: JSON.parse(env.TRAIL_SETTINGS),
  };
}

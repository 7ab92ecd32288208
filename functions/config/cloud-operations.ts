import * as z from 'zod';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoOperationsStore } from '#adapters/dynamodb/operations-store.dynamo.ts';
import type { TrailDeps } from '#core/operations/cloudtrail-service.ts';
import { OperationsSettings } from '#core/operations/operations-settings.ts';
import type { OperationsDeps } from '#core/operations/signal-incidents.ts';
import { operationsAdapters } from './composition-root.ts';
import { dataEnv, mailEnv } from './env.ts';

/** The cloud-operations function's environment (its settings as one JSON document). */
export const cloudOperationsEnv = dataEnv.extend(mailEnv.shape).extend({
  /** The support group whose members manage the CMDB. @default 'configuration-managers' */
  CMDB_MANAGER_GROUP: z.string().min(1).max(64).default('configuration-managers'),
  /** `cloudOperations` of the account config as JSON (`OperationsSettings`). @default '{}' */
  OPERATIONS_SETTINGS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return OperationsSettings.parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not valid settings: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  /** `cloudOperations.cloudTrail` as JSON (`TrailSettings`). @default '{}' */
  TRAIL_SETTINGS: z.string().default('{}'),
});
export type CloudOperationsEnv = z.input<typeof cloudOperationsEnv>;

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

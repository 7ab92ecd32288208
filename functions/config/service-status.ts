import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRecordCiStore } from '#adapters/dynamodb/record-ci-store.dynamo.ts';
import { DynamoServiceStatusStore } from '#adapters/dynamodb/service-status-store.dynamo.ts';
import type { ChangeCmdbReader } from '#core/change/change-record.ts';
import type { CmdbDeps } from '#core/cmdb/cmdb-service.ts';
import { cmdbFactsOf, type RecordAccess, type RecordCiDeps } from '#core/cmdb/record-cis.ts';
import type { ServiceStatusDeps } from '#core/cmdb/service-status-service.ts';
import { type Actor, isAgent } from '#core/identity/actor.ts';
import { ForbiddenError, NotFoundError } from '#core/shared/errors.ts';
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

/**
 * Who may read or change which record, for the record–CI links: the ticket, problem and change
 * modules' own access checks (viewing the record), and changing it takes an agent.
 */
export function recordAccess(checks: {
  readonly ticket: (actor: Actor, id: string) => Promise<{ kind: string; number: string }>;
  readonly problem: (actor: Actor, id: string) => Promise<{ number: string }>;
  readonly change: (actor: Actor, id: string) => Promise<{ number: string }>;
}): RecordAccess {
  return async (actor, kind, id, intent) => {
    if (intent === 'edit' && !isAgent(actor))
      throw new ForbiddenError(`Only agents change the CIs of a ${kind}`);
    if (kind === 'problem' || kind === 'change') {
      const { number } = await checks[kind](actor, id);
      return { kind, id, number };
    }
    const ticket = await checks.ticket(actor, id);
    if (ticket.kind !== kind) throw new NotFoundError(`No ${kind} ${id}`);
    return { kind, id, number: ticket.number };
  };
}

/** The record–CI links on the domain table. */
export function recordCiServices(
  env: { readonly DOMAIN_TABLE: string; readonly IDEMPOTENCY_TABLE: string },
  data: { readonly documents: DynamoDBDocumentClient },
  cmdb: CmdbDeps,
  access: RecordAccess,
): RecordCiDeps {
  return {
    links: new DynamoRecordCiStore({
      client: data.documents,
      domainTable: env.DOMAIN_TABLE,
      idempotencyTable: env.IDEMPOTENCY_TABLE,
    }),
    cmdb,
    access,
  };
}

/** The CMDB as the change module reads it: the facts of a change's CIs, and the critical-service weight. */
export function changeCmdbReader(
  links: Pick<RecordCiDeps, 'links' | 'cmdb'>,
  criticalWeight: number,
): ChangeCmdbReader {
  return { facts: (changeId) => cmdbFactsOf(links, { kind: 'change', id: changeId }), criticalWeight };
}

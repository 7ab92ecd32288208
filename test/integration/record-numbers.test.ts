import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { counterEntity } from '#adapters/dynamodb/entities.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { defaultApprovalSettings } from '#core/change/approval.ts';
import { type ChangeDeps, createChange } from '#core/change/change-service.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';
import { createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { defaultTicketSettings, openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';
import { problemOf } from '#http/problems.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * Numbers under concurrency (issue 12): 32 creators of one record type at once, each with its
 * own store instance as 32 Lambda containers would have, against DynamoDB Local. Every create
 * gets a number of its own and none ends in a 5xx; the counter ends at the highest number.
 */
const CREATORS = 32;
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const alex: Actor = { id: 'u-alex', email: 'alex.agent@example.com', groups: ['agents'] };
const admin: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };

let tables: Awaited<ReturnType<typeof freshTables>>;
let groups: DynamoGroupStore;
let retries = 0;
const storeOptions = () => ({
  client: tables.documents,
  domainTable: tables.domainTable,
  idempotencyTable: tables.idempotencyTable,
  onRetry: () => {
    retries++;
  },
});

beforeAll(async () => {
  tables = await freshTables();
  groups = new DynamoGroupStore({ client: tables.documents, domainTable: tables.domainTable });
  await createGroup({ groups, clock: { now: () => new Date() } }, admin, {
    id: 'workplace',
    name: 'Workplace',
  });
});

/** Runs the creates at once; every failure is mapped to the HTTP status the API would answer. */
async function all<T>(creates: (() => Promise<T>)[]) {
  const settled = await Promise.allSettled(creates.map((create) => create()));
  return {
    created: settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    statuses: settled.flatMap((r) => (r.status === 'rejected' ? [problemOf(r.reason).status] : [])),
  };
}

const counter = async (kind: string) =>
  (
    await tables.documents.send(
      new GetCommand({
        TableName: tables.domainTable,
        Key: counterEntity.key({ kind }),
        ConsistentRead: true,
      }),
    )
  ).Item?.seq;

describe(`${CREATORS} concurrent creators of one record type`, () => {
  it('get unique incident numbers and no 5xx', async () => {
    const { created, statuses } = await all(
      Array.from({ length: CREATORS }, (_, n) => () => {
        const deps: TicketDeps = {
          tickets: new DynamoTicketStore(storeOptions()),
          clock: { now: () => new Date() },
          ids: ulids,
          events: { publish: async () => undefined },
          groups,
          routing: groups,
          settings: defaultTicketSettings,
        };
        return openTicket(deps, emma, { shortDescription: `Concurrent ${n}` }, { channel: 'portal' });
      }),
    );

    const numbers = created.map((c) => c.ticket.number);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(created).toHaveLength(CREATORS);
    expect(new Set(numbers).size).toBe(CREATORS);
    expect(Math.max(...numbers.map((n) => Number(n.slice(3))))).toBe(await counter('incident'));
  });

  it('get unique change numbers and no 5xx', async () => {
    const { created, statuses } = await all(
      Array.from({ length: CREATORS }, (_, n) => () => {
        const deps: ChangeDeps = {
          changes: new DynamoChangeStore(tables.documents, tables.domainTable, tables.idempotencyTable, {
            onRetry: () => {
              retries++;
            },
          }),
          events: { publish: async () => undefined },
          workflow: {
            start: async () => ({ executionId: 'x' }),
            stop: async () => undefined,
            answer: async () => undefined,
          },
          groupStore: groups,
          groups,
          clock: { now: () => new Date() },
          ids: ulids,
          settings: { questionnaire: defaultRiskQuestionnaire, approval: defaultApprovalSettings },
        };
        const start = new Date(Date.UTC(2027, 0, 4 + (n % 20), 9)).toISOString();
        return createChange(deps, alex, {
          type: 'normal',
          shortDescription: `Concurrent change ${n}`,
          justification: 'Needed',
          implementationPlan: 'Do it',
          backoutPlan: 'Undo it',
          testPlan: 'Check it',
          plannedStart: start,
          plannedEnd: new Date(Date.parse(start) + 3_600_000).toISOString(),
          assignmentGroup: 'workplace',
        });
      }),
    );

    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(created).toHaveLength(CREATORS);
    expect(new Set(created.map((c) => c.number)).size).toBe(CREATORS);
    expect(created.every((c) => c.number.startsWith('CHG'))).toBe(true);
    console.log(`[record-numbers] transactions retried for contention: ${retries}`);
  });
});

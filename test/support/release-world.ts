import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { DynamoReleaseStore } from '#adapters/dynamodb/release-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { defaultApprovalSettings } from '#core/change/approval.ts';
import type { ChangeDeps } from '#core/change/change-service.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { PipelineConfig } from '#core/release/pipeline.ts';
import type { GateDeps } from '#core/release/pipeline-gate.ts';
import { defaultReleaseSettings } from '#core/release/release.ts';
import type { ReleaseDeps } from '#core/release/release-service.ts';
import { defaultTicketSettings, type TicketDeps } from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from './dynamodb.ts';

/**
 * Releases, changes, problems and tickets on fresh tables in DynamoDB Local, with the groups a
 * release needs (change managers, the go/no-go group, a team), a movable clock and a workflow
 * that records what it was asked (the synthesized state machine runs in the local-cloud test).
 */
export const people = {
  admin: { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] },
  manager: { id: 'u-mia', email: 'mia.manager@example.com', groups: ['agents'] },
  agent: { id: 'u-alex', email: 'alex.agent@example.com', groups: ['agents'] },
  cab: { id: 'u-carl', email: 'carl.cab@example.com', groups: ['approvers'] },
  emma: { id: 'u-emma', email: 'emma.employee@example.com', groups: [] },
} satisfies Record<string, Actor>;

export interface ReleaseWorld {
  readonly release: ReleaseDeps & { store: DynamoReleaseStore };
  readonly change: ChangeDeps;
  readonly tickets: TicketDeps;
  readonly problems: DynamoProblemStore;
  readonly gate: (config: readonly PipelineConfig[]) => GateDeps;
  readonly published: DomainEvent[];
  readonly workflowCalls: { method: string; args: unknown[] }[];
  setNow(at: string): void;
}

export async function releaseWorld(): Promise<ReleaseWorld> {
  const tables = await freshTables();
  const base = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  let now = Date.parse('2026-12-01T09:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const groupStore = new DynamoGroupStore(base);
  for (const [id, members] of [
    ['change-managers', [people.manager.email]],
    ['cab', [people.cab.email, people.manager.email]],
    ['web', [people.agent.email]],
  ] as const) {
    await createGroup({ groups: groupStore, clock }, people.admin, { id, name: id });
    for (const email of members) await addMember({ groups: groupStore, clock }, people.admin, id, { email });
  }
  const published: DomainEvent[] = [];
  const events = { publish: async (list: readonly DomainEvent[]) => void published.push(...list) };
  const workflowCalls: { method: string; args: unknown[] }[] = [];
  const changes = new DynamoChangeStore(tables.documents, tables.domainTable, tables.idempotencyTable);
  const problems = new DynamoProblemStore(base);
  const ticketStore = new DynamoTicketStore(base);
  const store = new DynamoReleaseStore(base);
  const signer = {
    sign: async (message: string) => Buffer.from(`mac:${message}`).toString('base64url').slice(0, 40),
    verify: async (message: string, mac: string) =>
      Buffer.from(`mac:${message}`).toString('base64url').slice(0, 40) === mac,
  };
  const release = {
    store,
    releases: store,
    changes,
    problems,
    tickets: ticketStore,
    workflow: {
      start: async (input: { releaseId: string }) => {
        workflowCalls.push({ method: 'start', args: [input] });
        return { executionId: `exec-${input.releaseId}` };
      },
      stop: async (...args: unknown[]) => void workflowCalls.push({ method: 'stop', args }),
      answer: async (...args: unknown[]) => void workflowCalls.push({ method: 'answer', args }),
    },
    groups: groupStore,
    groupStore,
    events,
    clock,
    ids: ulids,
    signer,
    releaseSettings: defaultReleaseSettings,
  };
  const change: ChangeDeps = {
    changes,
    events,
    workflow: {
      start: async () => ({ executionId: 'x' }),
      stop: async () => undefined,
      answer: async () => undefined,
    },
    groupStore,
    groups: groupStore,
    clock,
    ids: ulids,
    settings: { questionnaire: defaultRiskQuestionnaire, approval: defaultApprovalSettings },
  };
  const tickets: TicketDeps = {
    tickets: ticketStore,
    clock,
    ids: ulids,
    events,
    groups: groupStore,
    routing: { route: async () => ({}) },
    settings: defaultTicketSettings,
  };
  return {
    release,
    change,
    tickets,
    problems,
    gate: (config) => ({ change, release, pipelines: store, config }),
    published,
    workflowCalls,
    setNow: (at) => {
      now = Date.parse(at);
    },
  };
}

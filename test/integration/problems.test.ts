import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import {
  createProblem,
  findProblemByNumber,
  listProblems,
  type ProblemDeps,
  problemHistory,
  updateProblem,
  viewProblem,
} from '#core/problem/problem-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/** Problem management, the first record type born on the engine, against DynamoDB Local. */
const pat: Actor = { id: 'u-pat', email: 'pat.problem@example.com', groups: ['agents'] };
const ada: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
let deps: ProblemDeps;
const published: DomainEvent[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, ada, { id: 'problem-managers', name: 'Problem managers' });
  await addMember({ groups, clock }, ada, 'problem-managers', { email: pat.email });
  deps = {
    problems: new DynamoProblemStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }),
    groups,
    events: { publish: async (events) => void published.push(...events) },
    clock,
    ids: ulids,
  };
});

describe('problems on the record engine', () => {
  it('numbers a problem PRB, moves it through its lifecycle with the fields each move needs, and audits every change', async () => {
    const problem = await createProblem(deps, pat, {
      shortDescription: 'VPN drops every 20 minutes',
      services: ['VPN'],
      impact: 1,
      urgency: 2,
      assignmentGroup: 'problem-managers',
    });
    const assessed = await updateProblem(deps, pat, problem.id, { version: 1, state: 'assess' });
    const analysing = await updateProblem(deps, pat, problem.id, {
      version: 2,
      state: 'root_cause_analysis',
    });
    const noCause = await updateProblem(deps, pat, problem.id, {
      version: 3,
      state: 'fix_in_progress',
    }).catch((e: unknown) => e);
    const fixing = await updateProblem(deps, pat, problem.id, {
      version: 3,
      state: 'fix_in_progress',
      rootCause: 'The concentrator renews keys too early',
      workaround: 'Reconnect, or use the backup gateway',
      workaroundPublished: true,
    });
    const stale = await updateProblem(deps, pat, problem.id, { version: 3, fix: 'x' }).catch(
      (e: unknown) => e,
    );
    const history = await problemHistory(deps, pat, problem.id);

    expect(problem).toMatchObject({ number: expect.stringMatching(/^PRB\d{7}$/), state: 'new', priority: 2 });
    expect([assessed.state, analysing.state, fixing.state]).toEqual([
      'assess',
      'root_cause_analysis',
      'fix_in_progress',
    ]);
    expect(noCause).toMatchObject({ name: 'ValidationError', fields: [{ path: 'rootCause' }] });
    expect(stale).toMatchObject({ name: 'ConflictError', current: { version: 4 } });
    expect(fixing.version).toBe(4);
    expect(history.items.filter((e) => e.field === 'state').map((e) => e.newValue)).toEqual([
      'new',
      'assess',
      'root_cause_analysis',
      'fix_in_progress',
    ]);
    expect(history.items.map((e) => e.field)).toEqual(
      expect.arrayContaining(['rootCause', 'workaround', 'workaroundPublished']),
    );
    expect(published.filter((e) => e.detail.problemId === problem.id).map((e) => e.type)).toEqual([
      'problem.created',
      'problem.updated',
      'problem.updated',
      'problem.updated',
    ]);
  });

  it('lists problems by state and by group, finds them by number, and shows them to agents only', async () => {
    const problem = await createProblem(deps, pat, {
      shortDescription: 'Printer queue stalls',
      assignmentGroup: 'problem-managers',
    });

    const byState = await listProblems(deps, pat, { state: 'new', limit: 100 });
    const byGroup = await listProblems(deps, pat, { state: 'new', group: 'problem-managers' });

    expect(byState.items.map((p) => p.id)).toContain(problem.id);
    expect(byGroup.items.map((p) => p.id)).toContain(problem.id);
    expect((await findProblemByNumber(deps, pat, problem.number.toLowerCase())).id).toBe(problem.id);
    await expect(viewProblem(deps, emma, problem.id)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(listProblems(deps, emma, {})).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(
      listProblems(deps, { ...pat, id: 'u-x', email: 'x@example.com' }, { group: 'problem-managers' }),
    ).rejects.toMatchObject({ name: 'ForbiddenError' });
  });
});

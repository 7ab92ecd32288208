import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoProblemStore } from '#adapters/dynamodb/problem-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { defaultApprovalSettings } from '#core/change/approval.ts';
import type { Change } from '#core/change/change.ts';
import { type ChangeDeps, moveChange } from '#core/change/change-service.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { defaultProblemSettings } from '#core/problem/problem.ts';
import {
  countIncident,
  createProblem,
  findKnownErrors,
  followChangeClosed,
  linkChange,
  linkIncident,
  listProblems,
  listSuggestions,
  moveProblem,
  type ProblemDeps,
  problemHistory,
  problemOfTicket,
  updateProblem,
  viewProblem,
} from '#core/problem/problem-service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#core/shared/errors.ts';
import { defaultTicketSettings, openTicket, viewTicket } from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * Problem management against DynamoDB Local: links between incidents, problems and changes,
 * the change-closes-problem rule, known-error matching and the proactive incident counters.
 */
const admin: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const agent: Actor = { id: 'u-alex', email: 'alex.agent@example.com', groups: ['agents'] };
const outsider: Actor = { id: 'u-olly', email: 'olly.other@example.com', groups: ['agents'] };
const manager: Actor = { id: 'u-pat', email: 'pat.problem@example.com', groups: [] };
const emma: Actor = { id: 'u-emma', email: 'emma.employee@example.com', groups: [] };

let deps: ProblemDeps;
let changeDeps: ChangeDeps;
let now = Date.parse('2026-12-01T09:00:00.000Z');
const published: DomainEvent[] = [];
const requests: string[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  const base = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  const groupStore = new DynamoGroupStore(base);
  const clock = { now: () => new Date(now) };
  for (const [id, members] of [
    ['network', ['alex.agent@example.com']],
    ['problem-managers', ['pat.problem@example.com']],
  ] as const) {
    await createGroup({ groups: groupStore, clock }, admin, { id, name: id });
    for (const email of members) await addMember({ groups: groupStore, clock }, admin, id, { email });
  }
  const events = {
    publish: async (list: readonly DomainEvent[]) => {
      published.push(...list);
    },
  };
  const changes = new DynamoChangeStore(tables.documents, tables.domainTable, tables.idempotencyTable);
  deps = {
    tickets: new DynamoTicketStore(base),
    problems: new DynamoProblemStore({ ...base, onRequest: (op) => requests.push(op) }),
    changes,
    clock,
    ids: ulids,
    events,
    groups: groupStore,
    routing: { route: async () => ({}) },
    settings: defaultTicketSettings,
    problemSettings: defaultProblemSettings,
  };
  changeDeps = {
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
});

const incident = async (fields: { service?: string; category?: string; shortDescription?: string } = {}) =>
  (
    await openTicket(
      deps,
      emma,
      { shortDescription: fields.shortDescription ?? 'VPN drops', ...fields },
      { channel: 'portal' },
    )
  ).ticket;

/** A change in review, as the approval workflow and the implementers leave it. */
async function changeInReview(): Promise<Change> {
  const at = new Date(now).toISOString();
  return changeDeps.changes.create(
    {
      id: ulids.next(),
      type: 'normal',
      shortDescription: 'Patch the VPN concentrator',
      description: '',
      justification: 'Fix PRB',
      implementationPlan: 'Patch',
      backoutPlan: 'Roll back',
      testPlan: 'Connect',
      plannedStart: at,
      plannedEnd: new Date(now + 3_600_000).toISOString(),
      services: ['VPN'],
      configurationItems: [],
      assignmentGroup: 'network',
      requester: { id: agent.id, email: agent.email },
      state: 'review',
      risk: { answers: {} },
      approval: { status: 'approved', attempt: 1 },
      contributors: [],
      createdAt: at,
      updatedAt: at,
      version: 1,
    },
    [],
  );
}

describe('problems and their links', () => {
  it('opens a problem from an incident, linked and listed on both sides with one Query each', async () => {
    const ticket = await incident({ service: 'VPN', category: 'Network' });
    const problem = await createProblem(deps, agent, { fromTicketId: ticket.id, assignmentGroup: 'network' });
    expect(problem.number).toMatch(/^PRB\d{7}$/);
    expect(problem).toMatchObject({
      shortDescription: 'VPN drops',
      services: ['VPN'],
      category: 'Network',
      priority: 5,
    });

    requests.length = 0;
    const [fromIncident] = await deps.problems.linksOf(ticket, 'problem');
    expect(requests).toEqual(['Query']);
    expect(fromIncident?.target.number).toBe(problem.number);
    requests.length = 0;
    const view = await viewProblem(deps, agent, problem.id);
    expect(requests).toEqual(['Query']);
    expect(view.incidents.map((i) => i.number)).toEqual([ticket.number]);
    expect(view.nextStates).toEqual(['assess', 'cancelled']);
    expect(
      published.some((e) => e.type === 'problem.created' && e.detail.fromIncident === ticket.number),
    ).toBe(true);
    expect(
      published.some(
        (e) => e.type === 'record.linked' && (e.detail.source as { id: string }).id === ticket.id,
      ),
    ).toBe(true);
  });

  it('links from either side, one problem per incident, and keeps the history', async () => {
    const a = await createProblem(deps, agent, { shortDescription: 'Mail slow', assignmentGroup: 'network' });
    const b = await createProblem(deps, agent, {
      shortDescription: 'Mail bounces',
      assignmentGroup: 'network',
    });
    const ticket = await incident({ service: 'Email' });
    expect((await linkIncident(deps, agent, a.id, ticket.id)).linked).toBe(true);
    expect((await linkIncident(deps, agent, a.id, ticket.id)).linked).toBe(false);
    await expect(linkIncident(deps, agent, b.id, ticket.id)).rejects.toBeInstanceOf(ConflictError);
    const history = await problemHistory(deps, agent, a.id);
    expect(history.items.map((e) => [e.field, e.newValue])).toContainEqual(['incidents', ticket.number]);
  });

  it('lets the group and problem managers work a problem; other agents only view; employees never see one', async () => {
    const problem = await createProblem(deps, agent, {
      shortDescription: 'DNS flaps',
      assignmentGroup: 'network',
    });
    await expect(
      moveProblem(deps, outsider, problem.id, { version: 1, to: 'assess' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await viewProblem(deps, outsider, problem.id)).nextStates).toEqual([]);
    const moved = await moveProblem(deps, manager, problem.id, { version: 1, to: 'assess' });
    expect(moved.state).toBe('assess');
    await expect(viewProblem(deps, emma, problem.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listProblems(deps, emma, {})).rejects.toBeInstanceOf(ForbiddenError);
    const byGroup = await listProblems(deps, agent, { group: 'network' });
    expect(byGroup.items.map((p) => p.id)).toContain(problem.id);
    const byState = await listProblems(deps, agent, { state: 'assess' });
    expect(byState.items.map((p) => p.id)).toContain(problem.id);
  });

  it('refuses to resolve without root cause and fix, naming the fields', async () => {
    const p = await createProblem(deps, agent, { shortDescription: 'Disk full', assignmentGroup: 'network' });
    await moveProblem(deps, agent, p.id, { version: 1, to: 'assess' });
    await moveProblem(deps, agent, p.id, { version: 2, to: 'root_cause_analysis' });
    const refused = await moveProblem(deps, agent, p.id, {
      version: 3,
      to: 'resolved',
      rootCause: 'Logs',
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).fields.map((f) => f.path)).toEqual(['fix']);
  });
});

describe('a linked change that closes', () => {
  async function problemWithFix(onFix: ProblemDeps['problemSettings']['onFix']) {
    const local = { ...deps, problemSettings: { ...deps.problemSettings, onFix } };
    const ticket = await incident({ service: 'VPN' });
    const problem = await createProblem(local, agent, {
      fromTicketId: ticket.id,
      assignmentGroup: 'network',
    });
    await moveProblem(local, agent, problem.id, { version: 1, to: 'assess' });
    await moveProblem(local, agent, problem.id, { version: 2, to: 'root_cause_analysis' });
    await moveProblem(local, agent, problem.id, {
      version: 3,
      to: 'fix_in_progress',
      rootCause: 'Session leak',
    });
    const change = await changeInReview();
    await linkChange(local, agent, problem.id, { number: change.number });
    published.length = 0;
    await moveChange(changeDeps, agent, change.id, {
      version: change.version,
      to: 'closed',
      closeCode: 'successful',
      closeNotes: 'Patched',
    });
    const closed = published.find((e) => e.type === 'change.updated');
    if (!closed) throw new Error('closing the change published no change.updated');
    return { local, ticket, problem, change, closed };
  }

  it('resolves the problem and tells the incidents’ requesters (notify), once however often the event comes', async () => {
    const { local, ticket, problem, change, closed } = await problemWithFix('notify');
    expect(await followChangeClosed(local, closed)).toEqual([problem.number]);
    expect(await followChangeClosed(local, closed)).toEqual([]);
    const view = await viewProblem(local, agent, problem.id);
    expect(view.problem).toMatchObject({ state: 'resolved', fix: `Change ${change.number}` });
    const { ticket: after, articles } = await viewTicket(local, emma, ticket.id);
    expect(after.state).toBe('new');
    const told = articles.filter((a) => a.type === 'reply' && a.body.includes(change.number));
    expect(told).toHaveLength(1);
    expect(told[0]?.body).toContain(problem.number);
  });

  it('also resolves the incidents with notify-and-resolve', async () => {
    const { local, ticket, closed } = await problemWithFix('notify-and-resolve');
    await followChangeClosed(local, closed);
    const { ticket: after } = await viewTicket(local, emma, ticket.id);
    expect(after).toMatchObject({ state: 'resolved', resolution: { code: 'solved_by_change' } });
  });

  it('leaves the problem alone when the change closed unsuccessfully', async () => {
    const ticket = await incident({ service: 'VPN' });
    const problem = await createProblem(deps, agent, {
      fromTicketId: ticket.id,
      rootCause: 'x',
      assignmentGroup: 'network',
    });
    for (const [version, to] of [
      [1, 'assess'],
      [2, 'root_cause_analysis'],
      [3, 'fix_in_progress'],
    ] as const)
      await moveProblem(deps, agent, problem.id, { version, to });
    const change = await changeInReview();
    await linkChange(deps, agent, problem.id, { id: change.id });
    published.length = 0;
    await moveChange(changeDeps, agent, change.id, {
      version: 1,
      to: 'closed',
      closeCode: 'unsuccessful',
      closeNotes: 'Rolled back',
    });
    const closed = published.find((e) => e.type === 'change.updated') as DomainEvent;
    expect(await followChangeClosed(deps, closed)).toEqual([]);
    expect((await viewProblem(deps, agent, problem.id)).problem.state).toBe('fix_in_progress');
  });
});

describe('the known-error database', () => {
  it('offers known errors matching an incident by service, category or words; requesters see only the workaround', async () => {
    const vpn = await createProblem(deps, agent, {
      shortDescription: 'VPN client disconnects after sleep',
      services: ['Remote Access'],
      workaround: 'Reconnect from the tray icon',
      assignmentGroup: 'network',
    });
    const printer = await createProblem(deps, agent, {
      shortDescription: 'Printer queue stalls',
      category: 'Printing',
      workaround: 'Restart the spooler',
      workaroundPublished: true,
      assignmentGroup: 'network',
    });
    const ticket = await incident({
      service: 'Remote Access',
      shortDescription: 'Disconnects after laptop sleep',
    });
    expect((await findKnownErrors(deps, agent, { ticketId: ticket.id })).map((k) => k.id)).not.toContain(
      vpn.id,
    );
    expect(await problemOfTicket(deps, emma, ticket.id)).toEqual({});

    await updateProblem(deps, agent, vpn.id, { version: 1, workaroundPublished: true });
    const offered = await findKnownErrors(deps, agent, { ticketId: ticket.id });
    expect(offered[0]?.id).toBe(vpn.id);
    expect(offered.map((k) => k.id)).not.toContain(printer.id);
    expect((await findKnownErrors(deps, agent, { category: 'printing' })).map((k) => k.id)).toEqual([
      printer.id,
    ]);
    expect((await findKnownErrors(deps, agent, { q: 'spooler stalls' })).map((k) => k.id)).toEqual([
      printer.id,
    ]);
    await expect(findKnownErrors(deps, emma, {})).rejects.toBeInstanceOf(ForbiddenError);

    await linkIncident(deps, agent, vpn.id, ticket.id, true);
    const { articles } = await viewTicket(deps, emma, ticket.id);
    expect(articles.at(-1)).toMatchObject({ type: 'reply' });
    expect(articles.at(-1)?.body).toContain('Reconnect from the tray icon');
    const seen = await problemOfTicket(deps, emma, ticket.id);
    expect(seen.problem).toBeUndefined();
    expect(seen.knownError).toMatchObject({ number: vpn.number, workaround: 'Reconnect from the tray icon' });
    expect((await problemOfTicket(deps, agent, ticket.id)).problem?.id).toBe(vpn.id);
  });
});

describe('proactive problem management', () => {
  it('suggests a problem when the fifth incident in seven days hits one service, counting each event once', async () => {
    const day = 86_400_000;
    const start = Date.parse('2026-11-01T10:00:00.000Z');
    const created: DomainEvent[] = [];
    for (let i = 0; i < 5; i++) {
      now = start + i * day;
      const ticket = await incident({ service: 'Wifi', ...(i === 0 ? { category: 'Network' } : {}) });
      created.push({
        type: 'ticket.created',
        id: ulids.next(),
        at: new Date(now).toISOString(),
        detail: { ticketId: ticket.id },
      });
    }
    published.length = 0;
    for (const event of created.slice(0, 4)) expect(await countIncident(deps, event)).toEqual([]);
    expect(await countIncident(deps, created[0] as DomainEvent)).toEqual([]);
    expect(
      await deps.problems.hits('service', 'wifi', [
        '2026-10-30',
        '2026-10-31',
        '2026-11-01',
        '2026-11-02',
        '2026-11-03',
        '2026-11-04',
        '2026-11-05',
      ]),
    ).toBe(4);
    const [suggestion] = await countIncident(deps, created[4] as DomainEvent);
    expect(suggestion).toMatchObject({ dimension: 'service', value: 'Wifi', incidents: 5, windowDays: 7 });
    expect(published.filter((e) => e.type === 'problem.suggested')).toHaveLength(1);
    expect((await listSuggestions(deps, manager)).items.map((s) => s.value)).toContain('Wifi');
    await expect(listSuggestions(deps, agent)).rejects.toBeInstanceOf(ForbiddenError);

    now = start + 12 * day;
    const late = await incident({ service: 'Wifi' });
    const lateEvent = {
      type: 'ticket.created' as const,
      id: ulids.next(),
      at: new Date(now).toISOString(),
      detail: { ticketId: late.id },
    };
    expect(await countIncident(deps, lateEvent)).toEqual([]);
  });
});

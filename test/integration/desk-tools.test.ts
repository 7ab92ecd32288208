import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoResponseStore, DynamoSavedViewStore } from '#adapters/dynamodb/desk-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { RecordTable } from '#adapters/dynamodb/record-table.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { bulkUpdate } from '#core/desk/bulk.ts';
import { mergeTicket } from '#core/desk/merge.ts';
import {
  applyMacro,
  createResponse,
  deleteResponse,
  listResponses,
  type ResponseDeps,
  updateResponse,
} from '#core/desk/response-service.ts';
import { deleteView, listViews, type SavedViewDeps, saveView } from '#core/desk/saved-view.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import {
  defaultTicketSettings,
  listTickets,
  openTicket,
  type TicketDeps,
  ticketHistory,
  updateTicket,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/** Issue 19: the desk's tools on the ticket engine, against DynamoDB Local. */
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', name: 'Emma Employee', groups: [] };
const bob: Actor = { id: 'u-bob', email: 'bob@example.com', name: 'Bob Caller', groups: [] };
const dana: Actor = { id: 'u-dana', email: 'dana@example.com', name: 'Dana Agent', groups: ['agents'] };
const nick: Actor = { id: 'u-nick', email: 'nick@example.com', name: 'Nick Network', groups: ['agents'] };
const mona: Actor = { id: 'u-mona', email: 'mona@example.com', name: 'Mona Manager', groups: ['agents'] };
const admin: Actor = { id: 'u-admin', email: 'admin@example.com', groups: ['admins', 'agents'] };

let deps: TicketDeps;
let responses: ResponseDeps;
let views: SavedViewDeps;
let records: RecordTable;
const published: DomainEvent[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  let n = 0;
  const clock = { now: () => new Date() };
  const ids = { next: () => `id${Date.now().toString(36)}${String(++n).padStart(6, '0')}` };
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const table = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  deps = {
    tickets: new DynamoTicketStore(table),
    clock,
    ids,
    events: { publish: async (events) => void published.push(...events) },
    groups,
    routing: groups,
    settings: defaultTicketSettings,
  };
  responses = {
    responses: new DynamoResponseStore(table),
    groupStore: groups,
    ticket: deps,
    clock,
    ids,
    portalUrl: 'https://help.example.com',
  };
  views = { views: new DynamoSavedViewStore(table), clock, ids };
  records = new RecordTable(table);
  const groupDeps = { groups, clock };
  await createGroup(groupDeps, admin, { id: 'service-desk', name: 'Service Desk', managerEmail: mona.email });
  await createGroup(groupDeps, admin, { id: 'network', name: 'Network' });
  for (const who of [dana, mona])
    await addMember(groupDeps, admin, 'service-desk', { email: who.email, name: who.name });
  await addMember(groupDeps, admin, 'network', { email: nick.email, name: nick.name });
});

/** A ticket for `requester` in service-desk, opened by Dana (a phone call). */
/** The error a call was refused with; a call that succeeds fails the test. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    return error as Error & { fields?: unknown; issues: { path: unknown[] }[] };
  }
  throw new Error('expected a refusal');
}

const open = async (requester: Actor, shortDescription: string) =>
  (
    await openTicket(
      deps,
      dana,
      {
        shortDescription,
        requester: { email: requester.email, name: requester.name },
        assignmentGroup: 'service-desk',
      },
      { channel: 'portal' },
    )
  ).ticket;

describe('canned responses and macros', () => {
  it('keeps personal responses to their owner and lets only the manager or an admin edit a group’s', async () => {
    const mine = await createResponse(responses, dana, { name: 'Thanks', body: 'Thanks {requester}!' });
    const byMember = await refusal(
      createResponse(responses, dana, {
        name: 'Desk hello',
        body: 'Hello',
        scope: 'group',
        group: 'service-desk',
      }),
    );
    const shared = await createResponse(responses, mona, {
      name: 'Desk hello',
      body: 'Hello {requester}, this is {agent} from the desk.',
      scope: 'group',
      group: 'service-desk',
    });
    const danaSees = await listResponses(responses, dana);
    const nickSees = await listResponses(responses, nick);
    const editByMember = await refusal(updateResponse(responses, dana, shared.id, { version: 1, body: 'x' }));
    const stolen = await refusal(updateResponse(responses, nick, mine.id, { version: 1, body: 'x' }));
    const edited = await updateResponse(responses, admin, shared.id, { version: 1, name: 'Desk greeting' });
    const stale = await refusal(updateResponse(responses, mona, shared.id, { version: 1, name: 'Late' }));

    expect((byMember as Error).name).toBe('ForbiddenError');
    expect(danaSees.items.map((r) => [r.name, r.editable])).toEqual([
      ['Thanks', true],
      ['Desk hello', false],
    ]);
    expect(nickSees.items).toEqual([]);
    expect((editByMember as Error).name).toBe('ForbiddenError');
    expect((stolen as Error).name).toBe('NotFoundError');
    expect(edited).toMatchObject({ name: 'Desk greeting', version: 2 });
    expect((stale as Error).name).toBe('ConflictError');
  });

  it('refuses unknown placeholders and macros that could never apply, naming the field', async () => {
    const typo = await refusal(createResponse(responses, dana, { name: 'Typo', body: 'Hi {requestor}' }));
    const hold = await refusal(
      createResponse(responses, dana, {
        name: 'Hold',
        body: 'Waiting for you',
        actions: { state: 'on_hold' },
      }),
    );

    expect(typo.fields).toEqual([{ path: 'body', message: 'has unknown placeholders {requestor}' }]);
    expect(hold.fields).toEqual([
      { path: 'actions.holdReason', message: 'is required to put a ticket on hold' },
    ]);
  });

  it('applies a macro in one versioned write: fields set, the filled-in reply added, every change audited', async () => {
    const ticket = await open(emma, 'Printer jams on every page');
    const macro = await createResponse(responses, dana, {
      name: 'Waiting for caller',
      body: 'Hello {requester}, could you send a photo of the jam for {number}? {link}',
      actions: {
        state: 'on_hold',
        holdReason: 'awaiting_caller',
        assignToMe: true,
        urgency: 2,
        addTags: ['printer'],
      },
    });

    const result = await applyMacro(responses, dana, ticket.id, { responseId: macro.id, version: 1 });
    const stale = await refusal(applyMacro(responses, dana, ticket.id, { responseId: macro.id, version: 1 }));
    const history = await ticketHistory(deps, dana, ticket.id);
    const { articles } = await viewTicket(deps, emma, ticket.id);

    expect(result.ticket).toMatchObject({
      version: 2,
      state: 'on_hold',
      holdReason: 'awaiting_caller',
      assignee: { email: dana.email },
      urgency: 2,
      tags: ['printer'],
    });
    expect(result.article?.body).toBe(
      `Hello Emma, could you send a photo of the jam for ${ticket.number}? https://help.example.com/tickets/${ticket.id}`,
    );
    expect(articles.at(-1)?.body).toBe(result.article?.body);
    const macroEntries = history.items.filter((e) => e.reason === 'macro "Waiting for caller"');
    expect(macroEntries.map((e) => e.field).sort()).toEqual(
      ['assignee', 'holdReason', 'priority', 'state', 'tags', 'urgency'].sort(),
    );
    expect((stale as Error).name).toBe('ConflictError');
    expect(published.some((e) => e.type === 'article.added' && e.detail.ticketId === ticket.id)).toBe(true);
  });

  it('lets nobody apply a personal macro of someone else, and deletes with the version seen', async () => {
    const ticket = await open(emma, 'Monitor flickers');
    const mine = await createResponse(responses, dana, { name: 'Mine', body: 'Mine' });
    const byMona = await refusal(applyMacro(responses, mona, ticket.id, { responseId: mine.id, version: 1 }));
    await deleteResponse(responses, dana, mine.id, 1);
    const gone = await refusal(applyMacro(responses, dana, ticket.id, { responseId: mine.id, version: 1 }));

    expect((byMona as Error).name).toBe('NotFoundError');
    expect((gone as Error).name).toBe('NotFoundError');
  });
});

describe('bulk actions', () => {
  it('changes each selected ticket in its own audited write and reports a stale one as a 409 without undoing the others', async () => {
    const [a, b, c] = await Promise.all([
      open(emma, 'Bulk one'),
      open(emma, 'Bulk two'),
      open(emma, 'Bulk three'),
    ]);
    await updateTicket(deps, dana, (b as { id: string }).id, { version: 1, urgency: 1 });

    const outcomes = await bulkUpdate(deps, dana, {
      tickets: [a, b, c].map((t) => ({ id: t?.id as string, version: 1 })),
      change: { assignee: { email: mona.email }, state: 'in_progress', priority: 2 },
    });
    const history = await ticketHistory(deps, dana, a?.id as string);

    expect(outcomes.map((o) => ('ticket' in o ? 'ok' : (o.error as Error).name))).toEqual([
      'ok',
      'ConflictError',
      'ok',
    ]);
    // Priority 5 (low, low) to 2: no cell of row or column 3 gives 2, so the first pair that does.
    const first = outcomes[0] as {
      ticket: { priority: number; impact: number; state: string; version: number };
    };
    expect(first.ticket).toMatchObject({
      priority: 2,
      impact: 1,
      urgency: 2,
      state: 'in_progress',
      version: 2,
    });
    expect(
      history.items
        .filter((e) => e.reason === 'bulk change')
        .map((e) => e.field)
        .sort(),
    ).toEqual(['assignee', 'impact', 'priority', 'state', 'urgency'].sort());
  });

  it('refuses an empty change and an outsider, naming why', async () => {
    const empty = await refusal(bulkUpdate(deps, dana, { tickets: [{ id: 'x', version: 1 }], change: {} }));
    const outsider = await refusal(
      bulkUpdate(deps, emma, {
        tickets: [{ id: 'x', version: 1 }],
        change: { state: 'in_progress' },
      }),
    );
    expect(empty.issues[0]?.path).toEqual(['change']);
    expect((outsider as Error).name).toBe('ForbiddenError');
  });
});

describe('merging duplicates', () => {
  it('moves the conversation and watchers, closes the duplicate with a link and tells its requester, in one transaction', async () => {
    const target = await open(emma, 'VPN down on floor 3');
    const duplicate = await open(bob, 'VPN not working');
    await updateTicket(deps, dana, duplicate.id, { version: 1, watchers: ['carl@example.com'] });

    const merged = await mergeTicket({ ...deps, portalUrl: 'https://help.example.com' }, dana, duplicate.id, {
      into: target.number,
      version: 2,
    });
    const targetView = await viewTicket(deps, dana, target.id);
    const duplicateView = await viewTicket(deps, bob, duplicate.id);
    const again = await refusal(
      mergeTicket({ ...deps, portalUrl: 'https://x' }, dana, duplicate.id, {
        into: target.number,
        version: 3,
      }),
    );

    expect(merged.target.watchers.sort()).toEqual(['bob@example.com', 'carl@example.com']);
    expect(targetView.articles.map((a) => a.body)).toEqual([
      'VPN down on floor 3',
      'VPN not working',
      expect.stringContaining(`${duplicate.number} (VPN not working) was merged into this ticket`),
    ]);
    expect(merged.duplicate).toMatchObject({
      state: 'closed',
      resolution: { code: 'duplicate', notes: `Merged into ${target.number}` },
      links: [{ type: 'duplicates', ticketId: target.id }],
    });
    expect(duplicateView.articles.at(-1)).toMatchObject({
      type: 'reply',
      body: expect.stringContaining(`merged into ${target.number} (VPN down on floor 3)`),
    });
    expect(duplicateView.articles.at(-1)?.body).toContain(`https://help.example.com/tickets/${target.id}`);
    expect(again.fields).toEqual([{ path: 'into', message: `${duplicate.number} is closed already` }]);
    // The engine's generic record link, readable from either ticket.
    const fromTarget = await records.links({ kind: 'incident', id: target.id }, 'incident');
    expect(fromTarget).toEqual([
      expect.objectContaining({
        type: 'duplicates',
        source: { kind: 'incident', id: duplicate.id, number: duplicate.number },
        target: { kind: 'incident', id: target.id, number: target.number },
      }),
    ]);
    expect(published).toContainEqual(
      expect.objectContaining({
        type: 'record.linked',
        detail: expect.objectContaining({ type: 'duplicates' }),
      }),
    );
  });

  it('writes nothing when the target changed meanwhile (409), and refuses merging a ticket into itself', async () => {
    const target = await open(emma, 'Shared drive slow');
    const duplicate = await open(emma, 'Shared drive slow again');
    const store = deps.tickets;
    // The target changes between the merge's read and its write.
    const racing: TicketDeps = {
      ...deps,
      tickets: {
        ...store,
        get: store.get.bind(store),
        findByNumber: store.findByNumber.bind(store),
        updateTogether: async (changes) => {
          await updateTicket(deps, dana, target.id, { version: 1, urgency: 1 });
          return store.updateTogether(changes);
        },
      } as TicketDeps['tickets'],
    };
    const lost = await refusal(
      mergeTicket({ ...racing, portalUrl: 'https://x' }, dana, duplicate.id, {
        into: target.id,
        version: 1,
      }),
    );
    const self = await refusal(
      mergeTicket({ ...deps, portalUrl: 'https://x' }, dana, duplicate.id, {
        into: duplicate.id,
        version: 1,
      }),
    );
    const after = await viewTicket(deps, dana, duplicate.id);

    expect((lost as Error).name).toBe('ConflictError');
    expect(after.ticket).toMatchObject({ state: 'new', version: 1 });
    expect(after.articles).toHaveLength(1);
    expect(self.fields).toEqual([{ path: 'into', message: 'is the ticket itself' }]);
  });
});

describe('saved views', () => {
  it('saves an agent’s named filters, replaces one saved under the same name, and runs each as its list', async () => {
    const first = await saveView(views, dana, {
      name: 'Mona’s new',
      filters: { view: 'queue', group: 'service-desk', state: 'in_progress', assignee: mona.email },
    });
    const replaced = await saveView(views, dana, {
      name: 'mona’s new',
      filters: {
        view: 'queue',
        group: 'service-desk',
        state: 'in_progress',
        assignee: mona.email,
        priority: 2,
      },
    });
    const wrong = await refusal(
      saveView(views, dana, {
        name: 'Bad',
        filters: { view: 'unassigned', group: 'service-desk', assignee: mona.email },
      }),
    );
    const danaViews = await listViews(views, dana);
    const monaViews = await listViews(views, mona);
    const { view, group, state, priority, assignee } = (danaViews[0] as typeof replaced).filters;
    const tickets = await listTickets(deps, dana, { view, group, state, priority, assignee });
    await deleteView(views, dana, first.id);
    const missing = await refusal(deleteView(views, dana, first.id));

    expect(replaced.id).toBe(first.id);
    expect(danaViews).toHaveLength(1);
    expect(monaViews).toEqual([]);
    expect(wrong.issues.map((i) => i.path)).toEqual([['filters', 'assignee']]);
    expect(tickets.items.length).toBeGreaterThan(0);
    expect(tickets.items.every((t) => t.assignee?.email === mona.email && t.priority === 2)).toBe(true);
    expect(await listViews(views, dana)).toEqual([]);
    expect((missing as Error).name).toBe('NotFoundError');
  });

  it('filters my work by state within its one Query', async () => {
    const ticket = await open(emma, 'Keyboard missing keys');
    await updateTicket(deps, dana, ticket.id, {
      version: 1,
      assignee: { email: dana.email },
      state: 'in_progress',
    });
    const inProgress = await listTickets(deps, dana, { view: 'assigned', state: 'in_progress' });
    const onHold = await listTickets(deps, dana, { view: 'assigned', state: 'new' });

    expect(inProgress.items.map((t) => t.id)).toContain(ticket.id);
    expect(onHold.items.map((t) => t.id)).not.toContain(ticket.id);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '#core/ticket/article.ts';
import type { Ticket, TicketKind } from '#core/ticket/ticket.ts';
import type { NewTicket, TicketStore } from '#ports/ticket-store.ts';

/**
 * What every `TicketStore` does, whatever it stores in: run against the DynamoDB store
 * (integration) and the in-memory store the unit tests use, so the fake cannot drift.
 */
export function ticketStoreContract(name: string, make: () => Promise<TicketStore>): void {
  describe(`the TicketStore contract: ${name}`, () => {
    let store: TicketStore;
    let n = 0;
    let clock = Date.UTC(2026, 11, 1, 9);
    const at = () => {
      clock += 1000;
      return new Date(clock).toISOString();
    };
    beforeAll(async () => {
      store = await make();
    });

    function draft(requester: string, fields: Partial<Ticket> = {}): NewTicket {
      const id = `${name.replace(/\W/g, '')}-${++n}`;
      const now = at();
      const firstArticle: Article = {
        id: `${id}-a1`,
        ticketId: id,
        type: 'reply',
        author: { id: requester, email: requester },
        body: 'It broke',
        channel: 'portal',
        createdAt: now,
      };
      return {
        ticket: {
          id,
          kind: 'incident',
          shortDescription: `Ticket ${n}`,
          description: 'It broke',
          state: 'new',
          impact: 3,
          urgency: 3,
          priority: 5,
          requester: { id: requester, email: requester },
          channel: 'portal',
          watchers: [],
          tags: [],
          links: [],
          createdAt: now,
          updatedAt: now,
          version: 1,
          ...fields,
        },
        firstArticle,
        audit: [{ at: now, actor: { id: requester, email: requester }, field: 'state', newValue: 'new' }],
      };
    }

    const create = async (requester: string, fields: Partial<Ticket> = {}, kind: TicketKind = 'incident') =>
      (await store.create(draft(requester, fields), kind)).ticket;

    async function edit(ticket: Ticket, fields: Partial<Ticket>, extra: { autoCloseAt?: string } = {}) {
      const updatedAt = at();
      return (
        await store.update({
          ticket: { ...ticket, ...fields, updatedAt, version: ticket.version + 1 },
          expectedVersion: ticket.version,
          audit: Object.keys(fields).map((field) => ({
            at: updatedAt,
            actor: { id: 'agent', email: 'agent@example.com' },
            field,
            newValue: (fields as Record<string, unknown>)[field],
          })),
          ...extra,
          ...(ticket.parentId ? { previousParentId: ticket.parentId } : {}),
        })
      ).ticket;
    }

    it('numbers each kind with its own prefix and never twice', async () => {
      const a = await create('numbers@example.com');
      const b = await create('numbers@example.com');
      const r = await create('numbers@example.com', { kind: 'request' }, 'request');

      expect(a.number).toMatch(/^INC\d{7}$/);
      expect(Number(b.number.slice(3))).toBeGreaterThan(Number(a.number.slice(3)));
      expect(r.number).toMatch(/^REQ\d{7}$/);
      expect(await store.findByNumber(b.number)).toEqual(b);
      expect(await store.findByNumber('INC9999999')).toBeUndefined();
    });

    it('creates once per idempotency key and returns the first ticket again', async () => {
      const first = draft('idem@example.com');
      const again = { ...draft('idem@example.com'), idempotencyKey: 'key-1' };
      const one = await store.create({ ...first, idempotencyKey: 'key-1' }, 'incident');
      const two = await store.create(again, 'incident');

      expect(one.created).toBe(true);
      expect(two).toEqual({ ticket: one.ticket, created: false });
      expect(await store.get(again.ticket.id)).toBeUndefined();
    });

    it('reads a ticket with its conversation, and nothing for an unknown id', async () => {
      const ticket = await create('get@example.com');
      const view = await store.get(ticket.id);

      expect(view?.ticket).toEqual(ticket);
      expect(view?.articles.map((a) => a.body)).toEqual(['It broke']);
      expect(view?.children).toEqual([]);
      expect(await store.get('no-such-ticket')).toBeUndefined();
    });

    it('writes an update only at the expected version, with its articles and audit entries', async () => {
      const ticket = await create('update@example.com');
      const reply: Article = {
        id: `${ticket.id}-a2`,
        ticketId: ticket.id,
        type: 'note',
        author: { id: 'agent', email: 'agent@example.com' },
        body: 'Looking',
        channel: 'portal',
        createdAt: at(),
      };
      const updatedAt = at();
      const changed = await store.update({
        ticket: { ...ticket, state: 'in_progress', updatedAt, version: 2 },
        expectedVersion: 1,
        audit: [
          {
            at: updatedAt,
            actor: { id: 'a', email: 'a@example.com' },
            field: 'state',
            oldValue: 'new',
            newValue: 'in_progress',
          },
        ],
        articles: [reply],
      });
      const stale = await store
        .update({ ticket: { ...ticket, state: 'cancelled', version: 2 }, expectedVersion: 1, audit: [] })
        .catch((error: unknown) => error);
      const history = await store.history(ticket.id, { limit: 10 });

      expect(changed).toMatchObject({ applied: true, ticket: { state: 'in_progress', version: 2 } });
      expect((await store.get(ticket.id))?.articles.map((a) => a.body)).toEqual(['It broke', 'Looking']);
      expect(stale).toMatchObject({ name: 'ConflictError', current: { version: 2, state: 'in_progress' } });
      expect(history.items.map((e) => [e.ticketId, e.field, e.newValue])).toEqual([
        [ticket.id, 'state', 'new'],
        [ticket.id, 'state', 'in_progress'],
      ]);
    });

    it('applies an update once per idempotency key', async () => {
      const ticket = await create('idem-update@example.com');
      const change = {
        ticket: { ...ticket, description: 'more', version: 2 },
        expectedVersion: 1,
        audit: [],
        idempotencyKey: 'mail-42',
      };
      const first = await store.update(change);
      const second = await store.update({ ...change, ticket: { ...change.ticket, description: 'again' } });

      expect(first.applied).toBe(true);
      expect(second).toMatchObject({ applied: false, ticket: { description: 'more', version: 2 } });
    });

    it('lists by requester newest or oldest first, in pages that continue without repeats', async () => {
      const mine = [];
      for (let i = 0; i < 5; i++) mine.push(await create('lister@example.com'));
      const first = await store.list({ by: 'requester', email: 'lister@example.com' }, { limit: 2 });
      const rest = await store.list(
        { by: 'requester', email: 'lister@example.com' },
        { limit: 10, ...(first.cursor ? { cursor: first.cursor } : {}) },
      );
      const oldest = await store.list(
        { by: 'requester', email: 'lister@example.com' },
        { limit: 10, oldestFirst: true },
      );

      expect(first.cursor).toBeDefined();
      expect([...first.items, ...rest.items].map((t) => t.id)).toEqual(mine.map((t) => t.id).reverse());
      expect(rest.cursor).toBeUndefined();
      expect(oldest.items.map((t) => t.id)).toEqual(mine.map((t) => t.id));
    });

    it('lists queues, unassigned work and an assignee’s work, filtered by priority on request', async () => {
      const queued = await create('queue@example.com', { assignmentGroup: 'contract-desk', priority: 2 });
      const low = await create('queue@example.com', { assignmentGroup: 'contract-desk' });
      const taken = await edit(low, {
        assignee: { id: 'x', email: 'xena@example.com' },
        state: 'in_progress',
      });

      const queue = await store.list({ by: 'queue', group: 'contract-desk', state: 'new' }, { limit: 10 });
      const unassigned = await store.list({ by: 'unassigned', group: 'contract-desk' }, { limit: 10 });
      const assigned = await store.list({ by: 'assignee', email: 'xena@example.com' }, { limit: 10 });
      const urgent = await store.list(
        { by: 'queue', group: 'contract-desk', state: 'new' },
        { limit: 10, priority: 2 },
      );

      expect(queue.items.map((t) => t.id)).toEqual([queued.id]);
      expect(unassigned.items.map((t) => t.id)).toEqual([queued.id]);
      expect(assigned.items).toEqual([taken]);
      expect(urgent.items.map((t) => t.id)).toEqual([queued.id]);
    });

    it('filters a list by assignee and state within it', async () => {
      const mine = await create('filter@example.com', { assignmentGroup: 'contract-filter' });
      const theirs = await create('filter@example.com', { assignmentGroup: 'contract-filter' });
      const assigned = await edit(mine, { assignee: { id: 'y', email: 'yan@example.com' } });
      await edit(theirs, { assignee: { id: 'z', email: 'zoe@example.com' } });
      const working = await edit(assigned, { state: 'in_progress' });

      const byAssignee = await store.list(
        { by: 'queue', group: 'contract-filter', state: 'new' },
        { limit: 10, assignee: 'zoe@example.com' },
      );
      const yanWorking = await store.list(
        { by: 'assignee', email: 'yan@example.com' },
        { limit: 10, state: 'in_progress' },
      );
      const yanNew = await store.list(
        { by: 'assignee', email: 'yan@example.com' },
        { limit: 10, state: 'new' },
      );

      expect(byAssignee.items.map((t) => t.id)).toEqual([theirs.id]);
      expect(yanWorking.items).toEqual([working]);
      expect(yanNew.items).toEqual([]);
    });

    it('writes changes of several tickets together or not at all', async () => {
      const one = await create('together@example.com');
      const two = await create('together@example.com');
      const change = (ticket: Ticket, expectedVersion: number) => ({
        ticket: { ...ticket, urgency: 1 as const, version: ticket.version + 1 },
        expectedVersion,
        audit: [],
      });

      const stale = await store.updateTogether([change(one, 1), change(two, 7)]).catch((e: unknown) => e);
      const untouched = await store.get(one.id);
      const both = await store.updateTogether([change(one, 1), change(two, 1)]);

      expect((stale as Error).name).toBe('ConflictError');
      expect((stale as { current: Ticket }).current).toMatchObject({ id: two.id, version: 1 });
      expect(untouched?.ticket.version).toBe(1);
      expect(both.map((t) => [t.id, t.version])).toEqual([
        [one.id, 2],
        [two.id, 2],
      ]);
    });

    it('keeps a parent’s children in step with their parentId', async () => {
      const parent = await create('parent@example.com');
      const other = await create('parent@example.com');
      const child = await create('child@example.com', { parentId: parent.id });
      const listed = (await store.get(parent.id))?.children;
      await edit(child, { parentId: other.id });

      expect(listed).toEqual([{ id: child.id, number: child.number }]);
      expect((await store.get(parent.id))?.children).toEqual([]);
      expect((await store.get(other.id))?.children.map((c) => c.id)).toEqual([child.id]);
    });

    it('finds resolved tickets due for auto-close, and forgets them when they reopen', async () => {
      const ticket = await create('autoclose@example.com');
      const resolved = await edit(ticket, { state: 'resolved' }, { autoCloseAt: '2026-12-10T00:00:00.000Z' });
      const due = await store.dueForAutoClose('2026-12-11T00:00:00.000Z', 100);
      const early = await store.dueForAutoClose('2026-12-09T00:00:00.000Z', 100);
      await edit(resolved, { state: 'in_progress' });

      expect(due.map((t) => t.id)).toContain(ticket.id);
      expect(early.map((t) => t.id)).not.toContain(ticket.id);
      expect((await store.dueForAutoClose('2026-12-11T00:00:00.000Z', 100)).map((t) => t.id)).not.toContain(
        ticket.id,
      );
    });
  });
}

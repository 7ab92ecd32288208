import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '#core/identity/actor.ts';
import { allowedTransitions } from '#core/ticket/lifecycle.ts';
import { TicketState } from '#core/ticket/ticket.ts';
import {
  addArticle,
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import { memoryTicketStore } from '../support/memory-ticket-store.ts';

const caller: Actor = { id: 'c', email: 'caller@example.com', groups: [] };
const agent: Actor = { id: 'a', email: 'agent@example.com', groups: ['agents'] };

const step = fc.oneof(
  fc.record({
    kind: fc.constant('update' as const),
    by: fc.constantFrom(caller, agent),
    state: fc.constantFrom(...TicketState.options),
    holdReason: fc.option(fc.constantFrom('awaiting_caller', 'awaiting_change', 'awaiting_vendor' as const), {
      nil: undefined,
    }),
    resolve: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('reply' as const),
    by: fc.constantFrom(caller, agent),
    days: fc.integer({ min: 0, max: 10 }),
  }),
);

describe('the ticket lifecycle under any sequence of API calls', () => {
  it('never reaches a state the lifecycle forbids, nor one without the fields it requires', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        let now = Date.UTC(2026, 0, 1);
        let n = 0;
        const tickets = memoryTicketStore();
        const deps: TicketDeps = {
          tickets,
          clock: { now: () => new Date(now) },
          ids: { next: () => `id${++n}` },
          events: { publish: async () => undefined },
          groups: { groupsOf: async () => [], existingGroups: async (ids) => new Set(ids) },
          routing: { route: async () => ({}) },
          settings: defaultTicketSettings,
        };
        const { ticket } = await openTicket(
          deps,
          caller,
          { shortDescription: 'prop' },
          { channel: 'portal' },
        );
        let previous = ticket.state;
        for (const s of steps) {
          const { version } = (await viewTicket(deps, agent, ticket.id)).ticket;
          try {
            if (s.kind === 'update') {
              await updateTicket(deps, s.by, ticket.id, {
                version,
                state: s.state,
                ...(s.holdReason ? { holdReason: s.holdReason } : {}),
                ...(s.resolve ? { resolutionCode: 'solved', resolutionNotes: 'done' } : {}),
              });
            } else {
              now += s.days * 24 * 3600 * 1000;
              await addArticle(deps, s.by, ticket.id, { body: 'hello' });
            }
          } catch (error) {
            expect(['ValidationError', 'ForbiddenError']).toContain((error as Error).name);
          }
          const current = (await viewTicket(deps, agent, ticket.id)).ticket;
          expect(current.state === previous || allowedTransitions[previous].includes(current.state)).toBe(
            true,
          );
          if (current.state === 'resolved') expect(current.resolution).toBeDefined();
          if (current.state === 'on_hold') expect(current.holdReason).toBeDefined();
          if (current.state !== 'on_hold') expect(current.holdReason).toBeUndefined();
          if (current.state === 'closed' || current.state === 'cancelled')
            expect(current.closedAt).toBeDefined();
          previous = current.state;
        }
        const states = tickets.audit.filter((a) => a.field === 'state').map((a) => a.newValue);
        expect(states[0]).toBe('new');
      }),
      { numRuns: 300 },
    );
  });
});

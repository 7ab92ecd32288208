import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeLifecycles } from '#core/change/lifecycle.ts';
import type { Actor } from '#core/identity/actor.ts';
import { problemLifecycle } from '#core/problem/problem.ts';
import {
  allowedMoves,
  isFinalState,
  type LifecycleTable,
  reachableStates,
  requiredFields,
} from '#core/record/lifecycle.ts';
import { releaseLifecycle } from '#core/release/release.ts';
import { ticketLifecycle } from '#core/ticket/lifecycle.ts';
import {
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { memoryTicketStore } from '../support/memory-ticket-store.ts';

const tables: Record<string, LifecycleTable<string, string>> = {
  ticket: ticketLifecycle,
  'standard change': changeLifecycles.standard,
  'normal change': changeLifecycles.normal,
  'emergency change': changeLifecycles.emergency,
  problem: problemLifecycle,
  release: releaseLifecycle,
};

/** States a type never reaches by design: a standard change is pre-approved (no assessment, no CAB). */
const unreachableByDesign: Record<string, readonly string[]> = {
  'standard change': ['assess', 'authorize', 'rejected'],
};

describe('every lifecycle table', () => {
  for (const [name, table] of Object.entries(tables)) {
    it(`${name}: reaches every state it declares, and from each of them a final one`, () => {
      const reachable = reachableStates(table);
      const expected = table.states.filter((s) => !(unreachableByDesign[name] ?? []).includes(s));

      expect([...reachable].sort()).toEqual([...expected].sort());
      for (const state of reachable) {
        const onward = reachableStates({ ...table, initial: state });
        expect(
          [...onward].some((s) => isFinalState(table, s)),
          `${name}: ${state} leads to an end`,
        ).toBe(true);
      }
      for (const move of table.moves) {
        expect(table.states).toContain(move.to);
        expect(move.roles.every((role) => table.roles.includes(role))).toBe(true);
      }
    });
  }
});

const agent: Actor = { id: 'a', email: 'agent@example.com', groups: ['agents'] };
const caller: Actor = { id: 'c', email: 'caller@example.com', groups: [] };
/** What a move's required fields are filled with. */
const fill: Record<string, unknown> = {
  holdReason: 'awaiting_vendor',
  resolutionCode: 'solved',
  resolutionNotes: 'Replaced the cable',
};

describe('tickets moved along their lifecycle table by the service', () => {
  it('announce and audit every move, whatever path the agents take', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 20 }), async (picks) => {
        let n = 0;
        const events: DomainEvent[] = [];
        const store = memoryTicketStore();
        const deps: TicketDeps = {
          tickets: store,
          clock: { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, n)) },
          ids: { next: () => `id${++n}` },
          events: { publish: async (published) => void events.push(...published) },
          groups: { groupsOf: async () => [], existingGroups: async (ids) => new Set(ids) },
          routing: { route: async () => ({}) },
          settings: defaultTicketSettings,
        };
        let { ticket } = await openTicket(deps, caller, { shortDescription: 'prop' }, { channel: 'portal' });
        const moves: [string, string][] = [];
        for (const pick of picks) {
          const next = allowedMoves(ticketLifecycle, ticket.state, 'agent');
          const to = next[pick % Math.max(next.length, 1)];
          if (!to) break;
          const fields = Object.fromEntries(
            requiredFields(ticketLifecycle, ticket.state, to).map((f) => [f, fill[f]]),
          );
          moves.push([ticket.state, to]);
          ticket = await updateTicket(deps, agent, ticket.id, {
            version: ticket.version,
            state: to,
            ...fields,
          });
        }

        const audited = store.audit.filter((e) => e.field === 'state' && e.oldValue !== undefined);
        const announced = events
          .filter((e) => e.type === 'ticket.updated')
          .flatMap((e) => e.detail.changes as { field: string; oldValue: unknown; newValue: unknown }[])
          .filter((c) => c.field === 'state');
        expect(audited.map((e) => [e.oldValue, e.newValue])).toEqual(moves);
        expect(announced.map((c) => [c.oldValue, c.newValue])).toEqual(moves);
      }),
      { numRuns: 150 },
    );
  });
});

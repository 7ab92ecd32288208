import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyMove,
  diffProblems,
  nextProblemStates,
  type Problem,
  type ProblemRole,
  ProblemState,
  problemLifecycle,
} from '#core/problem/problem.ts';
import { updatedEvent } from '#core/record/audit.ts';
import { allowedMoves, reachableStates, requiredFields } from '#core/record/lifecycle.ts';

const start: Problem = {
  id: 'p1',
  number: 'PRB0001001',
  shortDescription: 'VPN drops every hour',
  description: '',
  services: ['VPN'],
  configurationItems: [],
  state: 'new',
  impact: 2,
  urgency: 2,
  priority: 3,
  workaroundPublished: false,
  watchers: [],
  openedBy: { id: 'a', email: 'alex@example.com' },
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  version: 1,
};
const actor = { id: 'a', email: 'alex@example.com' };

const step = fc.record({
  to: fc.constantFrom(...ProblemState.options),
  /** Most steps take one of the moves the table offers, so walks get deep; the rest try anything. */
  offered: fc.option(fc.nat(), { freq: 5, nil: undefined }),
  role: fc.constantFrom<ProblemRole>('worker', 'manager', 'system'),
  rootCause: fc.option(fc.constant('A leaking session table'), { nil: undefined }),
  fix: fc.option(fc.constant('Patch the concentrator'), { nil: undefined }),
  cancelReason: fc.option(fc.constant('Duplicate of PRB0001000'), { nil: undefined }),
});

describe('the problem lifecycle table', () => {
  it('reaches every state from new, and only closed and cancelled are final', () => {
    expect([...reachableStates(problemLifecycle)].sort()).toEqual([...ProblemState.options].sort());
    const finals = ProblemState.options.filter((s) =>
      problemLifecycle.roles.every((r) => allowedMoves(problemLifecycle, s, r).length === 0),
    );
    expect(finals.sort()).toEqual(['cancelled', 'closed']);
  });

  it('requires a root cause and a fix to resolve, for every role that may resolve', () => {
    for (const from of ['root_cause_analysis', 'fix_in_progress'] as const)
      expect(requiredFields(problemLifecycle, from, 'resolved')).toEqual(['rootCause', 'fix']);
    expect(() =>
      applyMove(
        { ...start, state: 'fix_in_progress', rootCause: 'x' },
        { to: 'resolved' },
        'system',
        start.createdAt,
      ),
    ).toThrow(/fix/);
  });

  it('under any sequence of moves: only the table’s moves happen, each with its fields, each audited and announced', () => {
    const everSeen = new Set<ProblemState>();
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let current = start;
        const seen = new Set<ProblemState>([current.state]);
        for (const [i, drawn] of steps.entries()) {
          const offers = nextProblemStates(current.state, drawn.role);
          const s =
            drawn.offered === undefined || offers.length === 0
              ? drawn
              : { ...drawn, to: offers[drawn.offered % offers.length] as ProblemState };
          const at = new Date(Date.parse(start.createdAt) + (i + 1) * 60_000).toISOString();
          const allowed = nextProblemStates(current.state, s.role).includes(s.to);
          let next: Problem;
          try {
            next = applyMove(current, s, s.role, at);
          } catch {
            const filled = { ...current, ...s };
            const complete = requiredFields(problemLifecycle, current.state, s.to).every(
              (f) => filled[f as keyof typeof filled],
            );
            expect(allowed && complete).toBe(false);
            continue;
          }
          expect(allowed).toBe(true);
          for (const field of requiredFields(problemLifecycle, current.state, s.to))
            expect(next[field as keyof Problem], field).toBeTruthy();
          const audit = diffProblems(current, next, { actor, at });
          expect(audit.filter((e) => e.field === 'state')).toEqual([
            expect.objectContaining({ oldValue: current.state, newValue: s.to }),
          ]);
          const events = updatedEvent('problem.updated', { problemId: next.id }, audit, {
            ids: { next: () => `e${i}` },
            at,
          });
          expect(events).toHaveLength(1);
          expect(JSON.stringify(events[0]?.detail)).toContain(`"newValue":"${s.to}"`);
          seen.add(s.to);
          everSeen.add(s.to);
          current = { ...next, version: current.version + 1 };
        }
        expect(seen.has(current.state)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect([...everSeen].sort()).toEqual(ProblemState.options.filter((x) => x !== 'new').sort());
  });
});

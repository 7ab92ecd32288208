import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyReleaseMove, GoNoGoStatus, type Release, ReleaseStage } from '#core/release/release.ts';
import { ValidationError } from '#core/shared/errors.ts';

/**
 * The release lifecycle's guard, for any sequence of moves and go/no-go outcomes: a release
 * reaches deploy only with an approved go, a refused move names its field, and going back
 * before test always asks for a fresh decision.
 */
const at = '2026-12-01T09:00:00.000Z';
const start: Release = {
  id: 'r1',
  number: 'RLS0001001',
  name: 'A release',
  description: '',
  plannedStart: at,
  plannedEnd: '2026-12-02T09:00:00.000Z',
  services: [],
  stage: 'plan',
  manager: { id: 'm', email: 'm@example.com' },
  goNoGo: { status: 'not_requested', attempt: 0 },
  createdAt: at,
  updatedAt: at,
  version: 1,
};

const step = fc.record({
  to: fc.constantFrom(...ReleaseStage.options),
  goNoGo: fc.constantFrom(...GoNoGoStatus.options),
  withFields: fc.boolean(),
});

describe('the release lifecycle', () => {
  it('never deploys without an approved go, and names the field of every refusal', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let release = start;
        for (const { to, goNoGo, withFields } of steps) {
          const before: Release = { ...release, goNoGo: { ...release.goNoGo, status: goNoGo } };
          try {
            release = applyReleaseMove(
              before,
              { to, ...(withFields ? { cancelReason: 'why', closeNotes: 'done' } : {}) },
              'manager',
            );
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).fields.length).toBeGreaterThan(0);
            release = before;
            continue;
          }
          if (release.stage === 'deploy' && before.stage !== 'deploy') expect(goNoGo).toBe('approved');
          if ((to === 'build' || to === 'plan') && goNoGo !== 'not_requested')
            expect(release.goNoGo.status).toBe('not_requested');
        }
      }),
    );
  });
});

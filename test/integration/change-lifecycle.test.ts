import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoChangeStore } from '#adapters/dynamodb/change-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { defaultApprovalSettings } from '#core/change/approval.ts';
import { finishApproval } from '#core/change/approval-service.ts';
import { ChangeState } from '#core/change/change.ts';
import {
  type ChangeDeps,
  changeHistory,
  createChange,
  moveChange,
  updateChange,
} from '#core/change/change-service.ts';
import { allowedNext, canMove, isFinalChange } from '#core/change/lifecycle.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';
import { createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { ChangeWorkflow } from '#ports/change-workflow.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * The change lifecycle as a property: whatever sequence of moves people ask for and verdicts
 * the workflow returns, against DynamoDB Local, a stored change only ever takes a transition
 * the lifecycle allows, and its audit trail records each one. The approval workflow itself is
 * exercised in change-approval.test.ts; here its start and stop are recorded, and its
 * verdicts come from the property's commands.
 */
const agent: Actor = { id: 'u-alex', email: 'alex.agent@example.com', groups: ['agents'] };
const admin: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
let deps: ChangeDeps;
const started: string[] = [];
const stopped: string[] = [];
const published: DomainEvent[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  const groupStore = new DynamoGroupStore({ client: tables.documents, domainTable: tables.domainTable });
  await createGroup({ groups: groupStore, clock: { now: () => new Date() } }, admin, {
    id: 'workplace',
    name: 'Workplace',
  });
  const workflow: ChangeWorkflow = {
    start: async ({ changeId }) => {
      started.push(changeId);
      return { executionId: `exec-${changeId}-${started.length}` };
    },
    stop: async (executionId) => {
      stopped.push(executionId);
    },
    answer: async () => undefined,
  };
  deps = {
    changes: new DynamoChangeStore(tables.documents, tables.domainTable, tables.idempotencyTable),
    events: {
      publish: async (events) => {
        published.push(...events);
      },
    },
    workflow,
    groupStore,
    groups: groupStore,
    clock: { now: () => new Date() },
    ids: ulids,
    settings: { questionnaire: defaultRiskQuestionnaire, approval: defaultApprovalSettings },
  };
});

const answers = Object.fromEntries(
  defaultRiskQuestionnaire.questions.map((q) => [q.id, q.options[1]?.id as string]),
);

type Command =
  | { kind: 'move'; to: ChangeState; reason: boolean; close: boolean }
  /** A move the lifecycle offers from wherever the change is (the `pick`-th of them), so runs get deep. */
  | { kind: 'advance'; pick: number }
  | { kind: 'verdict'; outcome: 'approved' | 'rejected' | 'expired' }
  | { kind: 'edit' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), pick: fc.nat(5) }), weight: 3 },
  fc.record({
    kind: fc.constant('move' as const),
    to: fc.constantFrom(...ChangeState.options),
    reason: fc.boolean(),
    close: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('verdict' as const),
    outcome: fc.constantFrom('approved' as const, 'rejected' as const, 'expired' as const),
  }),
  fc.record({ kind: fc.constant('edit' as const) }),
);

describe('change lifecycle (property)', () => {
  it('reaches no state the lifecycle forbids, whatever is asked, and audits every move', async () => {
    let day = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('standard' as const, 'normal' as const, 'emergency' as const),
        fc.array(command, { minLength: 1, maxLength: 12 }),
        async (type, commands) => {
          day += 1;
          const start = new Date(Date.UTC(2030, 0, 1) + day * 86_400_000);
          let change = await createChange(deps, agent, {
            type,
            ...(type === 'standard'
              ? { templateId: 'none' }
              : {
                  shortDescription: 'Property change',
                  justification: 'j',
                  implementationPlan: 'i',
                  backoutPlan: 'b',
                  testPlan: 't',
                  assignmentGroup: 'workplace',
                  ...(type === 'normal' ? { riskAnswers: answers } : {}),
                }),
            plannedStart: start.toISOString(),
            plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
          }).catch(async (error: Error) => {
            // A standard change needs an existing template: the property's first check.
            expect(type).toBe('standard');
            expect(error.name).toBe('ValidationError');
            await deps.changes.putTemplate({
              id: 'none',
              name: 'Property template',
              shortDescription: 'From a template',
              justification: 'j',
              implementationPlan: 'i',
              backoutPlan: 'b',
              testPlan: 't',
              assignmentGroup: 'workplace',
              services: [],
              configurationItems: [],
              createdAt: new Date().toISOString(),
            });
            return createChange(deps, agent, {
              type,
              templateId: 'none',
              plannedStart: start.toISOString(),
              plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
            });
          });
          const seen = [change.state];
          for (const step of commands) {
            const before = change;
            try {
              if (step.kind === 'advance') {
                const options = allowedNext(change.type, change.state, 'person');
                const to = options[step.pick % Math.max(1, options.length)];
                if (to)
                  change = await moveChange(deps, agent, change.id, {
                    version: change.version,
                    to,
                    reason: 'because',
                    closeCode: 'successful',
                    closeNotes: 'done',
                  });
              } else if (step.kind === 'move')
                change = await moveChange(deps, agent, change.id, {
                  version: change.version,
                  to: step.to,
                  ...(step.reason ? { reason: 'because' } : {}),
                  ...(step.close ? { closeCode: 'successful' as const, closeNotes: 'done' } : {}),
                });
              else if (step.kind === 'verdict')
                change = (await finishApproval(deps, change.id, step.outcome)) ?? change;
              else
                change = await updateChange(deps, agent, change.id, {
                  version: change.version,
                  description: `edit ${day}`,
                });
            } catch (error) {
              expect(['ValidationError', 'ConflictError']).toContain((error as Error).name);
            }
            const stored = await deps.changes.get(change.id);
            if (!stored) throw new Error('The change vanished');
            change = stored;
            if (stored.state !== before.state) {
              const mover = step.kind === 'verdict' ? 'workflow' : 'person';
              expect(
                canMove(before.type, before.state, stored.state, mover),
                `${before.state} → ${stored.state} by ${mover}`,
              ).toBe(true);
              expect(isFinalChange(before.state)).toBe(false);
              seen.push(stored.state);
            }
            if (stored.state === 'authorize') expect(stored.approval.status).toBe('pending');
            if (stored.state === 'scheduled' && type !== 'standard')
              expect(stored.approval.status).toBe('approved');
          }
          const history = await changeHistory(deps, agent, change.id);
          const audited = history.items.filter((e) => e.field === 'state').map((e) => e.newValue);
          expect(audited).toEqual(seen);
          // Every stored move was announced on the bus, in order.
          const announced = published
            .filter((e) => e.detail.changeId === change.id)
            .flatMap((e) =>
              e.type === 'change.created'
                ? ['new']
                : (e.detail.changes as { field: string; newValue: unknown }[])
                    .filter((c) => c.field === 'state')
                    .map((c) => c.newValue),
            );
          expect(announced).toEqual(seen);
        },
      ),
      { numRuns: 40 },
    );
    // The runs went deep enough to submit changes for approval.
    expect(started.length).toBeGreaterThan(0);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDeadLetterQueues } from '#local/dead-letter-queues.ts';
import { createEventRouter } from '#local/event-router.ts';
import { readEventFixtures } from '#local/events-replay.ts';
import { type LocalTemplate, loadLocalTemplate } from '#local/local-template.ts';

/**
 * The synthesized template's event rules on the local bus, without a cloud: which rule each
 * recorded fixture reaches through its real pattern, that a wrong pattern leaves it unmatched,
 * and that a target that keeps failing puts the event, body unchanged, in its dead-letter queue.
 */
let template: LocalTemplate;
let dir: string;
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'events');

beforeAll(async () => {
  template = await loadLocalTemplate();
  dir = await mkdtemp(join(tmpdir(), 'spoke-rules-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const entryOf = (functionId: string) => template.functions[functionId]?.entry;

describe('the template’s event rules on the local bus', () => {
  it('reads every pattern rule with its bus and targets', () => {
    const domainRules = template.eventRules.filter((rule) => rule.eventBus !== 'default');

    expect(template.eventRules.length).toBeGreaterThan(3);
    expect(template.eventBuses).toHaveLength(1);
    expect(domainRules.every((rule) => rule.eventBus === template.eventBuses[0])).toBe(true);
    expect(template.eventRules.every((rule) => rule.targets.length > 0)).toBe(true);
  });

  it('routes each AWS Config fixture by the synthesized pattern to the discovery handler, and a wrong pattern to nothing', async () => {
    const events = await readEventFixtures([join(fixtures, 'config')]);
    const invoked: string[] = [];
    const router = createEventRouter({
      rules: template.eventRules,
      functions: template.functions,
      invoke: async (functionId) => {
        invoked.push(entryOf(functionId) ?? functionId);
      },
      deadLetters: localDeadLetterQueues(dir),
    });
    const wrong = createEventRouter({
      rules: template.eventRules.map((rule) => ({
        ...rule,
        pattern: JSON.parse(
          JSON.stringify(rule.pattern).replace('Config Configuration Item Change', 'Config Item Change'),
        ) as Record<string, unknown>,
      })),
      functions: template.functions,
      invoke: async () => undefined,
      deadLetters: localDeadLetterQueues(dir),
    });

    const results = await Promise.all(events.map((f) => router.put(f.event)));
    const wrongResults = await Promise.all(events.map((f) => wrong.put(f.event)));

    expect(events.length).toBe(6);
    expect(results.every((r) => r.matchedRules.length === 1)).toBe(true);
    expect(new Set(invoked)).toEqual(new Set(['functions/handlers/cmdb-discovery.ts']));
    expect(wrongResults.every((r) => r.matchedRules.length === 0)).toBe(true);
    // AWS service events are on the default bus: the same event on the domain bus reaches no rule.
    expect((await router.put(events[0]?.event ?? {}, { bus: template.eventBuses[0] })).matchedRules).toEqual(
      [],
    );
  });

  it('retries a failing target as asynchronous invocation does, then keeps the event in the function’s dead-letter queue', async () => {
    const [fixture] = await readEventFixtures([join(fixtures, 'config', 'broken.json')]);
    const queues = localDeadLetterQueues(join(dir, 'queues'));
    let calls = 0;
    const router = createEventRouter({
      rules: template.eventRules,
      functions: template.functions,
      invoke: async () => {
        calls++;
        throw new Error('detail does not parse');
      },
      deadLetters: queues,
    });

    const result = await router.put(fixture?.event ?? {});
    const [delivery] = result.deliveries;
    const kept = await queues.list(delivery?.deadLetterQueue ?? 'none');

    expect(calls).toBe(3);
    expect(delivery).toMatchObject({ outcome: 'dead-lettered', attempts: 3, error: 'detail does not parse' });
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0]?.body ?? '{}')).toEqual(fixture?.event);
    expect(kept[0]?.attributes.ErrorMessage).toBe('detail does not parse');
  });
});

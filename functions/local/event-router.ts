import { randomUUID } from 'node:crypto';
import type { LocalDeadLetterQueues } from './dead-letter-queues.ts';
import { compileEventPattern } from './event-pattern.ts';
import type { TemplateEventRule, TemplateFunction } from './local-template.ts';

/**
 * The local EventBridge's routing: an event put on a bus goes to every rule of that bus whose
 * pattern matches it (`event-pattern.ts`), and each rule's function targets are invoked as
 * EventBridge invokes them, asynchronously: a failure is retried the function's
 * `retryAttempts`, then the event goes, body unchanged, to the function's dead-letter queue
 * (or the target's, where the function has none). Nothing that matched is lost without a trace.
 */

export interface RuleDelivery {
  readonly rule: string;
  readonly functionId: string;
  readonly outcome: 'delivered' | 'dead-lettered' | 'failed';
  readonly attempts: number;
  readonly result?: unknown;
  readonly error?: string;
  readonly deadLetterQueue?: string;
}

export interface PutEventResult {
  readonly eventId: string;
  /** The rules whose pattern matched, by logical id. */
  readonly matchedRules: readonly string[];
  readonly deliveries: readonly RuleDelivery[];
}

export interface EventRouterOptions {
  readonly rules: readonly TemplateEventRule[];
  readonly functions: Readonly<Record<string, TemplateFunction>>;
  readonly invoke: (functionId: string, event: unknown) => Promise<unknown>;
  readonly deadLetters: LocalDeadLetterQueues;
}

export interface PutOptions {
  /** @default 'default' (the account's default bus, where AWS services send) */
  readonly bus?: string;
  /** Retry failures as asynchronous invocation does. @default true */
  readonly retry?: boolean;
}

export interface EventRouter {
  put(event: Record<string, unknown>, options?: PutOptions): Promise<PutEventResult>;
  /** The rules on a bus. */
  rulesOn(bus: string): readonly TemplateEventRule[];
}

export function createEventRouter(options: EventRouterOptions): EventRouter {
  const compiled = options.rules.map((rule) => ({ rule, matches: compileEventPattern(rule.pattern) }));

  const deliver = async (
    rule: TemplateEventRule,
    target: TemplateEventRule['targets'][number],
    event: Record<string, unknown>,
    retry: boolean,
  ): Promise<RuleDelivery> => {
    const fn = options.functions[target.functionId];
    const attempts = 1 + (retry ? (fn?.retryAttempts ?? 2) : 0);
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const result = await options.invoke(target.functionId, event);
        return {
          rule: rule.logicalId,
          functionId: target.functionId,
          outcome: 'delivered',
          attempts: attempt,
          result,
        };
      } catch (error) {
        lastError = error as Error;
      }
    }
    const base = {
      rule: rule.logicalId,
      functionId: target.functionId,
      attempts,
      error: lastError?.message ?? '',
    };
    const queue = fn?.deadLetterQueue ?? target.deadLetterQueue;
    if (!queue) {
      console.error(
        `[events] ${rule.logicalId} → ${target.functionId} failed and has no dead-letter queue: ${base.error}`,
      );
      return { ...base, outcome: 'failed' };
    }
    await options.deadLetters.send(queue, JSON.stringify(event), {
      ErrorMessage: base.error,
      RequestID: randomUUID(),
      Rule: rule.logicalId,
    });
    return { ...base, outcome: 'dead-lettered', deadLetterQueue: queue };
  };

  return {
    rulesOn: (bus) => options.rules.filter((rule) => rule.eventBus === bus),
    async put(event, { bus = 'default', retry = true } = {}) {
      const matched = compiled.filter(({ rule, matches }) => rule.eventBus === bus && matches(event));
      const deliveries: RuleDelivery[] = [];
      for (const { rule } of matched)
        for (const target of rule.targets) deliveries.push(await deliver(rule, target, event, retry));
      return {
        eventId: String(event.id ?? ''),
        matchedRules: matched.map(({ rule }) => rule.logicalId),
        deliveries,
      };
    },
  };
}

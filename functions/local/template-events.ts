import { compileEventPattern } from './event-pattern.ts';
import type { TemplateEventRule, TemplateEventTarget, TemplateFunction } from './local-template.ts';

/**
 * The EventBridge half of `template-synth.ts`: the template's pattern rules (their bus, their
 * pattern, checked by compiling it, and their targets) and each function's asynchronous
 * delivery settings (retries, dead-letter queue). Plain data for `local-template.ts`.
 */

type Properties = Record<string, unknown>;
type OfType = (type: string) => [string, { Type: string; Properties: Properties }][];

export interface TemplateReaders {
  readonly ofType: OfType;
  readonly resolve: (value: unknown) => unknown;
  readonly functionOf?: (arn: unknown, what: string) => string;
}

/** A queue's local name: the last part of its (local) ARN, i.e. its logical id. */
const queueName = (arn: unknown, resolve: (value: unknown) => unknown): string | undefined =>
  arn === undefined ? undefined : String(resolve(arn)).split(':').at(-1);

/** A function's retries and dead-letter queue for asynchronous invocations (EventBridge, S3). */
export function asyncDelivery(
  logicalId: string,
  props: Properties,
  { ofType, resolve }: TemplateReaders,
): Pick<TemplateFunction, 'retryAttempts' | 'deadLetterQueue'> {
  const invokeConfig = ofType('AWS::Lambda::EventInvokeConfig').find(
    ([, { Properties: p }]) => JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: logicalId }),
  )?.[1].Properties;
  const deadLetterQueue = queueName(
    (props.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn,
    resolve,
  );
  return {
    retryAttempts: Number(invokeConfig?.MaximumRetryAttempts ?? 2),
    ...(deadLetterQueue ? { deadLetterQueue } : {}),
  };
}

/**
 * The template's pattern rules. Each pattern is compiled here, so a pattern the local matcher
 * cannot follow stops the local cloud with the rule's name; a target that is not a function of
 * the template does too.
 */
export function readEventRules({ ofType, resolve, functionOf }: TemplateReaders): TemplateEventRule[] {
  if (!functionOf) throw new Error('readEventRules needs the template functions');
  return ofType('AWS::Events::Rule')
    .filter(([, { Properties: p }]) => p.EventPattern !== undefined)
    .map(([id, { Properties: p }]) => {
      const pattern = p.EventPattern as Record<string, unknown>;
      try {
        compileEventPattern(pattern);
      } catch (error) {
        throw new Error(`Event rule ${id}: ${(error as Error).message}`);
      }
      const targets: TemplateEventTarget[] = (
        p.Targets as { Arn: unknown; DeadLetterConfig?: { Arn?: unknown } }[]
      ).map((target) => {
        const deadLetterQueue = queueName(target.DeadLetterConfig?.Arn, resolve);
        return {
          functionId: functionOf(target.Arn, `Event rule ${id}`),
          ...(deadLetterQueue ? { deadLetterQueue } : {}),
        };
      });
      return {
        logicalId: id,
        eventBus: p.EventBusName === undefined ? 'default' : String(resolve(p.EventBusName)),
        pattern,
        targets,
        functionIds: targets.map((target) => target.functionId),
      };
    });
}

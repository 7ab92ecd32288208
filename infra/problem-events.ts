import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProblemEventsEnv } from '#config/env.ts';
import type { Data } from './data.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import type { ProblemSettingsEnv } from './settings.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface ProblemEventsProps {
  readonly data: Data;
  readonly events: Events;
  /** Problem managers, the fix policy and the suggestion threshold (account config `problems`). */
  readonly settings?: ProblemSettingsEnv;
  readonly logRetention: RetentionDays;
}

/**
 * Problem management follows the record events: a rule sends `ticket.created` (the incident
 * counters behind problem suggestions) and `change.updated` (a fixing change closed) to one
 * function, which may publish problem and ticket events in turn.
 */
export class ProblemEvents extends Construct {
  readonly handler: SpokeFunction<ProblemEventsEnv>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ProblemEventsProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the problem rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/problem-events.ts',
      description: 'Spoke problem management: incident counters and fixes by closed changes',
      environment: { ...props.data.environment, ...props.settings },
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    props.events.routeToFunction('ProblemRule', ['ticket.created', 'change.updated'], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
    props.events.grantPublish(this.handler);
  }
}

import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod';
import type { reportingEnv } from '#config/env.ts';
import { countedEvents } from '#core/reporting/mappings.ts';
import type { Data } from './data.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface ReportingProps {
  readonly data: Data;
  readonly events: Events;
  readonly logRetention: RetentionDays;
}

/**
 * Report counters (docs/reporting.md): a rule on the Spoke bus sends every counted record event
 * (`countedEvents`: the mappings decide) to one function, which adds it to the pre-aggregated
 * counters exactly once. An update that overtook its record's creation fails and comes again
 * with Lambda's retries; what still fails, and what EventBridge cannot deliver, lands in the
 * dead-letter queue, from which `npm run notifications:reprocess` (any function) runs it again —
 * a replay counts nothing twice.
 */
export class Reporting extends Construct {
  readonly handler: SpokeFunction<z.input<typeof reportingEnv>>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the reporting rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/reporting.ts',
      description: 'Spoke reporting: counts record events into the report counters',
      environment: props.data.environment,
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    props.events.routeToFunction('ReportingRule', [...countedEvents], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
  }
}

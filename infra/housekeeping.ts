import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type * as z from 'zod';
import type { dataEnv } from '#config/env.ts';
import type { Data } from './data.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface HousekeepingProps {
  readonly data: Data;
  readonly logRetention: RetentionDays;
  /** How often the housekeeping runs. @default 15 minutes */
  readonly every?: Duration;
}

/**
 * Ticket housekeeping on a timer: closes resolved tickets whose auto-close time has come
 * (`functions/handlers/ticket-housekeeping.ts`). A run that fails is retried by the rule;
 * the next run picks up whatever is still due, so a lost run delays and loses nothing.
 */
export class Housekeeping extends Construct {
  readonly handler: SpokeFunction<z.input<typeof dataEnv>>;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: HousekeepingProps) {
    super(scope, id);
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/ticket-housekeeping.ts',
      description: 'Spoke ticket housekeeping: auto-close resolved tickets',
      environment: props.data.environment,
      logRetention: props.logRetention,
      timeout: Duration.minutes(5),
      memorySize: 512,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs Spoke ticket housekeeping',
      schedule: Schedule.rate(props.every ?? Duration.minutes(15)),
      targets: [new LambdaFunction(this.handler, { retryAttempts: 2, maxEventAge: Duration.minutes(10) })],
    });
  }
}

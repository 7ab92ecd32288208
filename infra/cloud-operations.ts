import { Duration } from 'aws-cdk-lib';
import { type EventPattern, Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CloudOperationsEnv } from '#config/env.ts';
import type { CloudOperationsConfig } from './cloud-operations-config.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

/** The event patterns of the cloud-operations rules, as the rules and the tests read them. */
export const cloudOperationsPatterns = {
  alarms: {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    // INSUFFICIENT_DATA says nothing about the resource: it never reaches the function.
    detail: { state: { value: ['ALARM', 'OK'] } },
  },
  health: { source: ['aws.health'], detailType: ['AWS Health Event'] },
  cloudTrail: (eventNames: readonly string[]) => ({
    source: Match.prefix('aws.'),
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      readOnly: [false],
      ...(eventNames.length > 0 ? { eventName: [...eventNames] } : {}),
    },
  }),
};

export interface CloudOperationsProps {
  readonly data: Data;
  readonly events: Events;
  readonly config: CloudOperationsConfig;
  readonly mail: Pick<
    CloudOperationsEnv,
    'SUPPORT_ADDRESS' | 'MAIL_FROM' | 'PORTAL_URL' | 'MAIL_CONFIGURATION_SET'
  >;
  readonly cmdbManagerGroup: string;
  readonly logRetention: RetentionDays;
}

/**
 * Cloud operations (`docs/cloud-operations.md`): rules on the account's default bus — where
 * CloudWatch, AWS Health and CloudTrail send — for alarm state changes, Health events and (opt-in)
 * CloudTrail write calls, into one function that opens incidents on the CMDB's CIs. An event the
 * function refuses (an unknown shape) is retried twice, then kept with its body in the dead-letter
 * queue, which also takes the rules' own delivery failures.
 */
export class CloudOperations extends Construct {
  readonly handler: SpokeFunction<CloudOperationsEnv>;
  readonly deadLetters: Queue;
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: CloudOperationsProps) {
    super(scope, id);
    const { config } = props;
    this.deadLetters = deadLetterQueue(this, 'the cloud-operations function and its rules');
    const { enabled: _enabled, ...trail } = config.cloudTrail;
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/cloud-operations.ts',
      description: 'Spoke cloud operations: alarms, AWS Health and CloudTrail calls into incidents',
      environment: {
        ...props.data.environment,
        ...props.mail,
        CMDB_MANAGER_GROUP: props.cmdbManagerGroup,
        OPERATIONS_SETTINGS: JSON.stringify(config.incidents),
        TRAIL_SETTINGS: JSON.stringify(trail),
      },
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    this.handler.executionRole.addToPrincipalPolicy(
      sendMailAs(this, props.mail.MAIL_FROM, props.mail.MAIL_CONFIGURATION_SET),
    );
    props.events.grantPublish(this.handler);
    const target = () =>
      new LambdaFunction(this.handler, { retryAttempts: 2, deadLetterQueue: this.deadLetters });
    const rule = (ruleId: string, description: string, eventPattern: EventPattern) =>
      this.rules.push(new Rule(this, ruleId, { description, eventPattern, targets: [target()] }));
    if (config.alarms)
      rule(
        'AlarmStateChanges',
        'CloudWatch alarm state changes into Spoke incidents',
        cloudOperationsPatterns.alarms,
      );
    if (config.health)
      rule('HealthEvents', 'AWS Health events into Spoke incidents', cloudOperationsPatterns.health);
    // A tooling account's pipelines (and their events) cross to Spoke's bus: those accounts may
    // put events there, nothing else, and no other account may.
    if (config.trustedAccounts.length > 0)
      props.events.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'TrustedAccountsPutEvents',
          principals: config.trustedAccounts.map((account) => new AccountPrincipal(account)),
          actions: ['events:PutEvents'],
          resources: [props.events.bus.eventBusArn],
        }),
      );
    if (config.cloudTrail.enabled)
      rule(
        'CloudTrailCalls',
        'CloudTrail write calls checked against the changes in implement',
        cloudOperationsPatterns.cloudTrail(config.cloudTrail.eventNames),
      );
  }
}

import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceStatusEnv } from '#config/env.ts';
import type { Data } from './data.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface ServiceStatusProps {
  readonly data: Data;
  readonly events: Events;
  /** The CMDB managers and how far an incident on a CI reaches services (account config `cmdb`). */
  readonly settings: Pick<ServiceStatusEnv, 'CMDB_MANAGER_GROUP' | 'CMDB_STATUS_DEPTH'>;
  readonly logRetention: RetentionDays;
}

/**
 * The status page follows the incidents: a rule sends `ticket.created`, `ticket.updated` and
 * `record.linked` to one function, which rewrites the status items of the business services an
 * incident touches and publishes `service.status_changed`.
 */
export class ServiceStatus extends Construct {
  readonly handler: SpokeFunction<ServiceStatusEnv>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ServiceStatusProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the service status rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/service-status.ts',
      description: 'Spoke service status: business service health from their open major incidents',
      environment: { ...props.data.environment, ...props.settings },
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    props.events.routeToFunction(
      'ServiceStatusRule',
      ['ticket.created', 'ticket.updated', 'record.linked'],
      this.handler,
      { deadLetterQueue: this.deadLetters },
    );
    props.events.grantPublish(this.handler);
  }
}

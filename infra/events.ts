import { Duration, Stack } from 'aws-cdk-lib';
import { type Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface EventsProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  /** How long the archive keeps every event, for replay after a consumer's bug. @default 30 days */
  readonly archiveRetention?: Duration;
}

/**
 * The Spoke event bus: domain events (`docs/events.md`) leave the functions here, and
 * notifications, SLA timers and integrations subscribe with rules. A custom bus keeps Spoke's
 * events apart from the account's default bus; the archive lets a fixed consumer replay what
 * it missed. Publishing is granted per function, on this bus only.
 */
export class Events extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `${props.prefix}-events`,
      description: 'Spoke domain events: ticket.created, ticket.updated, article.added, mail.quarantined',
    });
    this.archive = this.bus.archive('Archive', {
      archiveName: `${props.prefix}-events`,
      description: 'Every Spoke domain event, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(30),
    });
  }

  /**
   * Sends events of the given detail types to a function, asynchronously, with retries and a
   * dead-letter queue: how the API hands work to a function that holds the needed permissions.
   */
  routeToFunction(
    id: string,
    detailTypes: readonly string[],
    handler: IFunction,
    options: { deadLetterQueue: IQueue },
  ): Rule {
    return new Rule(this, id, {
      eventBus: this.bus,
      eventPattern: { detailType: [...detailTypes] },
      targets: [new LambdaFunction(handler, { retryAttempts: 2, deadLetterQueue: options.deadLetterQueue })],
    });
  }

  /** Lets each grantee put events on this bus, and on no other. */
  grantPublish(...grantees: readonly IGrantable[]): this {
    for (const grantee of grantees) this.bus.grantPutEventsTo(grantee);
    return this;
  }
}

import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SlaTimers } from '#ports/sla-store.ts';

/** The Scheduler SDK, imported at first use: only the SLA function sets timers. */
const schedulerSdk = () => import('@aws-sdk/client-scheduler');

export interface SchedulerTimersOptions {
  /** The schedule group of the SLA timers (`spoke-<stage>-sla`). */
  readonly groupName: string;
  /** The SLA function the schedules invoke (known from the invocation's context: the function itself). */
  readonly targetArn: () => string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  readonly roleArn: string;
  /** Where a firing that still fails after the retries goes. */
  readonly deadLetterArn?: string;
}

/** A schedule name per record: letters, digits and `-_.` only, at most 64. */
export const scheduleNameOf = (recordId: string) =>
  `sla-${recordId.replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 64);

/** `at()` takes whole seconds in UTC; round up so a timer never fires before its milestone. */
export function atExpression(iso: string): string {
  const ms = Math.ceil(Date.parse(iso) / 1000) * 1000;
  return `at(${new Date(ms).toISOString().slice(0, 19)})`;
}

/**
 * SLA timers as EventBridge Scheduler one-time schedules: one per record, named after it,
 * moved with UpdateSchedule (created when missing) and deleted when the record has no next
 * milestone. `ActionAfterCompletion: DELETE` removes a schedule once it has fired.
 */
export class SchedulerSlaTimers implements SlaTimers {
  readonly #client: Pick<SchedulerClient, 'send'>;
  readonly #options: SchedulerTimersOptions;

  constructor(client: Pick<SchedulerClient, 'send'>, options: SchedulerTimersOptions) {
    this.#client = client;
    this.#options = options;
  }

  #request(recordId: string, at: string, version: number) {
    const o = this.#options;
    return {
      Name: scheduleNameOf(recordId),
      GroupName: o.groupName,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      Target: {
        Arn: o.targetArn(),
        RoleArn: o.roleArn,
        Input: JSON.stringify({ source: 'spoke.sla-timer', recordId, version }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        ...(o.deadLetterArn ? { DeadLetterConfig: { Arn: o.deadLetterArn } } : {}),
      },
    };
  }

  async set(
    recordId: string,
    at: string,
    version: number,
    options: { likelyNew?: boolean } = {},
  ): Promise<void> {
    const request = this.#request(recordId, at, version);
    const { ConflictException, CreateScheduleCommand, ResourceNotFoundException, UpdateScheduleCommand } =
      await schedulerSdk();
    const create = () => this.#client.send(new CreateScheduleCommand(request));
    const update = () => this.#client.send(new UpdateScheduleCommand(request));
    // A new record has no schedule yet: create it, and move the one another firing made meanwhile.
    const [first, second, gone] = options.likelyNew
      ? ([create, update, ConflictException] as const)
      : ([update, create, ResourceNotFoundException] as const);
    try {
      await first();
    } catch (error) {
      if (!(error instanceof gone)) throw error;
      try {
        await second();
      } catch (again) {
        // Updating first: another firing created it meanwhile, so move that one.
        if (options.likelyNew || !(again instanceof ConflictException)) throw again;
        await update();
      }
    }
  }

  async clear(recordId: string): Promise<void> {
    const { DeleteScheduleCommand, ResourceNotFoundException } = await schedulerSdk();
    try {
      await this.#client.send(
        new DeleteScheduleCommand({ Name: scheduleNameOf(recordId), GroupName: this.#options.groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

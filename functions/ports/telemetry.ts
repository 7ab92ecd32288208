/**
 * What Spoke reports about itself while it runs: structured logs with correlation keys, and
 * business metrics. The handlers and the composition root use it; `functions/core` does not
 * need it (its outcomes are counted where they cross a port), so the domain stays AWS-free.
 */

/** The metrics Spoke emits, each a count (CloudWatch namespace `Spoke`, dimension `service`). */
export type MetricName =
  | 'TicketsCreated'
  | 'MailsProcessed'
  | 'MailsQuarantined'
  | 'NotificationsMailed'
  | 'AddressesSuppressed'
  | 'TicketsAutoClosed'
  | 'ApprovalsDecided'
  | 'SlaMilestonesFired'
  | 'ConfigItemsDiscovered'
  | 'AssetRowsImported'
  | 'OperationsIncidentsOpened'
  | 'Errors';

/** Keys that tie log lines to what they are about; each is added to every later line of the invocation. */
export interface Correlation {
  readonly ticketNumber?: string;
  readonly messageId?: string;
  readonly [key: string]: string | undefined;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface Telemetry {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, error: unknown, fields?: LogFields): void;
  correlate(keys: Correlation): void;
  count(metric: MetricName, value?: number): void;
  /**
   * Runs one invocation: the request id becomes a correlation key, a thrown error is logged
   * and counted (then rethrown), and the invocation's metrics are published at the end.
   */
  invocation<T>(context: InvocationContext | undefined, work: () => Promise<T>): Promise<T>;
}

/** The part of the Lambda context telemetry uses; the local cloud may pass none. */
export interface InvocationContext {
  readonly awsRequestId: string;
  readonly functionName?: string;
}

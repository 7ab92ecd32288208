import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Correlation, InvocationContext, LogFields, MetricName, Telemetry } from '#ports/telemetry.ts';

export interface PowertoolsTelemetryOptions {
  /** The `service` of every log line and the metrics' dimension. @default POWERTOOLS_SERVICE_NAME */
  readonly serviceName?: string;
  /** @default POWERTOOLS_METRICS_NAMESPACE, else `Spoke` */
  readonly namespace?: string;
  /** Whether metrics are published (as CloudWatch embedded metric format on stdout). @default true */
  readonly metrics?: boolean;
}

/**
 * Telemetry on Powertools for AWS Lambda: the Logger writes one JSON object per line with the
 * Lambda context (request id, cold start) and the correlation keys; Metrics writes the counts
 * in the embedded metric format, which CloudWatch turns into metrics without an API call.
 */
export class PowertoolsTelemetry implements Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
  private readonly publishing: boolean;
  private correlationKeys: string[] = [];
  private counted = false;

  constructor(options: PowertoolsTelemetryOptions = {}) {
    const serviceName = options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'spoke';
    this.logger = new Logger({ serviceName });
    this.metrics = new Metrics({
      namespace: options.namespace ?? process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Spoke',
      serviceName,
    });
    this.publishing = options.metrics ?? true;
  }

  info(message: string, fields: LogFields = {}): void {
    this.logger.info(message, { ...fields });
  }

  warn(message: string, fields: LogFields = {}): void {
    this.logger.warn(message, { ...fields });
  }

  error(message: string, error: unknown, fields: LogFields = {}): void {
    this.logger.error(message, { ...fields, error: error instanceof Error ? error : String(error) });
  }

  correlate(keys: Correlation): void {
    const defined = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined));
    this.logger.appendKeys(defined);
    this.correlationKeys.push(...Object.keys(defined));
  }

  count(metric: MetricName, value = 1): void {
    if (!this.publishing) return;
    this.metrics.addMetric(metric, MetricUnit.Count, value);
    this.counted = true;
  }

  async invocation<T>(context: InvocationContext | undefined, work: () => Promise<T>): Promise<T> {
    if (context && 'getRemainingTimeInMillis' in context) this.logger.addContext(context as Context);
    else if (context) this.correlate({ requestId: context.awsRequestId });
    try {
      return await work();
    } catch (error) {
      this.count('Errors');
      this.error('invocation failed', error);
      throw error;
    } finally {
      if (this.counted) this.metrics.publishStoredMetrics();
      this.counted = false;
      this.logger.removeKeys(this.correlationKeys);
      this.correlationKeys = [];
    }
  }
}

import { AlarmStateChange } from './aws-events.ts';
import { arnsOfDimensions } from './resource-arns.ts';
import { clearSignal, type OperationsDeps, raiseSignal, type SignalOutcome } from './signal-incidents.ts';

/**
 * CloudWatch "Alarm State Change" → incident: ALARM raises the alarm's signal (one open incident
 * per alarm ARN), OK clears it (resolves or notes, `alarms.onOk`), INSUFFICIENT_DATA changes nothing. The CI is the resource the metric's dimensions name.
 * An event that does not parse throws (the function's dead-letter queue keeps it).
 */
export async function applyAlarmStateChange(deps: OperationsDeps, raw: unknown): Promise<SignalOutcome> {
  const event = AlarmStateChange.parse(raw);
  const { detail } = event;
  const key =
    event.resources[0] ?? `arn:aws:cloudwatch:${event.region}:${event.account}:alarm:${detail.alarmName}`;
  const place = { account: event.account, region: event.region };
  const dimensions = detail.configuration.metrics.flatMap((m) =>
    Object.entries(m.metricStat?.metric.dimensions ?? {}),
  );
  const metric = detail.configuration.metrics.find((m) => m.metricStat)?.metricStat?.metric;
  const at = new Date(event.time).toISOString();
  const entry =
    `CloudWatch alarm ${detail.alarmName} is ${detail.state.value} at ${at}: ${detail.state.reason}`.slice(
      0,
      4000,
    );
  if (detail.state.value === 'OK')
    return clearSignal(deps, { kind: 'alarm', key, name: detail.alarmName, state: 'OK', at, entry });
  // Missing data says nothing about the resource: the incident stays as it is.
  if (detail.state.value === 'INSUFFICIENT_DATA') return { outcome: 'ignored', reason: 'INSUFFICIENT_DATA' };
  return raiseSignal(deps, {
    kind: 'alarm',
    key,
    name: detail.alarmName,
    state: 'ALARM',
    at,
    arns: arnsOfDimensions(Object.fromEntries(dimensions), place),
    title: `Alarm ${detail.alarmName}`,
    description: [
      `CloudWatch alarm ${detail.alarmName} went to ALARM at ${at} (${event.account}, ${event.region}).`,
      detail.configuration.description ? `Alarm description: ${detail.configuration.description}` : '',
      metric
        ? `Metric: ${metric.namespace ?? ''} ${metric.name ?? ''} ${JSON.stringify(metric.dimensions)}`
        : detail.configuration.alarmRule
          ? `Composite rule: ${detail.configuration.alarmRule}`
          : '',
      `Reason: ${detail.state.reason}`,
      `Alarm: ${key}`,
    ]
      .filter(Boolean)
      .join('\n'),
    entry,
    tags: ['aws-alarm'],
  });
}

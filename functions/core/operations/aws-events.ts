import * as z from 'zod';

/**
 * The AWS events cloud operations reads, as EventBridge delivers them (shapes from the AWS
 * docs: CloudWatch "Alarm events and EventBridge", AWS Health "Monitoring AWS Health events with
 * EventBridge", CloudTrail "AWS API Call via CloudTrail"). Only the fields used are required;
 * an event without them does not parse and ends in the function's dead-letter queue.
 */

const Envelope = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  time: z.iso.datetime({ offset: true }),
  region: z.string().min(1),
  resources: z.array(z.string()).default([]),
});

const AlarmState = z.object({
  value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: z.string().default(''),
  timestamp: z.string().min(1),
});

const MetricQuery = z.object({
  id: z.string().optional(),
  metricStat: z
    .object({
      metric: z.object({
        namespace: z.string().optional(),
        name: z.string().optional(),
        dimensions: z.record(z.string(), z.string()).default({}),
      }),
    })
    .optional(),
});

export const AlarmStateChange = Envelope.extend({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  detail: z.object({
    alarmName: z.string().min(1),
    state: AlarmState,
    previousState: AlarmState.optional(),
    configuration: z
      .object({
        description: z.string().nullish(),
        metrics: z.array(MetricQuery).default([]),
        /** Composite alarms: the rule over other alarms. */
        alarmRule: z.string().optional(),
      })
      .default({ metrics: [] }),
  }),
});
export type AlarmStateChange = z.infer<typeof AlarmStateChange>;

export const HealthEvent = Envelope.extend({
  'detail-type': z.literal('AWS Health Event'),
  source: z.literal('aws.health'),
  detail: z.object({
    eventArn: z.string().min(1),
    service: z.string().min(1),
    eventTypeCode: z.string().min(1),
    eventTypeCategory: z.string().min(1),
    statusCode: z.enum(['open', 'upcoming', 'closed']),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    eventRegion: z.string().optional(),
    eventDescription: z.array(z.object({ language: z.string(), latestDescription: z.string() })).default([]),
    affectedEntities: z
      .array(z.object({ entityValue: z.string().min(1), tags: z.record(z.string(), z.string()).optional() }))
      .default([]),
  }),
});
export type HealthEvent = z.infer<typeof HealthEvent>;

export const CloudTrailCall = Envelope.extend({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.object({
    eventTime: z.iso.datetime({ offset: true }),
    eventSource: z.string().min(1),
    eventName: z.string().min(1),
    awsRegion: z.string().min(1),
    eventID: z.string().min(1),
    readOnly: z.boolean().optional(),
    sourceIPAddress: z.string().optional(),
    userAgent: z.string().optional(),
    errorCode: z.string().optional(),
    userIdentity: z.object({
      type: z.string(),
      arn: z.string().optional(),
      principalId: z.string().optional(),
      invokedBy: z.string().optional(),
      sessionContext: z
        .object({ sessionIssuer: z.object({ arn: z.string().optional() }).partial().optional() })
        .partial()
        .optional(),
    }),
    requestParameters: z.record(z.string(), z.unknown()).nullish(),
    resources: z.array(z.object({ ARN: z.string().optional(), type: z.string().optional() })).optional(),
  }),
});
export type CloudTrailCall = z.infer<typeof CloudTrailCall>;

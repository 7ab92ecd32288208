import * as z from 'zod';
import { slaServices, telemetry } from '#config/composition-root.ts';
import { parseEnv, slaEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { fireTimer, rearm, trackRecord } from '#core/sla/sla-service.ts';
import type { InvocationContext } from '#ports/telemetry.ts';

let self = '';
const deps = slaServices(parseEnv(slaEnv), () => {
  if (!self) throw new Error('The SLA function does not know its own ARN yet');
  return self;
});
const log = telemetry();

/** What a record's one-time schedule hands back when it fires. */
const TimerFiring = z.object({
  source: z.literal('spoke.sla-timer'),
  recordId: z.string().min(1).max(64),
  version: z.number().int().min(1),
});

/** A record event from the bus (`docs/events.md`): the family is the event type's prefix. */
const RecordEvent = z.object({
  'detail-type': z.string(),
  detail: z.looseObject({
    ticketId: z.string().optional(),
    problemId: z.string().optional(),
    taskId: z.string().optional(),
    recordId: z.string().optional(),
  }),
});

/**
 * Lambda entry of the SLA engine: record events from the bus (attach, pause, resume,
 * retarget, stop), its own timers from EventBridge Scheduler (warning, breach; a stale one is
 * ignored), and `sla.rearm_requested` (a read found a record whose timer was never confirmed).
 */
export const handler = instrumented(
  log,
  async (
    event: unknown,
    context: InvocationContext & { invokedFunctionArn?: string },
  ): Promise<Record<string, unknown>> => {
    if (context?.invokedFunctionArn) self = context.invokedFunctionArn.split(':').slice(0, 7).join(':');
    const timer = TimerFiring.safeParse(event);
    if (timer.success) {
      const result = await fireTimer(deps, timer.data.recordId, timer.data.version);
      log.info('sla timer', { recordId: timer.data.recordId, ...result });
      if (result.fired > 0) log.count('SlaMilestonesFired', result.fired);
      return result;
    }
    const { 'detail-type': type, detail } = RecordEvent.parse(event);
    if (type === 'sla.rearm_requested' && detail.recordId) {
      const record = await rearm(deps, detail.recordId);
      return { rearmed: record?.armedVersion === record?.version };
    }
    const family = type.split('.')[0] ?? '';
    const recordId = detail.ticketId ?? detail.problemId ?? detail.taskId;
    if (!recordId) return { tracked: false };
    const record = await trackRecord(deps, family, recordId);
    log.info('sla record event', { event: type, recordId, clocks: record?.clocks.length ?? 0 });
    return { tracked: record !== undefined, version: record?.version };
  },
);

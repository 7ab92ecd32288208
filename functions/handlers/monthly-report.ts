import type { ScheduledEvent } from 'aws-lambda';
import { monthlyReportServices, telemetry } from '#config/composition-root.ts';
import { monthlyReportEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { sendMonthlyReport } from '#core/reporting/monthly-report.ts';

const deps = monthlyReportServices(parseEnv(monthlyReportEnv));
const log = telemetry();

/**
 * Lambda entry of the daily report schedule: mails last month's report to each manager who has
 * not had it yet (on the 1st, or the first run after it), from the counters only.
 */
export const handler = instrumented(log, async (event: ScheduledEvent): Promise<{ mailed: string[] }> => {
  const mailed = await sendMonthlyReport(deps, new Date(event.time));
  log.info('monthly report', { mailed: mailed.length });
  return { mailed };
});

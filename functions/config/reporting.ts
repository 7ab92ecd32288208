import type { ValueAssumptions } from '#core/reporting/report-service.ts';

/** The business-value assumptions from the functions' environment (`businessValueEnv`). */
export const valueAssumptions = (env: {
  readonly DEFLECTION_HANDLING_MINUTES: string;
  readonly MONTHLY_COST_USD: string;
}): ValueAssumptions => ({
  deflectionHandlingMinutes: Number(env.DEFLECTION_HANDLING_MINUTES),
  monthlyCostUsd: Number(env.MONTHLY_COST_USD),
});

/** `MONTHLY_REPORT_TO`: addresses, comma-separated, lower-cased, each once. */
export const reportRecipients = (list: string): string[] => [
  ...new Set(
    list
      .split(',')
      .map((address) => address.trim().toLowerCase())
      .filter((address) => address.length > 0),
  ),
];

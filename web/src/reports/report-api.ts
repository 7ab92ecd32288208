/**
 * The reports API, as the portal sees it. The report is the server's own zod type, imported
 * type-only: nothing of the server is bundled, and a renamed figure fails the build.
 */
import type { Report } from '../../../functions/core/reporting/report-service.ts';
import { type Api, ApiError } from '../shared/api.ts';

export type { Figures } from '../../../functions/core/reporting/figures.ts';
export type { Period, Report } from '../../../functions/core/reporting/report-service.ts';

/** The parameters a report is asked with; the page keeps them in its address. */
export const reportParams = ['from', 'to', 'granularity', 'group', 'service', 'priority', 'channel'] as const;
export type ReportParams = Partial<Record<(typeof reportParams)[number], string>>;

export const queryOf = (params: ReportParams) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v) as [string, string][]).toString();

export function reportApi(api: Api, session: { apiBase: string; idToken: string }) {
  return {
    report: (params: ReportParams) => api.request<Report>(`/reports?${queryOf(params)}`),
    /** The same report as the API's CSV, saved by the browser under the API's file name. */
    async downloadCsv(params: ReportParams): Promise<void> {
      const response = await fetch(`${session.apiBase}/reports/csv?${queryOf(params)}`, {
        headers: { authorization: `Bearer ${session.idToken}` },
      });
      if (!response.ok)
        throw new ApiError(response.status, 'export_failed', 'The CSV export failed. Try again.');
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = name ?? 'spoke-report.csv';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
}

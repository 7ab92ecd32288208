import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  buildReport,
  Report,
  type ReportDeps,
  ReportQuery,
  reportCsv,
} from '#core/reporting/report-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const tags = ['Reports'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** A report as CSV, a file the browser saves. */
function csv(report: Report): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="spoke-report-${report.from}-${report.to}-${report.granularity}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: reportCsv(report),
  };
}

/**
 * Reports (docs/reporting.md): the service desk's figures per day, week or month, read from the
 * pre-aggregated counters. Admins see the whole desk; agents and group managers the groups they
 * work in or manage (added up, or one of them by `group`).
 */
export function reportRoutes(deps: ReportDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/reports',
      docs: {
        summary:
          'Figures per period for a date range (at most two years), filtered by one cut (agents, managers)',
        tags,
        query: ReportQuery,
        responses: { 200: Report, ...errors },
      },
      async handle({ event }) {
        return json(200, await buildReport(deps, actorFromEvent(event), event.queryStringParameters ?? {}));
      },
    },
    {
      method: 'GET',
      path: '/api/reports/csv',
      docs: {
        summary: 'The same report as CSV (text/csv): one row per period, one column per figure',
        tags,
        query: ReportQuery,
        responses: { 200: undefined, ...errors },
      },
      async handle({ event }) {
        return csv(await buildReport(deps, actorFromEvent(event), event.queryStringParameters ?? {}));
      },
    },
  ];
}

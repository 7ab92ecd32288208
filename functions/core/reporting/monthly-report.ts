import type { DeliveryLedger } from '#ports/delivery-ledger.ts';
import type { Mailer } from '#ports/mail.ts';
import type { Actor } from '../identity/actor.ts';
import { localDay } from './counters.ts';
import { buildReport, type Report, type ReportDeps } from './report-service.ts';

/**
 * The monthly report mail (docs/reporting.md, "Monthly report"): last month's figures for the
 * whole desk, from the counters only (one Query, never the records), mailed to the managers the
 * account config names. A daily schedule runs it; in a month's first week each recipient gets
 * the month before once (the delivery ledger), so a missed day, a retry or a second run mails
 * nobody twice.
 */
export interface MonthlyReportDeps {
  readonly report: ReportDeps;
  readonly mailer: Mailer;
  readonly deliveries: DeliveryLedger;
  readonly recipients: readonly string[];
  readonly portalUrl: string;
  readonly supportAddress: string;
}

/** Days at the start of a month in which last month's report is mailed. */
export const SEND_WITHIN_DAYS = 7;

/** Reads the whole desk, as the schedule (not a person) asks. */
const reporter: Actor = { id: 'monthly-report', email: 'monthly-report@spoke.invalid', groups: ['admins'] };

/** The local month before the one `now` falls in: its first and last day (`2026-10-01`, `2026-10-31`). */
export function previousMonth(now: Date, timeZone: string): { from: string; to: string; month: string } {
  const [year = 0, month = 1] = localDay(now, timeZone).split('-').map(Number);
  const first = new Date(Date.UTC(year, month - 2, 1));
  const last = new Date(Date.UTC(year, month - 1, 0));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { from: day(first), to: day(last), month: day(first).slice(0, 7) };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 1000) / 10} %`);
const hours = (minutes: number | null) => (minutes === null ? '–' : `${Math.round(minutes / 6) / 10} h`);
const plain = (value: number | null, unit = '') => (value === null ? '–' : `${value}${unit}`);

/** The report's lines: what a manager reads first. */
export function summaryLines(report: Report): [string, string][] {
  const { tickets, changes, problems, serviceLevels, knowledge, satisfaction } = report.total;
  const value = report.businessValue;
  return [
    ['Tickets opened', String(tickets.opened)],
    ['Tickets resolved', String(tickets.resolved)],
    ['Backlog at the end', String(tickets.backlog)],
    ['Median time to acknowledge (business hours)', hours(tickets.acknowledgeMedianMinutes)],
    ['Median time to resolve (business hours)', hours(tickets.resolveMedianMinutes)],
    ['First-contact resolution', percent(tickets.firstContactRate)],
    ['Reopen rate', percent(tickets.reopenRate)],
    ['SLA met', percent(serviceLevels.slaMetRate)],
    ['Requests fulfilled', String(tickets.requestsFulfilled)],
    ['Changes closed / successful', `${changes.closed} / ${percent(changes.successRate)}`],
    ['Emergency changes', percent(changes.emergencyShare)],
    ['Problems opened / known errors', `${problems.opened} / ${problems.knownErrors}`],
    ['Questions answered by an article', `${knowledge.deflected} (${percent(knowledge.deflectionRate)})`],
    [
      'Satisfaction (mean of 5 / satisfied)',
      `${plain(satisfaction.meanScore)} / ${percent(satisfaction.satisfiedShare)}`,
    ],
    ['Agent hours saved by self-service', plain(value.hoursSavedBySelfService, ' h')],
    ['Cost per ticket', value.costPerTicketUsd === null ? '–' : `$${value.costPerTicketUsd.toFixed(2)}`],
  ];
}

/** The mail: text and HTML with the same lines; every value escaped in the HTML. */
export function monthlyReportMail(report: Report, month: string, portalUrl: string) {
  const lines = summaryLines(report);
  const link = `${portalUrl.replace(/\/$/, '')}/reports?${new URLSearchParams({ from: report.from, to: report.to, granularity: 'week' })}`;
  const top = report.topServices.slice(0, 5);
  const text = [
    `The service desk in ${month} (${report.from} to ${report.to}):`,
    '',
    ...lines.map(([name, value]) => `${name}: ${value}`),
    '',
    top.length > 0
      ? `Top services by incidents: ${top.map((s) => `${s.service} (${s.incidents})`).join(', ')}`
      : 'No incidents named a service.',
    '',
    `Charts, filters and CSV: ${link}`,
  ].join('\n');
  const rows = lines
    .map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Service desk report</title></head><body>',
    `<h1>The service desk in ${escapeHtml(month)}</h1>`,
    `<p>${escapeHtml(report.from)} to ${escapeHtml(report.to)}</p>`,
    `<table><caption>Figures of the month</caption><tbody>${rows}</tbody></table>`,
    top.length > 0
      ? `<h2>Top services by incidents</h2><ol>${top.map((s) => `<li>${escapeHtml(s.service)}: ${s.incidents}</li>`).join('')}</ol>`
      : '',
    `<p><a href="${escapeHtml(link)}">Charts, filters and CSV in the portal</a></p>`,
    '</body></html>',
  ].join('');
  return { subject: `Service desk report for ${month}`, text, html };
}

/** Mails last month's report to each recipient not mailed yet; returns whom it mailed. */
export async function sendMonthlyReport(deps: MonthlyReportDeps, now: Date): Promise<string[]> {
  // The first week of a month mails the month before (a missed day is caught up); later days
  // do nothing, so a delivery record that expired (14 days) never mails a month again.
  const dayOfMonth = Number(localDay(now, deps.report.timeZone).slice(8, 10));
  if (deps.recipients.length === 0 || dayOfMonth > SEND_WITHIN_DAYS) return [];
  const { from, to, month } = previousMonth(now, deps.report.timeZone);
  const report = await buildReport(deps.report, reporter, { from, to, granularity: 'month' });
  const mail = monthlyReportMail(report, month, deps.portalUrl);
  const sent: string[] = [];
  for (const recipient of deps.recipients) {
    const key = `monthly-report#${month}#${recipient}`;
    if (!(await deps.deliveries.claim(key, 60))) continue;
    try {
      await deps.mailer.send({
        ...mail,
        to: [recipient],
        messageId: `<monthly-report.${month}@${deps.supportAddress.split('@')[1] ?? 'spoke.invalid'}>`,
        replyTo: deps.supportAddress,
        automatic: true,
      });
    } catch (error) {
      await deps.deliveries.release(key);
      throw error;
    }
    await deps.deliveries.delivered(key);
    sent.push(recipient);
  }
  return sent;
}

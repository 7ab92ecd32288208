import * as z from 'zod';
import type { GroupStore } from '#ports/group-store.ts';
import type { CounterItem, ReportStore } from '#ports/report-store.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { ForbiddenError, ValidationError } from '../shared/errors.ts';
import {
  BACKLOG_DELTA,
  cutKey,
  type Dimension,
  isCountedCut,
  localDay,
  NOW_SLOT,
  OPEN_NOW,
} from './counters.ts';
import { addCounters, agentScoresOf, Figures, figuresOf, topServices } from './figures.ts';

/** The longest range a report covers (two years and a leap day). */
export const MAX_RANGE_DAYS = 731;
/** Groups a scoped reader's report adds up at most: one Query each. */
export const MAX_SCOPED_GROUPS = 20;

const Day = z.iso.date();
export const ReportQuery = z
  .strictObject({
    from: Day,
    to: Day,
    granularity: z.enum(['day', 'week', 'month']).default('day'),
    group: z.string().min(1).max(128).optional(),
    service: z.string().min(1).max(128).optional(),
    priority: z.coerce.number().int().min(1).max(5).optional(),
    channel: z.enum(['portal', 'email', 'api', 'alarm']).optional(),
  })
  .superRefine((query, ctx) => {
    const days = daysBetween(query.from, query.to);
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (days + 1 > MAX_RANGE_DAYS)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `a range covers at most ${MAX_RANGE_DAYS} days`,
      });
  });
export type ReportQuery = z.output<typeof ReportQuery>;

export const Period = z.object({
  /** The first day of the period (`YYYY-MM-DD`): the day, the Monday of the week, the 1st of the month. */
  period: Day,
  from: Day,
  to: Day,
  figures: Figures,
});
export type Period = z.infer<typeof Period>;

export const Report = z.object({
  from: Day,
  to: Day,
  granularity: z.enum(['day', 'week', 'month']),
  filter: z.object({
    group: z.string().optional(),
    service: z.string().optional(),
    priority: z.number().optional(),
    channel: z.string().optional(),
  }),
  /** The groups the figures add up when the reader sees only some (absent: the whole desk). */
  groups: z.array(z.string()).optional(),
  periods: z.array(Period),
  total: Figures,
  topServices: z.array(z.object({ service: z.string(), incidents: z.number().int() })),
  /**
   * What the desk delivers, from the counts and the configured assumptions: hours of agent
   * time self-service saved (deflected questions × handling minutes), and the desk's monthly
   * cost per ticket opened (null where an assumption or a count is missing).
   */
  businessValue: z.object({
    hoursSavedBySelfService: z.number().nullable(),
    costPerTicketUsd: z.number().nullable(),
    assumptions: z.object({ deflectionHandlingMinutes: z.number(), monthlyCostUsd: z.number() }),
  }),
  /** Satisfaction per agent over the range (the agent who worked each rated ticket). */
  agentSatisfaction: z.array(
    z.object({ agent: z.string(), responses: z.number().int(), meanScore: z.number() }),
  ),
});
export type Report = z.infer<typeof Report>;

/** The assumptions behind the business-value figures (account config `reporting`). */
export interface ValueAssumptions {
  /** Minutes an agent would have spent on a question an article answered. */
  readonly deflectionHandlingMinutes: number;
  /** What the desk costs a month, in USD; 0: unknown. */
  readonly monthlyCostUsd: number;
}

export const defaultValueAssumptions: ValueAssumptions = { deflectionHandlingMinutes: 20, monthlyCostUsd: 0 };

export interface ReportDeps {
  readonly reports: ReportStore;
  /** @default {@link defaultValueAssumptions} */
  readonly value?: ValueAssumptions;
  readonly groups: Pick<GroupStore, 'listGroups'> & { groupsOf(email: string): Promise<readonly string[]> };
  readonly timeZone: string;
  readonly clock: { now(): Date };
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayOfNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from);

/** The first day of the period a day belongs to (weeks start on Monday, as ISO 8601 has it). */
export function periodOf(day: string, granularity: ReportQuery['granularity']): string {
  if (granularity === 'month') return `${day.slice(0, 7)}-01`;
  if (granularity === 'week') {
    const n = dayNumber(day);
    const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7;
    return dayOfNumber(n - weekday);
  }
  return day;
}

/**
 * The groups a person's report covers: everything for admins; otherwise the groups they are a
 * member of (agents) and those they manage. Nobody else reads reports.
 */
export async function reportScope(deps: ReportDeps, actor: Actor): Promise<readonly string[] | 'all'> {
  if (isAdmin(actor)) return 'all';
  const email = normalizeEmail(actor.email);
  const groups = new Set(isAgent(actor) ? await deps.groups.groupsOf(email) : []);
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const listed = await deps.groups.listGroups({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const group of listed.items) if (group.managerEmail === email) groups.add(group.id);
    cursor = listed.cursor;
    if (!cursor) break;
  }
  if (groups.size === 0) throw new ForbiddenError('Reports are for agents and group managers');
  return [...groups].sort().slice(0, MAX_SCOPED_GROUPS);
}

/**
 * A report: the counters of one cut (or of each group the reader may see, added up) from the
 * first day of the range through today — today because the backlog at a period's end is the
 * gauge minus the net changes after it — summed into periods. O(days) items, one Query per cut.
 */
export async function buildReport(deps: ReportDeps, actor: Actor, input: unknown): Promise<Report> {
  const query = ReportQuery.parse(input);
  const filter: Report['filter'] = {
    ...(query.group ? { group: query.group } : {}),
    ...(query.service ? { service: query.service } : {}),
    ...(query.priority ? { priority: query.priority } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
  };
  const scope = await reportScope(deps, actor);
  if (scope !== 'all' && query.group && !scope.includes(query.group))
    throw new ValidationError('Group not yours', [
      { path: 'group', message: 'is not a group you report on' },
    ]);
  const groups = scope === 'all' || query.group ? [undefined] : scope;
  const dims = Object.keys(filter) as Dimension[];
  const cutDims = groups[0] === undefined ? dims : ['group' as const, ...dims];
  if (!isCountedCut(cutDims))
    throw new ValidationError('Filter not counted', [
      {
        path: dims.find((d) => d !== 'group') ?? 'group',
        message: 'combine at most a group with one of service, priority or channel',
      },
    ]);
  const read = await Promise.all(
    groups.map((group) => deps.reports.read(cutKey({ ...filter, ...(group ? { group } : {}) }), query.from)),
  );
  const report = summarize(
    query,
    filter,
    read.flat(),
    deps.timeZone,
    deps.clock.now(),
    scope === 'all' ? undefined : groups,
  );
  return { ...report, businessValue: businessValue(report, deps.value ?? defaultValueAssumptions) };
}

/** Months in a range of days, for a monthly cost (an average month: 365.25 / 12 days). */
const AVERAGE_MONTH_DAYS = 365.25 / 12;

function businessValue(
  report: Omit<Report, 'businessValue'>,
  value: ValueAssumptions,
): Report['businessValue'] {
  const { deflected } = report.total.knowledge;
  const opened = report.total.tickets.opened;
  const months = (daysBetween(report.from, report.to) + 1) / AVERAGE_MONTH_DAYS;
  return {
    hoursSavedBySelfService: Math.round(((deflected * value.deflectionHandlingMinutes) / 60) * 10) / 10,
    costPerTicketUsd:
      value.monthlyCostUsd > 0 && opened > 0
        ? Math.round(((value.monthlyCostUsd * months) / opened) * 100) / 100
        : null,
    assumptions: { ...value },
  };
}

function summarize(
  query: ReportQuery,
  filter: Report['filter'],
  items: readonly CounterItem[],
  timeZone: string,
  now: Date,
  groups: readonly (string | undefined)[] | undefined,
): Omit<Report, 'businessValue'> {
  const byDay = new Map<string, Record<string, number>>();
  let openNow = 0;
  for (const item of items) {
    if (item.slot === NOW_SLOT) openNow += item.counters[OPEN_NOW] ?? 0;
    else byDay.set(item.slot, addCounters(byDay.get(item.slot) ?? {}, item.counters));
  }
  const today = localDay(now, timeZone);
  const last = daysBetween(query.from, query.to);
  const periods = new Map<string, { from: string; to: string; counters: Record<string, number> }>();
  for (let n = 0; n <= last; n++) {
    const day = dayOfNumber(dayNumber(query.from) + n);
    const key = periodOf(day, query.granularity);
    const period = periods.get(key) ?? { from: day, to: day, counters: {} };
    period.to = day;
    addCounters(period.counters, byDay.get(day) ?? {});
    periods.set(key, period);
  }
  // Backlog at the end of a day: open now, less every net change after that day.
  const backlogAfter = (day: string) => {
    if (day >= today) return openNow;
    let backlog = openNow;
    for (const [slot, counters] of byDay) if (slot > day) backlog -= counters[BACKLOG_DELTA] ?? 0;
    return backlog;
  };
  const total: Record<string, number> = {};
  const result: Period[] = [];
  for (const [period, { from, to, counters }] of periods) {
    addCounters(total, counters);
    result.push({ period, from, to, figures: figuresOf(counters, backlogAfter(to)) });
  }
  return {
    from: query.from,
    to: query.to,
    granularity: query.granularity,
    filter,
    ...(groups ? { groups: groups.filter((g): g is string => g !== undefined) } : {}),
    periods: result,
    total: figuresOf(total, backlogAfter(query.to)),
    topServices: topServices(total, 10),
    agentSatisfaction: agentScoresOf(total),
  };
}

/** Every figure of every period as CSV (RFC 4180), one row per period, columns `tickets.opened`, … */
export function reportCsv(report: Report): string {
  const flat = (figures: Figures) =>
    Object.entries(figures).flatMap(([section, values]) =>
      Object.entries(values as Record<string, number | null>).map(
        ([name, value]) => [`${section}.${name}`, value] as const,
      ),
    );
  const first = report.periods[0] ?? { figures: report.total };
  const header = ['period', 'from', 'to', ...flat(first.figures).map(([name]) => name)];
  const rows = report.periods.map((p) => [
    p.period,
    p.from,
    p.to,
    ...flat(p.figures).map(([, v]) => (v === null ? '' : String(v))),
  ]);
  return `${[header, ...rows].map((row) => row.join(',')).join('\r\n')}\r\n`;
}

import * as z from 'zod';
import { bucketsOf, quantile } from './histogram.ts';
import { agentResponses, agentScores } from './satisfaction-counting.ts';
import { slaCounter } from './sla-counting.ts';

const count = z.number().int();
const share = z.number().nullable();
const minutes = z.number().nullable();

/**
 * The figures a service desk is run by, computed from summed counters (docs/reporting.md).
 * Durations are business minutes; rates are shares 0–1; a figure with nothing to divide by is
 * `null`, never 0 (no resolutions is not "0 % first-contact resolution").
 */
export const Figures = z.object({
  tickets: z.object({
    opened: count,
    incidentsOpened: count,
    requestsOpened: count,
    resolved: count,
    cancelled: count,
    backlog: count,
    acknowledged: count,
    acknowledgeMeanMinutes: minutes,
    acknowledgeMedianMinutes: minutes,
    resolveMeanMinutes: minutes,
    resolveMedianMinutes: minutes,
    firstContactResolutions: count,
    firstContactRate: share,
    reopened: count,
    reopenRate: share,
    requestsFulfilled: count,
    fulfilmentMeanMinutes: minutes,
    fulfilmentMedianMinutes: minutes,
  }),
  changes: z.object({
    created: count,
    standard: count,
    normal: count,
    emergency: count,
    emergencyShare: share,
    closed: count,
    successful: count,
    successRate: share,
    failed: count,
    backedOut: count,
    rejected: count,
    cabLeadMeanMinutes: minutes,
    cabLeadMedianMinutes: minutes,
  }),
  problems: z.object({
    opened: count,
    knownErrors: count,
    resolved: count,
  }),
  /** Service-level targets (SLA) and operational-level targets (OLA): outcomes of stopped or breached clocks. */
  serviceLevels: z.object({
    slaMet: count,
    slaBreached: count,
    slaMetRate: share,
    responseMetRate: share,
    resolutionMetRate: share,
    olaMet: count,
    olaBreached: count,
    olaMetRate: share,
  }),
  /** Satisfaction surveys: responses, mean score (1–5), share of 4 and 5 answers (CSAT %). */
  satisfaction: z.object({
    responses: count,
    meanScore: minutes,
    satisfiedShare: share,
  }),
  /** Self-service (desk-wide only: articles have no group): suggestions opened, questions answered without a ticket. */
  knowledge: z.object({
    suggestionsOpened: count,
    deflected: count,
    notHelpful: count,
    deflectionRate: share,
  }),
});
export type Figures = z.infer<typeof Figures>;

type Counters = Readonly<Record<string, number>>;

const ratio = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
const round = (value: number | undefined): number | null =>
  value === undefined ? null : Math.round(value * 10) / 10;

/** Adds counters into a running sum. */
export function addCounters(into: Record<string, number>, counters: Counters): Record<string, number> {
  for (const [name, value] of Object.entries(counters)) into[name] = (into[name] ?? 0) + value;
  return into;
}

/** The figures of summed counters; `backlog` is the backlog at the end of the period (from the gauge). */
export function figuresOf(c: Counters, backlog: number): Figures {
  const n = (name: string) => c[name] ?? 0;
  const mean = (measure: string) => {
    const count = n(`${measure}Count`);
    return count > 0 ? round(n(`${measure}Sum`) / count) : null;
  };
  const median = (measure: string) => round(quantile(bucketsOf(c, measure), 0.5));
  return {
    tickets: {
      opened: n('opened'),
      incidentsOpened: n('opened_incident'),
      requestsOpened: n('opened_request'),
      resolved: n('resolved'),
      cancelled: n('cancelled'),
      backlog,
      acknowledged: n('acknowledged'),
      acknowledgeMeanMinutes: mean('ack'),
      acknowledgeMedianMinutes: median('ack'),
      resolveMeanMinutes: mean('res'),
      resolveMedianMinutes: median('res'),
      firstContactResolutions: n('firstContact'),
      firstContactRate: ratio(n('firstContact'), n('resolved')),
      reopened: n('reopened'),
      reopenRate: ratio(n('reopened'), n('resolved')),
      requestsFulfilled: n('fulCount'),
      fulfilmentMeanMinutes: mean('ful'),
      fulfilmentMedianMinutes: median('ful'),
    },
    changes: {
      created: n('chgCreated'),
      standard: n('chg_standard'),
      normal: n('chg_normal'),
      emergency: n('chg_emergency'),
      emergencyShare: ratio(n('chg_emergency'), n('chgCreated')),
      closed: n('chgClosed'),
      successful: n('chgSuccessful'),
      successRate: ratio(n('chgSuccessful'), n('chgClosed')),
      failed: n('chgFailed'),
      backedOut: n('chgBackedOut'),
      rejected: n('chgRejected'),
      cabLeadMeanMinutes: mean('cab'),
      cabLeadMedianMinutes: median('cab'),
    },
    problems: { opened: n('prbOpened'), knownErrors: n('knownErrors'), resolved: n('prbResolved') },
    serviceLevels: serviceLevelsOf(n),
    satisfaction: {
      responses: n('csatCount'),
      meanScore: n('csatCount') > 0 ? Math.round((n('csatSum') / n('csatCount')) * 100) / 100 : null,
      satisfiedShare: ratio(n('csatSatisfied'), n('csatCount')),
    },
    knowledge: {
      suggestionsOpened: n('kbSuggestionOpened'),
      deflected: n('kbDeflected'),
      notHelpful: n('kbNotHelpful'),
      deflectionRate: ratio(n('kbDeflected'), n('kbDeflected') + n('opened')),
    },
  };
}

function serviceLevelsOf(n: (name: string) => number): Figures['serviceLevels'] {
  const outcome = (level: 'sla' | 'ola', result: 'Met' | 'Breached', target?: string) =>
    target
      ? n(slaCounter(level, result, target))
      : n(slaCounter(level, result, 'response')) + n(slaCounter(level, result, 'resolution'));
  const rate = (level: 'sla' | 'ola', target?: string) => {
    const met = outcome(level, 'Met', target);
    return ratio(met, met + outcome(level, 'Breached', target));
  };
  return {
    slaMet: outcome('sla', 'Met'),
    slaBreached: outcome('sla', 'Breached'),
    slaMetRate: rate('sla'),
    responseMetRate: rate('sla', 'response'),
    resolutionMetRate: rate('sla', 'resolution'),
    olaMet: outcome('ola', 'Met'),
    olaBreached: outcome('ola', 'Breached'),
    olaMetRate: rate('ola'),
  };
}

/** The top services by incidents opened, most first (ties by name). */
export function topServices(c: Counters, limit: number): { service: string; incidents: number }[] {
  return Object.entries(c)
    .filter(([name, value]) => name.startsWith('svc:') && value > 0)
    .map(([name, incidents]) => ({ service: name.slice(4), incidents }))
    .sort((a, b) => b.incidents - a.incidents || a.service.localeCompare(b.service))
    .slice(0, limit);
}

/** The score per agent (responses and mean), most responses first. */
export function agentScoresOf(c: Counters): { agent: string; responses: number; meanScore: number }[] {
  return Object.entries(c)
    .filter(([name, value]) => name.startsWith(agentResponses('')) && value > 0)
    .map(([name, responses]) => {
      const agent = name.slice(agentResponses('').length);
      return {
        agent,
        responses,
        meanScore: Math.round(((c[agentScores(agent)] ?? 0) / responses) * 100) / 100,
      };
    })
    .sort((a, b) => b.responses - a.responses || a.agent.localeCompare(b.agent));
}

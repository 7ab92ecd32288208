import type { Count } from './counters.ts';
import { type CountContext, dimensionsOf, mappingOf, numberOf, requireFacts, stringOf } from './facts.ts';

/**
 * Counting satisfaction ratings (`ticket.rated`) under the ticket's dimensions: responses, the
 * sum of scores (mean = sum / responses), satisfied answers (4 or 5: CSAT % = satisfied /
 * responses), and per agent (`csatN:<agent>`, `csatS:<agent>`) for the score per agent. A
 * changed rating takes the one counted before back, on the day it was counted.
 */

export const agentResponses = (agent: string) => `csatN:${agent}`;
export const agentScores = (agent: string) => `csatS:${agent}`;

const countsOf = (score: number, agent: string | undefined, sign: 1 | -1) => ({
  csatCount: sign,
  csatSum: sign * score,
  ...(score >= 4 ? { csatSatisfied: sign } : {}),
  ...(agent ? { [agentResponses(agent)]: sign, [agentScores(agent)]: sign * score } : {}),
});

function rated(context: CountContext) {
  const before = requireFacts(context);
  const { event, dayOf } = context;
  const score = numberOf(event.detail.score);
  if (!score) return { facts: before, counts: [] };
  const agent = stringOf(event.detail.agent);
  const counts: Count[] = [];
  if (before.csat) {
    const { day, score: old, agent: oldAgent, ...dims } = before.csat;
    counts.push({ day, dims, add: countsOf(old, oldAgent, -1) });
  }
  const day = dayOf(event.at);
  const dims = dimensionsOf(before);
  counts.push({ day, dims, add: countsOf(score, agent, 1) });
  return { facts: { ...before, csat: { day, score, ...(agent ? { agent } : {}), ...dims } }, counts };
}

export const ticketRated = mappingOf('ticketId', rated);

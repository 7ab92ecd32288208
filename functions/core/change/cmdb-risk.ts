import type { Change, ChangeCmdb } from './change.ts';
import { levelOf, type RiskQuestionnaire } from './risk.ts';

/**
 * A change as the CMDB sees it at submission: its CIs and the business services they reach are
 * kept on it (for the CAB mail and the record), and when one of those services is critical the
 * risk score rises by `weight` (the account's `cmdb.criticalServiceRiskWeight`) and the level is
 * read again from the questionnaire's thresholds. A resubmission replaces the earlier weight,
 * never adds to it. Standard and emergency changes keep their risk (their route does not use it).
 */
export function withCmdbRisk(
  change: Change,
  facts: Pick<ChangeCmdb, 'cis' | 'services'>,
  weight: number,
  questionnaire: RiskQuestionnaire,
  at: string,
): Pick<Change, 'risk' | 'cmdb'> {
  const critical = facts.services.some((s) => s.criticality === 'critical');
  const riskWeight = critical && change.type === 'normal' && change.risk.score !== undefined ? weight : 0;
  const cmdb: ChangeCmdb = { cis: facts.cis, services: facts.services, riskWeight, at };
  if (change.type !== 'normal' || change.risk.score === undefined) return { risk: change.risk, cmdb };
  const score = change.risk.score - (change.cmdb?.riskWeight ?? 0) + riskWeight;
  return { risk: { ...change.risk, score, assessed: levelOf(questionnaire, score) }, cmdb };
}

/** The references a change is matched on for conflicts: its labels and what the CMDB names. */
export function conflictRefs(
  change: Pick<Change, 'services' | 'configurationItems'>,
  cmdb?: Pick<ChangeCmdb, 'cis' | 'services'>,
): Set<string> {
  return new Set([
    ...change.services.map((s) => `service:${s}`),
    ...change.configurationItems.map((c) => `ci:${c}`),
    ...(cmdb?.cis ?? []).map((c) => `ci:${c}`),
    ...(cmdb?.services ?? []).map((s) => `service:${s.name}`),
  ]);
}

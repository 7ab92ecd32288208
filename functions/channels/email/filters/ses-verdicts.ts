/** The verdicts SES attaches to a received message (receipt rule with scanning on). */
export interface SesVerdicts {
  readonly spam?: string;
  readonly virus?: string;
  /** About the envelope sender (Return-Path), not the From address people see. */
  readonly spf?: string;
  /** Whether some DKIM signature verified; not whether it is aligned with the From domain. */
  readonly dkim?: string;
  readonly dmarc?: string;
  /** The sender domain's DMARC policy: none, quarantine or reject. */
  readonly dmarcPolicy?: string;
}

/** Why SES's verdicts put a message in quarantine, or undefined when they don't. */
export function verdictQuarantineReason(verdicts: SesVerdicts): string | undefined {
  if (verdicts.virus === 'FAIL') return 'virus verdict FAIL';
  if (verdicts.spam === 'FAIL') return 'spam verdict FAIL';
  const policy = verdicts.dmarcPolicy?.toLowerCase();
  if (verdicts.dmarc === 'FAIL' && (policy === 'quarantine' || policy === 'reject')) {
    return `DMARC FAIL with policy ${policy}`;
  }
  return undefined;
}

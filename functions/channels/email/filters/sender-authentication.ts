import type { ParsedMail } from '../parse.ts';
import type { SesVerdicts } from './ses-verdicts.ts';

/** `a.b.example.com` and `example.com` align under DMARC's relaxed rule when one is within the other. */
const aligned = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

/** The `d=` domains of the message's DKIM-Signature headers. */
export function dkimDomains(mail: ParsedMail): string[] {
  return mail.headers
    .filter((h) => h.key === 'dkim-signature')
    .flatMap((h) => {
      const domain = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(h.value)?.[1];
      return domain ? [domain.toLowerCase().replace(/\.$/, '')] : [];
    });
}

/**
 * Whether the mail is proven to come from its From domain: DMARC passed, or a DKIM signature
 * verified and one of the message's signatures is aligned with the From domain. SPF is not
 * enough: it is about the envelope sender, which anyone may choose. Only mail that passes
 * may act with the rights of the person it names (an agent); anything else is treated as an
 * outside participant.
 */
export function authenticatesFrom(mail: ParsedMail, sender: string, verdicts: SesVerdicts): boolean {
  if (verdicts.dmarc?.toUpperCase() === 'PASS') return true;
  if (verdicts.dkim?.toUpperCase() !== 'PASS') return false;
  const fromDomain = sender.split('@')[1]?.toLowerCase() ?? '';
  return fromDomain !== '' && dkimDomains(mail).some((domain) => aligned(domain, fromDomain));
}

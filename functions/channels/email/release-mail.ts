import type { Round } from '#core/approval/decision.ts';
import type { GoNoGoStep, Release } from '#core/release/release.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { ourMessageId } from './thread.ts';

/**
 * The go/no-go request (reminder, escalation) to each member of the go/no-go group, with links
 * to a confirmation page: mail scanners open links, so only the page's POST decides.
 */
export interface ReleaseMailContext {
  readonly portalUrl: string;
  readonly supportAddress: string;
}

const subjects: Readonly<Record<Round, string>> = {
  request: 'Go/no-go requested',
  reminder: 'Reminder: go/no-go requested',
  escalation: 'Escalated: go/no-go overdue',
};

export function goNoGoMail(
  ctx: ReleaseMailContext,
  release: Release,
  step: GoNoGoStep,
  links: { readonly approve: string; readonly reject: string },
  validHours: number,
): Omit<OutboundMail, 'to'> {
  const base = ctx.portalUrl.replace(/\/$/, '');
  const domain = ctx.supportAddress.split('@')[1] ?? 'spoke.invalid';
  const thread = ourMessageId(release.id, 'release', domain);
  const intro =
    step.round === 'escalation'
      ? `The go/no-go of ${release.number} is overdue. As a change manager you may decide it on the group's behalf.`
      : `Your go/no-go decision is requested for ${release.number}, planned ${release.plannedStart.slice(0, 16).replace('T', ' ')} – ${release.plannedEnd.slice(0, 16).replace('T', ' ')} UTC.`;
  return {
    subject: `[${release.number}] ${subjects[step.round]}: ${release.name}`,
    text: [
      intro,
      '',
      `Go:       ${base}/releases/approve/${links.approve}`,
      `No-go:    ${base}/releases/approve/${links.reject}`,
      '',
      `Each link opens a confirmation page and works once, for ${validHours} hours.`,
      `The release, its changes and its notes: ${base}/releases/${release.id}`,
    ].join('\n'),
    messageId: ourMessageId(release.id, `go-no-go-${step.attempt}-${step.round}-${step.version}`, domain),
    inReplyTo: thread,
    references: [thread],
    automatic: true,
  };
}

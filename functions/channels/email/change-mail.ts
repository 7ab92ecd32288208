import type { ApprovalStep, Round } from '#core/change/approval.ts';
import { type Change, riskLevel } from '#core/change/change.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { ourMessageId } from './thread.ts';

/**
 * The mail of change approvals: the approval request (with a reminder and an escalation as
 * later rounds) to each approver, and the outcome to the requester. Approve and reject are
 * links to a confirmation page, never actions on their own: mail scanners open links.
 */
export interface ChangeMailContext {
  readonly portalUrl: string;
  readonly supportAddress: string;
  /** IANA zone the times in mail are written in, named after each time. @default 'UTC' */
  readonly timeZone?: string;
}

/**
 * A time as a person reads it, with the zone named: "Mon 14 Dec 2026, 09:00 UTC". Mail has no
 * idea of the reader's zone, so the zone is always written out.
 */
export function mailTime(iso: string, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** A planned window: the end without its date when it is on the same day. */
export function mailWindow(start: string, end: string, timeZone = 'UTC'): string {
  const from = mailTime(start, timeZone);
  const to = mailTime(end, timeZone);
  const day = (text: string) => text.slice(0, text.indexOf(','));
  return day(from) === day(to)
    ? `${from.replace(/ \S+$/, '')} to ${to.slice(day(to).length + 2)}`
    : `${from} to ${to}`;
}

const base = (ctx: ChangeMailContext) => ctx.portalUrl.replace(/\/$/, '');
const domainOf = (ctx: ChangeMailContext) => ctx.supportAddress.split('@')[1] ?? 'spoke.invalid';

const stepNames: Readonly<Record<ApprovalStep['step'], string>> = {
  manager: 'the assignment group’s manager',
  cab: 'the change advisory board',
  service_owner: 'the service owner',
  ecab: 'the emergency change advisory board',
};

const subjects: Readonly<Record<Round, string>> = {
  request: 'Approval requested',
  reminder: 'Reminder: approval requested',
  escalation: 'Escalated: approval overdue',
};

/** Text a requester wrote, quoted line by line, so it cannot pass for Spoke's own lines (or links). */
const quoted = (text: string) => text.split(/\r?\n/).map((line) => `  | ${line}`);

function summary(ctx: ChangeMailContext, change: Change): string[] {
  const override = change.risk.override;
  return [
    `${change.number} — ${change.shortDescription}`,
    `Type: ${change.type}    Risk: ${riskLevel(change.risk) ?? 'not assessed'}${
      override
        ? ` (overridden from ${change.risk.assessed ?? 'unassessed'} by ${override.by.email}: ${override.reason})`
        : ''
    }`,
    `Planned: ${mailWindow(change.plannedStart, change.plannedEnd, ctx.timeZone)}`,
    `Services: ${change.services.join(', ') || '—'}    Configuration items: ${change.configurationItems.join(', ') || '—'}`,
    ...(change.cmdb
      ? [
          `Business services its CIs support (CMDB): ${
            change.cmdb.services.map((s) => `${s.name} (${s.criticality})`).join(', ') || 'none found'
          }${change.cmdb.riskWeight > 0 ? `; a critical service added ${change.cmdb.riskWeight} to the risk score` : ''}`,
        ]
      : []),
    `Requested by: ${change.requester.name ?? change.requester.email}`,
    '',
    'What the requester wrote (quoted):',
    '',
    'Justification:',
    ...quoted(change.justification),
    '',
    'Implementation plan:',
    ...quoted(change.implementationPlan),
    '',
    'Backout plan:',
    ...quoted(change.backoutPlan),
    '',
    'Test plan:',
    ...quoted(change.testPlan),
  ];
}

/** The thread every mail about one change belongs to. */
const changeThread = (ctx: ChangeMailContext, change: Change) =>
  ourMessageId(change.id, 'change', domainOf(ctx));

export function approvalRequestMail(
  ctx: ChangeMailContext,
  change: Change,
  step: ApprovalStep,
  links: { readonly approve: string; readonly reject: string },
  validHours: number,
): Omit<OutboundMail, 'to'> {
  const thread = changeThread(ctx, change);
  const intro =
    step.round === 'escalation'
      ? `The approval of ${change.number} by ${stepNames[step.step]} is overdue. As the escalation contact you may decide it on their behalf.`
      : `Your approval is requested for ${change.number}, as ${stepNames[step.step]}.`;
  return {
    subject: `[${change.number}] ${subjects[step.round]}: ${change.shortDescription}`,
    text: [
      intro,
      '',
      `Approve: ${base(ctx)}/approvals/link/${links.approve}`,
      `Reject:  ${base(ctx)}/approvals/link/${links.reject}`,
      '',
      `Each link opens a confirmation page and works once, for ${validHours} hours. You can also decide in your approvals inbox: ${base(ctx)}/approvals`,
      'Replies to this mail are not read as decisions. The only links to decide with are the two above.',
      '',
      ...summary(ctx, change),
    ].join('\n'),
    messageId: ourMessageId(change.id, `approval-${step.step}-${step.round}-${step.version}`, domainOf(ctx)),
    inReplyTo: thread,
    references: [thread],
    automatic: true,
  };
}

const outcomes = {
  approved: (change: Change, ctx: ChangeMailContext) => [
    `${change.number} is approved and scheduled for ${mailTime(change.plannedStart, ctx.timeZone)}.`,
  ],
  rejected: (change: Change) => [
    `${change.number} was rejected. The approvers’ comments are in the change’s history.`,
  ],
  expired: (change: Change) => [
    `Nobody decided on ${change.number} in time, so its approval expired.`,
    'The change is back in assessment; submit it again when it is ready.',
  ],
} as const;

export function approvalOutcomeMail(
  ctx: ChangeMailContext,
  change: Change,
  outcome: keyof typeof outcomes,
): Omit<OutboundMail, 'to'> {
  const thread = changeThread(ctx, change);
  return {
    subject: `[${change.number}] ${outcome === 'approved' ? 'Approved' : outcome === 'rejected' ? 'Rejected' : 'Approval expired'}: ${change.shortDescription}`,
    text: [...outcomes[outcome](change, ctx), '', `${base(ctx)}/changes/${change.id}`].join('\n'),
    messageId: ourMessageId(change.id, `outcome-${change.version}`, domainOf(ctx)),
    inReplyTo: thread,
    references: [thread],
    automatic: true,
  };
}

import type { Round } from '#core/approval/decision.ts';
import type { CatalogRequest, CatalogTask, RequestApprovalStep } from '#core/catalog/request.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { ourMessageId } from './thread.ts';

/**
 * The mail of catalog requests: the approval request (reminder, escalation) to each approver
 * with links to a confirmation page (mail scanners open links; only the page's POST decides),
 * the rejection with its reason and the fulfilment to the requester, and a new task to its group.
 */
export interface CatalogMailContext {
  readonly portalUrl: string;
  readonly supportAddress: string;
}

const base = (ctx: CatalogMailContext) => ctx.portalUrl.replace(/\/$/, '');
const domainOf = (ctx: CatalogMailContext) => ctx.supportAddress.split('@')[1] ?? 'spoke.invalid';
const thread = (ctx: CatalogMailContext, request: Pick<CatalogRequest, 'id'>) =>
  ourMessageId(request.id, 'request', domainOf(ctx));
const threaded = (ctx: CatalogMailContext, request: Pick<CatalogRequest, 'id'>, part: string) => ({
  messageId: ourMessageId(request.id, part, domainOf(ctx)),
  inReplyTo: thread(ctx, request),
  references: [thread(ctx, request)],
  automatic: true,
});

const subjects: Readonly<Record<Round, string>> = {
  request: 'Approval requested',
  reminder: 'Reminder: approval requested',
  escalation: 'Escalated: approval overdue',
};
const stepNames = { manager: 'their manager', group: 'an approver group member', cost: 'the cost approver' };

/** What was ordered, one line per item with its answers, each answer quoted (the requester wrote it). */
function order(request: CatalogRequest): string[] {
  return [
    `${request.number} for ${request.requestedFor.name ?? request.requestedFor.email}, ordered by ${request.requester.email}`,
    ...(request.cost !== undefined ? [`Cost: ${request.cost}`] : []),
    '',
    ...request.items.flatMap((item) => [
      `${item.quantity} × ${item.name} (version ${item.itemVersion})`,
      ...Object.entries(item.answers).map(([field, value]) =>
        `  | ${field}: ${Array.isArray(value) ? value.join(', ') : String(value)}`.replace(/\r?\n/g, ' '),
      ),
    ]),
  ];
}

export function requestApprovalMail(
  ctx: CatalogMailContext,
  request: CatalogRequest,
  step: RequestApprovalStep,
  links: { readonly approve: string; readonly reject: string },
  validHours: number,
): Omit<OutboundMail, 'to'> {
  const intro =
    step.round === 'escalation'
      ? `The approval of ${request.number} is overdue. As the escalation contact you may decide it on the approvers' behalf.`
      : `Your approval is requested for ${request.number}, as ${stepNames[step.kind]}.`;
  return {
    subject: `[${request.number}] ${subjects[step.round]}: ${request.items.map((i) => i.name).join(', ')}`,
    text: [
      intro,
      '',
      `Approve: ${base(ctx)}/requests/approve/${links.approve}`,
      `Reject:  ${base(ctx)}/requests/approve/${links.reject}`,
      '',
      `Each link opens a confirmation page and works once, for ${validHours} hours.`,
      'Replies to this mail are not read as decisions.',
      '',
      ...order(request),
    ].join('\n'),
    ...threaded(ctx, request, `approval-${step.index}-${step.round}-${step.version}`),
  };
}

export function requestOutcomeMail(
  ctx: CatalogMailContext,
  request: CatalogRequest,
): Omit<OutboundMail, 'to'> {
  const lines =
    request.state === 'fulfilled'
      ? [`${request.number} is done: everything you ordered has been delivered.`]
      : [
          `${request.number} was not approved, so nothing will be delivered.`,
          '',
          'The reason given:',
          `  | ${(request.approval.reason ?? 'none given').replace(/\r?\n/g, '\n  | ')}`,
        ];
  return {
    subject: `[${request.number}] ${request.state === 'fulfilled' ? 'Fulfilled' : 'Rejected'}: ${request.items.map((i) => i.name).join(', ')}`,
    text: [
      ...lines,
      '',
      `Follow it in the portal: ${base(ctx)}/requests/${request.id}`,
      '',
      ...order(request),
    ].join('\n'),
    ...threaded(ctx, request, `outcome-${request.state}`),
  };
}

export function taskMail(ctx: CatalogMailContext, task: CatalogTask, round: Round): Omit<OutboundMail, 'to'> {
  return {
    subject: `[${task.number}] ${round === 'request' ? 'New task' : round === 'reminder' ? 'Reminder' : 'Overdue'}: ${task.title} (${task.requestNumber})`,
    text: [
      `${task.number} for ${task.requestedFor} waits in the ${task.group} queue: ${task.title}.`,
      '',
      task.instructions,
      '',
      ...(task.automationError
        ? [`Its automation failed, so it is yours to do by hand: ${task.automationError}`, '']
        : []),
      `Open the queue: ${base(ctx)}/tasks?group=${encodeURIComponent(task.group)}`,
    ].join('\n'),
    messageId: ourMessageId(task.id, `task-${round}`, domainOf(ctx)),
    automatic: true,
  };
}

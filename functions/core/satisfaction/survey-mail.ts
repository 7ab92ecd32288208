import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import type { Mailer } from '#ports/mail.ts';
import type { TicketStore } from '#ports/ticket-store.ts';
import { signLink } from '../approval/signed-link.ts';
import { normalizeEmail } from '../identity/actor.ts';
import type { Ticket } from '../ticket/ticket.ts';
import { type SatisfactionSettings, surveyEndOf } from './satisfaction.ts';

/**
 * The mail side of satisfaction surveys, run by the notifications function: the survey links
 * in the requester's resolution mail, and the follow-up a low score sends the group's manager.
 */
export interface SurveyMailDeps {
  readonly signer: LinkSigner;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly tickets: Pick<TicketStore, 'get'>;
  readonly mailer: Mailer;
  /** The manager of an assignment group (`managerEmail`). */
  readonly managerOf: (group: string) => Promise<string | undefined>;
  readonly portalUrl: string;
  readonly supportAddress: string;
  readonly settings: SatisfactionSettings;
}

const portal = (deps: Pick<SurveyMailDeps, 'portalUrl'>) => deps.portalUrl.replace(/\/$/, '');

/**
 * The lines of a resolution mail that ask the requester to rate: one link per score, all with
 * the same signed token, valid until the survey closes (the score in the link only preselects
 * the confirmation page's choice; the page's POST rates).
 */
export async function surveyMailLines(deps: SurveyMailDeps, ticket: Ticket): Promise<string[]> {
  if (ticket.state !== 'resolved') return [];
  const left = Date.parse(surveyEndOf(deps.settings, ticket)) - deps.clock.now().getTime();
  if (left <= 0) return [];
  const token = await signLink(
    deps,
    { v: 1, survey: 'csat', ticketId: ticket.id, requester: normalizeEmail(ticket.requester.email) },
    left / 3_600_000,
  );
  const url = (score: number) => `${portal(deps)}/satisfaction/${token}?score=${score}`;
  return [
    '',
    'How did we do? One click rates it (you confirm on the page that opens):',
    `  5 – very good: ${url(5)}`,
    `  4 – good: ${url(4)}`,
    `  3 – fair: ${url(3)}`,
    `  2 – poor: ${url(2)}`,
    `  1 – very poor: ${url(1)}`,
  ];
}

/**
 * `ticket.rated` with a low score (at or below `followUpAtOrBelow`; not again when a low
 * rating is changed to another low one): the ticket's group manager is mailed to follow it up.
 * Returns whom it mailed.
 */
export async function followUpLowRating(deps: SurveyMailDeps, event: DomainEvent): Promise<string[]> {
  const { score, previousScore, ticketId } = event.detail;
  const low = (value: unknown) => typeof value === 'number' && value <= deps.settings.followUpAtOrBelow;
  if (event.type !== 'ticket.rated' || !low(score) || low(previousScore) || typeof ticketId !== 'string')
    return [];
  const found = await deps.tickets.get(ticketId);
  const ticket = found?.ticket;
  const manager = ticket?.assignmentGroup ? await deps.managerOf(ticket.assignmentGroup) : undefined;
  if (!ticket || !manager) return [];
  await deps.mailer.send({
    to: [manager],
    subject: `[${ticket.number}] Follow up: rated ${String(score)} of 5`,
    text: [
      `The requester rated ${ticket.number} (${ticket.shortDescription}) ${String(score)} of 5.`,
      event.detail.agent ? `Worked by: ${String(event.detail.agent)}` : 'Worked by: nobody assigned',
      '',
      'Please follow it up with the requester; the rating and its comment are on the ticket:',
      `${portal(deps)}/work/tickets/${ticket.id}`,
    ].join('\n'),
    messageId: `<csat.${ticket.id}.${String(event.detail.ratingVersion)}@spoke>`,
    replyTo: deps.supportAddress,
    automatic: true,
  });
  return [manager];
}

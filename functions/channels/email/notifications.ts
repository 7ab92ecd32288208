import { normalizeEmail } from '#core/identity/actor.ts';
import { followUpLowRating, type SurveyMailDeps, surveyMailLines } from '#core/satisfaction/survey-mail.ts';
import type { Article } from '#core/ticket/article.ts';
import type { Ticket } from '#core/ticket/ticket.ts';
import type { DeliveryLedger } from '#ports/delivery-ledger.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { Mailer, OutboundMail } from '#ports/mail.ts';
import type { MailReferenceStore } from '#ports/mail-references.ts';
import type { RateLimiter } from '#ports/rate-limiter.ts';
import type { SuppressionList } from '#ports/suppression-list.ts';
import type { TicketStore } from '#ports/ticket-store.ts';
import { ourMessageId, replyAddress } from './thread.ts';

export interface NotificationDeps {
  readonly tickets: TicketStore;
  readonly mailer: Mailer;
  readonly references: MailReferenceStore;
  readonly rateLimiter: RateLimiter;
  readonly suppressions: SuppressionList;
  readonly supportAddress: string;
  readonly portalUrl: string;
  /** Mails one address gets per hour at most, whatever happens on its tickets. @default 30 */
  readonly perRecipientPerHour: number;
  /** Which recipients of an event were mailed already, so a retried event mails each once. */
  readonly deliveries: DeliveryLedger;
  /**
   * How long a claim on one recipient's mail holds: longer than an invocation may run (the
   * function's timeout), shorter than Lambda waits before retrying (a minute), so a retry after
   * an invocation died mid-send mails that recipient. @default 45
   */
  readonly claimSeconds?: number;
  /** Satisfaction surveys: the links in the requester's resolution mail, low-score follow-ups. */
  readonly survey?: SurveyMailDeps;
}

/** Who hears about a ticket by mail: its requester and watchers, never the person who wrote. */
function recipients(ticket: Ticket, except: string | undefined): string[] {
  const skip = except ? normalizeEmail(except) : undefined;
  // `.invalid` (RFC 2606) can never receive mail: the requester of monitoring's incidents is one.
  return [ticket.requester.email, ...ticket.watchers]
    .map(normalizeEmail)
    .filter((to, i, all) => to !== skip && all.indexOf(to) === i && !to.endsWith('.invalid'));
}

const link = (deps: NotificationDeps, ticket: Ticket) =>
  `${deps.portalUrl.replace(/\/$/, '')}/tickets/${ticket.id}`;

function agentReply(deps: NotificationDeps, ticket: Ticket, article: Article): Omit<OutboundMail, 'to'> {
  const domain = deps.supportAddress.split('@')[1] ?? 'spoke.invalid';
  const opening = ourMessageId(ticket.id, 'ack', domain);
  return {
    subject: `[${ticket.number}] ${ticket.shortDescription}`,
    text: [
      `${article.author.name ?? article.author.email} wrote on ${ticket.number}:`,
      '',
      article.body,
      '',
      `Reply to this mail to answer, or follow the ticket in the portal: ${link(deps, ticket)}`,
    ].join('\n'),
    replyTo: replyAddress(deps.supportAddress, ticket.id),
    messageId: ourMessageId(ticket.id, article.id, domain),
    inReplyTo: opening,
    references: [opening],
    automatic: false,
  };
}

function resolvedNotice(deps: NotificationDeps, ticket: Ticket): Omit<OutboundMail, 'to'> {
  const domain = deps.supportAddress.split('@')[1] ?? 'spoke.invalid';
  const opening = ourMessageId(ticket.id, 'ack', domain);
  return {
    subject: `[${ticket.number}] Resolved: ${ticket.shortDescription}`,
    text: [
      `${ticket.number} has been resolved.`,
      '',
      ticket.resolution?.notes ?? '',
      '',
      'If the problem is not solved, reply to this mail and the ticket opens again.',
      link(deps, ticket),
    ].join('\n'),
    replyTo: replyAddress(deps.supportAddress, ticket.id),
    messageId: ourMessageId(ticket.id, `resolved-${ticket.version}`, domain),
    inReplyTo: opening,
    references: [opening],
    automatic: true,
  };
}

/**
 * The acknowledgement of a ticket opened in the portal or through the API, as mailed-in tickets
 * get one: its number, a link, and that replies to it reach the ticket. Its Message-ID is the one
 * every later mail of the ticket refers to.
 */
function openedNotice(deps: NotificationDeps, ticket: Ticket): Omit<OutboundMail, 'to'> {
  const domain = deps.supportAddress.split('@')[1] ?? 'spoke.invalid';
  return {
    subject: `[${ticket.number}] ${ticket.shortDescription}`,
    text: [
      `We have received your ${ticket.kind === 'request' ? 'request' : 'report'} and opened ${ticket.number}: ${ticket.shortDescription}.`,
      '',
      'Reply to this mail to add to it, or follow it in the portal:',
      link(deps, ticket),
      '',
      '— Spoke service desk',
    ].join('\n'),
    replyTo: replyAddress(deps.supportAddress, ticket.id),
    messageId: ourMessageId(ticket.id, 'ack', domain),
    automatic: true,
  };
}

/** The domain events the notification function receives (the bus rule and the local cloud use this list). */
export const notifiedEvents = ['ticket.created', 'article.added', 'ticket.updated', 'ticket.rated'] as const;

/** Mailed-in tickets are acknowledged by the inbound flow itself; these channels are here. */
const acknowledgedHere: readonly unknown[] = ['portal', 'api'];

/**
 * Mails the people of a ticket about what just happened to it: its opening (portal and API
 * tickets; mail ones are acknowledged on arrival), an agent's public reply, and
 * the resolution. Internal notes are never mailed, nor anything to the person who caused it;
 * each address is capped per hour, and the Message-ID SES returns is remembered so replies
 * thread back. Each recipient is mailed once per event however often the event is delivered:
 * a claim in the delivery ledger comes before the send, a record of the delivery after it, and
 * a failed send gives the claim back so the retry tries that recipient again. Returns the
 * addresses mailed by this call.
 */
export async function notifyAboutEvent(deps: NotificationDeps, event: DomainEvent): Promise<string[]> {
  const ticketId = typeof event.detail.ticketId === 'string' ? event.detail.ticketId : undefined;
  if (!ticketId || !(notifiedEvents as readonly string[]).includes(event.type)) return [];
  if (event.type === 'ticket.rated') return deps.survey ? followUpLowRating(deps.survey, event) : [];
  if (event.type === 'ticket.created' && !acknowledgedHere.includes(event.detail.channel)) return [];
  const found = await deps.tickets.get(ticketId);
  if (!found) return [];
  const { ticket, articles } = found;
  let mail: Omit<OutboundMail, 'to'> | undefined;
  let author: string | undefined;
  let survey: string[] = [];
  if (event.type === 'ticket.created') {
    mail = openedNotice(deps, ticket);
  } else if (event.type === 'article.added') {
    const article = articles.find((a) => a.id === event.detail.articleId);
    if (article?.type !== 'reply' || article.channel === 'system') return [];
    author = article.author.email;
    if (normalizeEmail(author) === normalizeEmail(ticket.requester.email)) return [];
    if (ticket.watchers.map(normalizeEmail).includes(normalizeEmail(author))) return [];
    mail = agentReply(deps, ticket, article);
  } else {
    const changes = Array.isArray(event.detail.changes)
      ? (event.detail.changes as { field: string; newValue?: unknown }[])
      : [];
    if (!changes.some((c) => c.field === 'state' && c.newValue === 'resolved')) return [];
    mail = resolvedNotice(deps, ticket);
    if (deps.survey) survey = await surveyMailLines(deps.survey, ticket);
  }
  const sent: string[] = [];
  const everyone = recipients(ticket, author);
  const suppressed = await deps.suppressions.suppressed(everyone);
  for (const to of everyone.filter((address) => !suppressed.has(address))) {
    const delivery = `${event.id}#${to}`;
    if (!(await deps.deliveries.claim(delivery, deps.claimSeconds ?? 45))) continue;
    let providerMessageId: string;
    try {
      if (!(await deps.rateLimiter.tryTake(`notify:${to}`, deps.perRecipientPerHour, 3600))) {
        await deps.deliveries.release(delivery);
        continue;
      }
      // Only the requester rates: the survey links are in their copy alone.
      const text =
        survey.length > 0 && to === normalizeEmail(ticket.requester.email)
          ? `${mail.text}\n${survey.join('\n')}`
          : mail.text;
      ({ providerMessageId } = await deps.mailer.send({ ...mail, text, to: [to] }));
    } catch (error) {
      await deps.deliveries.release(delivery);
      throw error;
    }
    await deps.deliveries.delivered(delivery);
    await deps.references.remember([mail.messageId, providerMessageId], ticket.id);
    sent.push(to);
  }
  return sent;
}

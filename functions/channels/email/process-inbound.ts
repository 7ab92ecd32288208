import type { Actor } from '#core/identity/actor.ts';
import { MESSAGE_ID } from '#core/mail/message-id.ts';
import { NotFoundError, ValidationError } from '#core/shared/errors.ts';
import { isRequesterOrWatcher, worksTicket } from '#core/ticket/access.ts';
import { Person, type Ticket } from '#core/ticket/ticket.ts';
import { addArticle, openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';
import type { Mailer, OutboundMail, RawMailStore } from '#ports/mail.ts';
import type { MailReferenceStore } from '#ports/mail-references.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import type { RateLimiter } from '#ports/rate-limiter.ts';
import type { SuppressionList } from '#ports/suppression-list.ts';
import { automaticMailReason } from './filters/automatic-mail.ts';
import { type SesVerdicts, verdictQuarantineReason } from './filters/ses-verdicts.ts';
import { htmlToText } from './html-to-text.ts';
import { type MailAttachmentDeps, planMailAttachments, storeMailAttachments } from './mail-attachments.ts';
import { type ParsedMail, parseMail } from './parse.ts';
import { splitReply } from './reply-text.ts';
import { sanitizeMailHtml } from './sanitize-html.ts';
import { findThread, ourMessageId, replyAddress, type ThreadMatch } from './thread.ts';

export interface InboundMailDeps extends TicketDeps {
  readonly rawMail: RawMailStore;
  readonly quarantine: QuarantineStore;
  readonly mailer: Mailer;
  readonly references: MailReferenceStore;
  readonly rateLimiter: RateLimiter;
  /** Where the files of a mail go: the ticket's attachments. */
  readonly attachments: MailAttachmentDeps;
  /** Addresses that bounced for good or complained: never acknowledged. */
  readonly suppressions: SuppressionList;
  readonly ackLimits: AcknowledgementLimits;
  readonly unknownSenders: UnknownSenderPolicy;
  readonly supportAddress: string;
  readonly portalUrl: string;
}

/** One message as SES reports it: the raw MIME is already stored under `rawKey`. */
export interface InboundMessage {
  readonly sesMessageId: string;
  readonly rawKey: string;
  readonly envelopeSender?: string;
  /** The envelope recipients the receipt rule matched (a per-ticket reply address among them, perhaps). */
  readonly recipients: readonly string[];
  readonly verdicts: SesVerdicts;
  readonly receivedAt: string;
  /** An admin released this message from quarantine: verdicts and the unknown-sender policy no longer apply. */
  readonly release?: { readonly by: string };
}

export type InboundOutcome =
  | {
      readonly kind: 'ticket';
      readonly ticket: Ticket;
      readonly created: boolean;
      readonly acknowledged: boolean;
    }
  | {
      readonly kind: 'article';
      readonly ticket: Ticket;
      readonly articleId: string;
      /** How the reply was matched to its ticket. */
      readonly threadedBy: ThreadMatch['by'];
    }
  | { readonly kind: 'quarantined'; readonly reason: string };

const SUBJECT_LIMIT = 160;
const DESCRIPTION_LIMIT = 10_000;
const ARTICLE_LIMIT = 100_000;

const truncate = (text: string, limit: number) =>
  text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
/**
 * The message's Message-ID when it is a plain `<local@domain>`: anything else (an encoded
 * word hiding a line break, say) is never stored or echoed into the headers of our mail.
 */
const wellFormedMessageId = (mail: ParsedMail): string | undefined => {
  const id = mail.messageId?.trim();
  return id && id.length <= 998 && MESSAGE_ID.test(id) ? id : undefined;
};

/**
 * What happens to mail from outside the company: `create` opens a ticket for anyone; `reply`
 * answers politely that only company addresses are served and files the message; `quarantine`
 * files it for an admin to release. Agents and anyone threading into a ticket they take part
 * in are always served.
 */
export interface UnknownSenderPolicy {
  readonly policy: 'create' | 'reply' | 'quarantine';
  /** Company mail domains (subdomains included); empty means every sender is known. */
  readonly knownDomains: readonly string[];
}

async function isKnownSender(deps: InboundMailDeps, email: string): Promise<boolean> {
  const { knownDomains, policy } = deps.unknownSenders;
  if (policy === 'create' || knownDomains.length === 0) return true;
  const domain = email.split('@')[1] ?? '';
  if (knownDomains.some((known) => domain === known || domain.endsWith(`.${known}`))) return true;
  return (await deps.groups.groupsOf(email)).length > 0;
}

function politeRefusal(deps: InboundMailDeps, to: string, original: ParsedMail) {
  const domain = deps.supportAddress.split('@')[1] ?? 'spoke.invalid';
  const id = wellFormedMessageId(original);
  return {
    to: [to],
    subject: `Re: ${(original.subject ?? '').slice(0, 140)}`,
    text: [
      'Thank you for your message.',
      '',
      'This address is the IT service desk for employees and serves company addresses only, so your',
      'message was not turned into a request. If you work with us, please write from your company',
      'address or ask your contact to open a request for you.',
      '',
      '— Service desk',
    ].join('\n'),
    messageId: `<refusal.${deps.ids.next()}@${domain}>`,
    ...(id ? { inReplyTo: id, references: [id] } : {}),
    automatic: true,
  };
}

async function sendSafely(
  deps: InboundMailDeps,
  mail: OutboundMail,
  ticketId: string | undefined,
): Promise<boolean> {
  try {
    const { providerMessageId } = await deps.mailer.send(mail);
    if (ticketId) await deps.references.remember([mail.messageId, providerMessageId], ticketId);
    return true;
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'automatic mail not sent',
        to: mail.to,
        error: String(error),
      }),
    );
    return false;
  }
}

/** How many automatic answers Spoke sends, so that no loop and no flood goes on for long. */
export interface AcknowledgementLimits {
  /** To one address per hour. @default 5 */
  readonly perSenderPerHour: number;
  /** To everyone together per minute. @default 120 */
  readonly perMinute: number;
}

export const defaultAcknowledgementLimits: AcknowledgementLimits = { perSenderPerHour: 5, perMinute: 120 };

/**
 * The suppression list and the sender's own allowance are asked together (one round trip, not
 * two); the shared per-minute allowance only when both agree, so one flooding sender cannot
 * use it up for everyone.
 */
async function mayAcknowledge(deps: InboundMailDeps, address: string): Promise<boolean> {
  const [suppressed, senderAllowed] = await Promise.all([
    deps.suppressions.suppressed([address]),
    deps.rateLimiter.tryTake(`ack:${address}`, deps.ackLimits.perSenderPerHour, 3600),
  ]);
  if (suppressed.size > 0 || !senderAllowed) return false;
  return deps.rateLimiter.tryTake('ack:*', deps.ackLimits.perMinute, 60);
}

/** The ticket a thread match points at, if it exists. */
async function threadTarget(deps: InboundMailDeps, match: ThreadMatch): Promise<Ticket | undefined> {
  if (match.by === 'subject') return deps.tickets.findByNumber(match.number);
  return (await deps.tickets.get(match.ticketId))?.ticket;
}

/**
 * The sender as the author of a follow-up, when they take part in the ticket: its requester,
 * a watcher, or an agent who works it. Anyone else opens a ticket of their own, so a quoted
 * or forwarded number never lets a stranger write into someone else's ticket.
 */
async function participant(deps: InboundMailDeps, sender: Actor, ticket: Ticket): Promise<Actor | undefined> {
  if (isRequesterOrWatcher(sender, ticket)) return sender;
  const groups = await deps.groups.groupsOf(sender.email);
  if (groups.length === 0) return undefined;
  const agent = { ...sender, groups: ['agents'] };
  return worksTicket({ actor: agent, groups }, ticket, deps.settings.agentVisibility) ? agent : undefined;
}

function senderOf(mail: ParsedMail): Actor | undefined {
  const from = mail.from && 'address' in mail.from ? mail.from : undefined;
  const address = from?.address?.trim().toLowerCase();
  if (!address || address.length > 254 || !Person.shape.email.safeParse(address).success) return undefined;
  return {
    id: `mail:${address}`,
    email: address,
    ...(from?.name ? { name: from.name.slice(0, 200) } : {}),
    groups: [],
  };
}

/**
 * The inbound mail pipeline: verdicts → parse → sender → ticket (exactly once per SES
 * message id) → acknowledgement when the message came from a person. Anything that cannot
 * become a ticket is quarantined with its reason; nothing is dropped.
 */
export async function processInboundMail(
  deps: InboundMailDeps,
  message: InboundMessage,
): Promise<InboundOutcome> {
  const quarantine = async (reason: string, mail?: ParsedMail): Promise<InboundOutcome> => {
    await deps.quarantine.put({
      id: message.sesMessageId,
      rawKey: message.rawKey,
      reason,
      receivedAt: message.receivedAt,
      ...(mail?.from && 'address' in mail.from && mail.from.address
        ? { from: mail.from.address.slice(0, 998) }
        : {}),
      ...(mail?.subject ? { subject: mail.subject.slice(0, 998) } : {}),
      ...(mail ? previewOf(mail) : {}),
    });
    await deps.events.publish([
      {
        type: 'mail.quarantined',
        id: deps.ids.next(),
        at: deps.clock.now().toISOString(),
        detail: { quarantineId: message.sesMessageId, reason, receivedAt: message.receivedAt },
      },
    ]);
    return { kind: 'quarantined', reason };
  };

  const verdictReason = message.release ? undefined : verdictQuarantineReason(message.verdicts);
  if (verdictReason) {
    // Read only for the admin's preview; an unreadable message is quarantined all the same.
    const flagged = await deps.rawMail
      .get(message.rawKey)
      .then(parseMail)
      .catch(() => undefined);
    return quarantine(verdictReason, flagged);
  }

  let mail: ParsedMail;
  try {
    mail = await parseMail(await deps.rawMail.get(message.rawKey));
  } catch (error) {
    if (error instanceof ValidationError)
      return quarantine(`unreadable message: ${error.fields[0]?.message ?? error.message}`);
    throw error;
  }
  const sender = senderOf(mail);
  if (!sender) return quarantine('no usable sender address', mail);

  const subject = mail.subject?.trim() || '(no subject)';
  const plan = planMailAttachments(mail, message.sesMessageId);
  const split = splitReply((mail.text ?? (mail.html ? htmlToText(mail.html) : '')).trim());
  const { quoted } = split;
  const body =
    plan.skipped.length > 0 ? `${split.reply}\n\n[Not kept: ${plan.skipped.join('; ')}]` : split.reply;
  const html = mail.html ? sanitizeMailHtml(mail.html, { inlineImages: plan.inlineImages }).html : undefined;
  const mailBody = { ...(quoted.trim() ? { quoted } : {}), ...(html ? { html } : {}) };
  const messageId = wellFormedMessageId(mail);

  const match = await findThread(mail, message.recipients, deps);
  const target = match && (await threadTarget(deps, match));
  const author = target && (await participant(deps, sender, target));
  if (match && target && author) {
    try {
      const { ticket, article } = await addArticle(
        deps,
        author,
        target.id,
        { type: 'reply', body: truncate(body || subject, ARTICLE_LIMIT) },
        {
          channel: 'email',
          idempotencyKey: `mail:${message.sesMessageId}`,
          ...(messageId ? { messageId } : {}),
          mail: mailBody,
        },
      );
      await storeMailAttachments(deps.attachments, ticket.id, plan, author);
      return { kind: 'article', ticket, articleId: article.id, threadedBy: match.by };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }

  const automatic = automaticMailReason(mail, message.envelopeSender);
  if (!message.release && !(await isKnownSender(deps, sender.email))) {
    const policy = deps.unknownSenders.policy;
    if (policy === 'quarantine') return quarantine(`unknown sender ${sender.email}`, mail);
    if (policy === 'reply') {
      const answered = !automatic && (await mayAcknowledge(deps, sender.email));
      if (answered) await sendSafely(deps, politeRefusal(deps, sender.email, mail), undefined);
      return quarantine(
        `unknown sender ${sender.email}${answered ? ', answered that only company addresses are served' : ''}`,
        mail,
      );
    }
  }

  const { ticket, created } = await openTicket(
    deps,
    sender,
    { shortDescription: truncate(subject, SUBJECT_LIMIT), description: truncate(body, DESCRIPTION_LIMIT) },
    {
      channel: 'email',
      idempotencyKey: `mail:${message.sesMessageId}`,
      ...(messageId ? { messageId } : {}),
      mail: mailBody,
    },
  );

  // The files and the acknowledgement do not depend on each other: one waits for the other no longer.
  const acknowledging = async () =>
    created &&
    !automatic &&
    (await mayAcknowledge(deps, sender.email)) &&
    sendSafely(deps, acknowledgement(deps, ticket, sender.email, mail), ticket.id);
  const [, acknowledged] = await Promise.all([
    storeMailAttachments(deps.attachments, ticket.id, plan, sender),
    acknowledging(),
  ]);
  return { kind: 'ticket', ticket, created, acknowledged };
}

function acknowledgement(deps: InboundMailDeps, ticket: Ticket, to: string, original: ParsedMail) {
  const domain = deps.supportAddress.split('@')[1] ?? 'spoke.invalid';
  const link = `${deps.portalUrl.replace(/\/$/, '')}/tickets/${ticket.id}`;
  return {
    to: [to],
    subject: `[${ticket.number}] ${ticket.shortDescription}`,
    text: [
      `We have received your message and opened ${ticket.number}: ${ticket.shortDescription}.`,
      '',
      'Reply to this mail to add to it (keep the number in the subject), or follow it in the portal:',
      link,
      '',
      '— Spoke service desk',
    ].join('\n'),
    replyTo: replyAddress(deps.supportAddress, ticket.id),
    messageId: ourMessageId(ticket.id, 'ack', domain),
    ...(wellFormedMessageId(original)
      ? {
          inReplyTo: wellFormedMessageId(original) as string,
          references: [wellFormedMessageId(original) as string],
        }
      : {}),
    automatic: true,
  };
}

/**
 * Releases a quarantined message into the ticket flow, as an admin decided: it runs through
 * the pipeline again without the SES verdicts and the unknown-sender policy, and the entry
 * records the ticket it became. A message that still cannot be a ticket stays in quarantine.
 */
/** The first lines of a message's text for the quarantine list (text only, never its HTML). */
function previewOf(mail: ParsedMail): { preview?: string } {
  const text = (mail.text ?? (mail.html ? htmlToText(mail.html) : '')).replace(/\s+\n/g, '\n').trim();
  return text ? { preview: text.slice(0, 2000) } : {};
}

export async function releaseQuarantinedMail(
  deps: InboundMailDeps,
  id: string,
  by: string,
): Promise<InboundOutcome> {
  const entry = await deps.quarantine.get(id);
  if (!entry) throw new NotFoundError(`No quarantined message ${id}`);
  const outcome = await processInboundMail(deps, {
    sesMessageId: entry.id,
    rawKey: entry.rawKey,
    recipients: [],
    receivedAt: entry.receivedAt,
    verdicts: {},
    release: { by },
  });
  const at = deps.clock.now().toISOString();
  if (outcome.kind === 'quarantined') {
    // Kept in quarantine again: say why on the entry, so the admin sees the outcome.
    const kept = (await deps.quarantine.get(id)) ?? entry;
    await deps.quarantine.put({ ...kept, releaseFailure: { at, by, reason: outcome.reason.slice(0, 500) } });
  } else {
    await deps.quarantine.markReleased(id, {
      at,
      by,
      ticketNumber: outcome.ticket.number,
      ticketId: outcome.ticket.id,
    });
    await deps.events.publish([
      {
        type: 'mail.released',
        id: deps.ids.next(),
        at,
        detail: { quarantineId: id, by, number: outcome.ticket.number },
      },
    ]);
  }
  return outcome;
}

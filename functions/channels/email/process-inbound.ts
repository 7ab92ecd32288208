import { type Actor, isAgent } from '#core/identity/actor.ts';
import { MESSAGE_ID } from '#core/mail/message-id.ts';
import { NotFoundError, ValidationError } from '#core/shared/errors.ts';
import { isRequesterOrWatcher, worksTicket } from '#core/ticket/access.ts';
import { addAutomaticEntry } from '#core/ticket/automatic-entry.ts';
import { isFinal } from '#core/ticket/lifecycle.ts';
import { Person, type Ticket } from '#core/ticket/ticket.ts';
import { addArticle, type MailBody, openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';
import type { AutoReplyTickets } from '#ports/auto-reply-tickets.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { Mailer, OutboundMail, RawMailStore } from '#ports/mail.ts';
import type { MailBodyStore } from '#ports/mail-body-store.ts';
import type { MailDedupe } from '#ports/mail-dedupe.ts';
import type { MailReferenceStore } from '#ports/mail-references.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import type { RateLimiter } from '#ports/rate-limiter.ts';
import type { SuppressionList } from '#ports/suppression-list.ts';
import type { MetricName } from '#ports/telemetry.ts';
import { type ArticleSuggester, acknowledgementMail, suggestionsFor } from './acknowledgement.ts';
import type { AttachmentPolicy } from './attachment-types.ts';
import { oneLine } from './clean-text.ts';
import { dedupeKey, earlierDelivery } from './dedupe.ts';
import { readDeliveryReport } from './delivery-report.ts';
import { classifyAutomaticMail, isDeliveryReport } from './filters/automatic-mail.ts';
import { outOfOfficeSubject } from './filters/out-of-office-subject.ts';
import { isOwnAddress } from './filters/own-address.ts';
import { authenticatesFrom } from './filters/sender-authentication.ts';
import { type SesVerdicts, verdictQuarantineReason } from './filters/ses-verdicts.ts';
import { htmlToText } from './html-to-text.ts';
import {
  type AttachmentPlan,
  type MailAttachmentDeps,
  planMailAttachments,
  storeMailAttachments,
} from './mail-attachments.ts';
import { keepMailBody } from './mail-body.ts';
import { headersOnly, type ParsedMail, parseMail } from './parse.ts';
import { splitReply } from './reply-text.ts';
import { sanitizeMailHtml } from './sanitize-html.ts';
import {
  findThread,
  namesNoThread,
  sesMessageIds,
  type ThreadMatch,
  ticketIdFromMessageId,
} from './thread.ts';

export interface InboundMailDeps extends TicketDeps {
  readonly rawMail: RawMailStore;
  readonly quarantine: QuarantineStore;
  readonly mailer: Mailer;
  readonly references: MailReferenceStore;
  readonly rateLimiter: RateLimiter;
  /** Where the files of a mail go: the ticket's attachments. */
  readonly attachments: MailAttachmentDeps;
  /** Which files of a mail are never kept (executables). */
  readonly attachmentPolicy: AttachmentPolicy;
  /** Where the whole body of a mail too large for an article item is kept. */
  readonly mailBodies: MailBodyStore;
  /** Which delivery first carried a mail, so a second copy is recognised. */
  readonly dedupe: MailDedupe;
  /** The ticket each sender's last auto-reply opened, so the next ones do not open more. */
  readonly autoReplyTickets: AutoReplyTickets;
  /** Addresses that bounced for good or complained: never acknowledged. */
  readonly suppressions: SuppressionList;
  readonly ackLimits: AcknowledgementLimits;
  readonly unknownSenders: UnknownSenderPolicy;
  readonly supportAddress: string;
  readonly portalUrl: string;
  /** Published employee articles for a new ticket's acknowledgement (none without it). */
  readonly suggestArticles?: ArticleSuggester;
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
  | { readonly kind: 'quarantined'; readonly reason: string }
  /** Automatic mail (an auto-reply, a bounce) kept as an internal entry on the ticket it concerns. */
  | {
      readonly kind: 'system-entry';
      readonly ticket: Ticket;
      readonly articleId: string;
      readonly reason: string;
    }
  /** The same mail (Message-ID, sender, content) arrived before as another SES message: nothing is stored twice. */
  | { readonly kind: 'duplicate'; readonly firstSesMessageId: string };

/** What the logs and metrics say about an outcome: one metric per kind, and the details. */
export function outcomeSummary(outcome: InboundOutcome): {
  readonly metric: MetricName;
  readonly ticketNumber?: string;
  readonly detail: Readonly<Record<string, unknown>>;
} {
  switch (outcome.kind) {
    case 'ticket':
      return {
        metric: 'MailsProcessed',
        ticketNumber: outcome.ticket.number,
        detail: { created: outcome.created },
      };
    case 'article':
      return {
        metric: 'MailsProcessed',
        ticketNumber: outcome.ticket.number,
        detail: { threadedBy: outcome.threadedBy },
      };
    case 'quarantined':
      return { metric: 'MailsQuarantined', detail: { reason: outcome.reason } };
    case 'system-entry':
      return {
        metric: 'MailsProcessed',
        ticketNumber: outcome.ticket.number,
        detail: { automatic: outcome.reason },
      };
    case 'duplicate':
      return { metric: 'MailsProcessed', detail: { firstSesMessageId: outcome.firstSesMessageId } };
  }
}

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

/** Whether the policy serves the sender without asking the group directory (a company domain, say). */
function knownByDomain(deps: InboundMailDeps, email: string): boolean {
  const { knownDomains, policy } = deps.unknownSenders;
  if (policy === 'create' || knownDomains.length === 0) return true;
  const domain = email.split('@')[1] ?? '';
  return knownDomains.some((known) => domain === known || domain.endsWith(`.${known}`));
}

async function isKnownSender(deps: InboundMailDeps, email: string): Promise<boolean> {
  return knownByDomain(deps, email) || (await deps.groups.groupsOf(email)).length > 0;
}

/**
 * A publisher that sends at once but does not hold its caller: `settled()` waits for every
 * publish and throws the first failure, so nothing published is unobserved.
 */
function publishedAlongside(events: DomainEventPublisher) {
  const pending: Promise<void>[] = [];
  return {
    publisher: {
      publish(list: Parameters<DomainEventPublisher['publish']>[0]) {
        const sent = events.publish(list);
        sent.catch(() => undefined);
        pending.push(sent);
        return Promise.resolve();
      },
    } satisfies DomainEventPublisher,
    settled: () => Promise.all(pending).then(() => undefined),
  };
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

/** The thread a mail names (`findThread`) and the ticket it points at. */
async function threadOf(
  deps: InboundMailDeps,
  mail: ParsedMail,
  recipients: readonly string[],
): Promise<{ match?: ThreadMatch; target?: Ticket }> {
  const match = await findThread(mail, recipients, deps);
  return match ? { match, target: await threadTarget(deps, match) } : {};
}

/**
 * The sender as the author of a follow-up, when they take part in the ticket: its requester,
 * a watcher, or an agent who works it. Anyone else opens a ticket of their own, so a quoted
 * or forwarded number never lets a stranger write into someone else's ticket. Only mail that
 * authenticates for its From domain may act as an agent (see sender-authentication.ts).
 */
async function participant(
  deps: InboundMailDeps,
  sender: Actor,
  ticket: Ticket,
  authenticated: boolean,
): Promise<Actor | undefined> {
  if (isRequesterOrWatcher(sender, ticket)) return sender;
  if (!authenticated) return undefined;
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
    ...(oneLine(from?.name) ? { name: oneLine(from?.name).slice(0, 200) } : {}),
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
    // A release that still cannot make a ticket leaves the entry as it was; the caller records why.
    if (message.release) return { kind: 'quarantined', reason };
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
  const raw = await deps.rawMail.get(message.rawKey);
  try {
    mail = await parseMail(raw);
  } catch (error) {
    if (error instanceof ValidationError)
      return quarantine(
        `unreadable message: ${error.fields[0]?.message ?? error.message}`.slice(0, 500),
        await headersOnly(raw),
      );
    throw error;
  }
  const sender = senderOf(mail);
  if (!sender) return quarantine('no usable sender address', mail);
  const messageId = wellFormedMessageId(mail);
  const subject = oneLine(mail.subject) || '(no subject)';
  const automatic = classifyAutomaticMail(mail, message.envelopeSender, deps.supportAddress);
  const ownAddress = isOwnAddress(sender.email, deps.supportAddress);
  const autoReply = automatic?.kind === 'auto-reply' || outOfOfficeSubject(subject) !== undefined;
  // Mail from a person that names no ticket opens one, unless it is a copy or a policy holds it:
  // its number is taken while the copy check runs (a gap when it was a copy, which numbers allow).
  const number =
    !automatic &&
    !ownAddress &&
    !autoReply &&
    knownByDomain(deps, sender.email) &&
    namesNoThread(mail, message.recipients, deps.supportAddress)
      ? deps.tickets.reserveNumber?.('incident')
      : undefined;
  // The ticket the mail answers is looked up while the copy check runs (reads only: a copy wastes one).
  const threading = threadOf(deps, mail, message.recipients);
  threading.catch(() => undefined);
  const first = await earlierDelivery(
    deps.dedupe,
    dedupeKey(mail, messageId, sender.email),
    message.sesMessageId,
  );
  if (first) return { kind: 'duplicate', firstSesMessageId: first };

  const plan = planMailAttachments(mail, message.sesMessageId, deps.attachmentPolicy);
  const split = splitReply((mail.text ?? (mail.html ? htmlToText(mail.html) : '')).trim());
  const { quoted } = split;
  const fullText =
    plan.skipped.length > 0 ? `${split.reply}\n\n[Not kept: ${plan.skipped.join('; ')}]` : split.reply;
  const html = mail.html ? sanitizeMailHtml(mail.html, { inlineImages: plan.inlineImages }).html : undefined;
  const kept = await keepMailBody(
    deps.mailBodies,
    message.sesMessageId,
    {
      text: fullText,
      ...(quoted.trim() ? { quoted } : {}),
      ...(html ? { html } : {}),
    },
    DESCRIPTION_LIMIT,
  );
  const body = kept.text;
  const mailBody = kept.mail;

  const content = { body, subject, messageId, mailBody, plan };

  if (automatic?.kind === 'bounce' && isDeliveryReport(mail)) {
    return deliveryReport(deps, message, mail, sender, content, automatic.reason, quarantine);
  }

  const { match, target } = await threading;
  const author =
    target &&
    (await participant(deps, sender, target, authenticatesFrom(mail, sender.email, message.verdicts)));
  if (
    match &&
    target &&
    (ownAddress || automatic) &&
    (author || ownAddress || automatic?.kind === 'bounce')
  ) {
    return automaticEntry(
      deps,
      message,
      target.id,
      sender,
      content,
      automatic?.reason ?? 'from our own address',
    );
  }
  if (ownAddress) return quarantine(`sent from our own address ${sender.email}`, mail);
  if (match && target && author) {
    try {
      const agentAutoReply = outOfOfficeSubject(subject) !== undefined && isAgent(author);
      const { ticket, article } = await addArticle(
        deps,
        author,
        target.id,
        { type: agentAutoReply ? 'note' : 'reply', body: truncate(body || subject, ARTICLE_LIMIT) },
        {
          channel: 'email',
          idempotencyKey: `mail:${message.sesMessageId}`,
          ...(messageId ? { messageId } : {}),
          mail: mailBody,
          current: target,
        },
      );
      await storeMailAttachments(deps.attachments, ticket.id, plan, author);
      return { kind: 'article', ticket, articleId: article.id, threadedBy: match.by };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }

  if (autoReply) {
    const earlier = await deps.autoReplyTickets.ticketFor(sender.email);
    const open = earlier ? (await deps.tickets.get(earlier))?.ticket : undefined;
    if (open && !isFinal(open.state)) {
      return automaticEntry(
        deps,
        message,
        open.id,
        sender,
        content,
        automatic?.reason ?? `subject "${subject.slice(0, 60)}"`,
      );
    }
  }

  if (!message.release && !(await isKnownSender(deps, sender.email))) {
    const policy = deps.unknownSenders.policy;
    if (policy === 'quarantine') return quarantine(`unknown sender ${sender.email}`, mail);
    if (policy === 'reply') {
      const answered = !automatic && !autoReply && (await mayAcknowledge(deps, sender.email));
      if (answered) await sendSafely(deps, politeRefusal(deps, sender.email, mail), undefined);
      return quarantine(
        `unknown sender ${sender.email}${answered ? ', answered that only company addresses are served' : ''}`,
        mail,
      );
    }
  }

  // Whether the sender may be answered is asked while the ticket is written, and the ticket's
  // events go out while the answer does (all awaited before the handler returns). A retried
  // delivery (`created` false) has then taken one acknowledgement from the allowance for nothing.
  const events = publishedAlongside(deps.events);
  const [{ ticket, created }, mayAnswer] = await Promise.all([
    openTicket(
      { ...deps, events: events.publisher },
      sender,
      { shortDescription: truncate(subject, SUBJECT_LIMIT), description: truncate(body, DESCRIPTION_LIMIT) },
      {
        channel: 'email',
        idempotencyKey: `mail:${message.sesMessageId}`,
        ...(messageId ? { messageId } : {}),
        mail: mailBody,
        ...(number ? { number } : {}),
      },
    ),
    !automatic && !autoReply && mayAcknowledge(deps, sender.email),
  ]);

  if (autoReply) await deps.autoReplyTickets.remember(sender.email, ticket.id);
  // The files and the acknowledgement do not depend on each other: one waits for the other no longer.
  const acknowledging = async () =>
    created &&
    mayAnswer &&
    sendSafely(deps, await acknowledgement(deps, ticket, sender.email, mail), ticket.id);
  const [, acknowledged] = await Promise.all([
    storeMailAttachments(deps.attachments, ticket.id, plan, sender),
    acknowledging(),
    events.settled(),
  ]);
  return { kind: 'ticket', ticket, created, acknowledged };
}

/** What the pipeline has made of a message by the time it decides where it goes. */
interface MailContent {
  readonly body: string;
  readonly subject: string;
  readonly messageId: string | undefined;
  readonly mailBody: MailBody;
  readonly plan: AttachmentPlan;
}

/** Files automatic mail onto a ticket as an internal entry, never mailed on. */
async function automaticEntry(
  deps: InboundMailDeps,
  message: InboundMessage,
  ticketId: string,
  sender: Actor,
  content: MailContent,
  reason: string,
): Promise<InboundOutcome> {
  const { ticket, article } = await addAutomaticEntry(deps, ticketId, {
    author: { email: sender.email, ...(sender.name ? { name: sender.name } : {}) },
    body: truncate(`${content.subject}\n\n${content.body}`.trim(), ARTICLE_LIMIT),
    reason,
    ...(content.messageId ? { messageId: content.messageId } : {}),
    mail: content.mailBody,
    idempotencyKey: `mail:${message.sesMessageId}`,
  });
  await storeMailAttachments(deps.attachments, ticket.id, content.plan, sender);
  return { kind: 'system-entry', ticket, articleId: article.id, reason };
}

/**
 * A delivery report: every recipient that failed for good is marked as bouncing (Spoke mails
 * them no more), and the report is filed on the ticket whose mail bounced, found through the
 * returned message's Message-ID. A report about mail that is not ours opens no ticket: it is
 * kept in quarantine.
 */
async function deliveryReport(
  deps: InboundMailDeps,
  message: InboundMessage,
  mail: ParsedMail,
  sender: Actor,
  content: MailContent,
  reason: string,
  quarantine: (reason: string, mail?: ParsedMail) => Promise<InboundOutcome>,
): Promise<InboundOutcome> {
  const report = readDeliveryReport(mail);
  const failed = report.recipients.filter((r) => r.permanent);
  for (const recipient of failed) {
    if (!isOwnAddress(recipient.address, deps.supportAddress))
      await deps.suppressions.suppress(recipient.address, `bounced ${recipient.status} (delivery report)`);
  }
  const domain = deps.supportAddress.split('@')[1] ?? '';
  const ticketId =
    report.originalMessageIds.map((id) => ticketIdFromMessageId(id, domain)).find(Boolean) ??
    (await deps.references.ticketFor(report.originalMessageIds.flatMap(sesMessageIds)));
  const summary = report.recipients.map((r) => `${r.address}: ${r.action || 'unknown'} ${r.status}`.trim());
  const described = `${reason}${summary.length ? ` (${summary.join('; ')})` : ''}`.slice(0, 200);
  if (ticketId && (await deps.tickets.get(ticketId))) {
    return automaticEntry(deps, message, ticketId, sender, content, described);
  }
  return quarantine(`${described.slice(0, 150)}: no ticket of ours bounced`, mail);
}

async function acknowledgement(deps: InboundMailDeps, ticket: Ticket, to: string, original: ParsedMail) {
  return acknowledgementMail({
    ticket,
    to,
    supportAddress: deps.supportAddress,
    portalUrl: deps.portalUrl,
    inReplyTo: wellFormedMessageId(original),
    articles: await suggestionsFor(deps.suggestArticles, ticket.shortDescription),
  });
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
  if (outcome.kind === 'quarantined' || outcome.kind === 'duplicate') {
    // Kept in quarantine again: say why on the entry, so the admin sees the outcome.
    const reason =
      outcome.kind === 'quarantined' ? outcome.reason : `a copy of message ${outcome.firstSesMessageId}`;
    const kept = (await deps.quarantine.get(id)) ?? entry;
    await deps.quarantine.put({ ...kept, releaseFailure: { at, by, reason: reason.slice(0, 500) } });
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

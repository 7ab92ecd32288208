import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAttachmentStore } from '#adapters/dynamodb/attachment-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoMailReferenceStore } from '#adapters/dynamodb/mail-references.dynamo.ts';
import { DynamoQuarantineStore } from '#adapters/dynamodb/quarantine-store.dynamo.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limiter.dynamo.ts';
import { DynamoSuppressionList } from '#adapters/dynamodb/suppression-list.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { type NotificationDeps, notifyAboutEvent } from '#channels/email/notifications.ts';
import {
  type InboundMailDeps,
  type InboundOutcome,
  processInboundMail,
  releaseQuarantinedMail,
} from '#channels/email/process-inbound.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import {
  addArticle,
  defaultTicketSettings,
  openTicket,
  updateTicket,
  viewTicket,
} from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { freshTables } from '../support/dynamodb.ts';
import { memoryAttachmentStorage } from '../support/memory-attachment-storage.ts';

const SUPPORT = 'support@help.example.com';
const admin = { id: 'admin', email: 'admin@example.com', groups: ['admins', 'agents'] };
const agent = { id: 'agent', email: 'alex@example.com', groups: ['agents'] };

let deps: InboundMailDeps;
const raw = new Map<string, Uint8Array>();
const sent: (OutboundMail & { providerMessageId: string })[] = [];
let delivered = 0;
const attachmentStorage = memoryAttachmentStorage();
const storedFiles = attachmentStorage.files;

beforeAll(async () => {
  const tables = await freshTables();
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, admin, { id: 'service-desk', name: 'Service Desk' });
  await addMember({ groups, clock }, admin, 'service-desk', { email: agent.email });
  await groups.saveRoutingConfig(
    { rules: [], defaultGroup: 'service-desk', version: 1, updatedAt: new Date().toISOString() },
    0,
  );
  deps = {
    tickets: new DynamoTicketStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }),
    quarantine: new DynamoQuarantineStore(tables.documents, tables.domainTable),
    references: new DynamoMailReferenceStore(tables.documents, tables.domainTable),
    attachments: {
      storage: attachmentStorage,
      records: new DynamoAttachmentStore(tables.documents, tables.domainTable),
      clock: clock,
    },
    rateLimiter: new DynamoRateLimiter(tables.documents, tables.idempotencyTable, clock),
    suppressions: new DynamoSuppressionList(tables.documents, tables.domainTable, clock),
    unknownSenders: { policy: 'create', knownDomains: [] },
    ackLimits: { perSenderPerHour: 1000, perMinute: 1000 },
    groups,
    routing: groups,
    clock,
    ids: ulids,
    events: { publish: async () => undefined },
    settings: defaultTicketSettings,
    rawMail: {
      get: async (key) => raw.get(key) as Uint8Array,
      put: async (key, bytes) => void raw.set(key, bytes),
    },
    mailer: {
      async send(mail) {
        const providerMessageId = `0100019a${String(sent.length).padStart(8, '0')}-ses`;
        sent.push({ ...mail, providerMessageId });
        return { providerMessageId };
      },
    },
    supportAddress: SUPPORT,
    portalUrl: 'https://help.example.com',
  };
});

interface Mail {
  from: string;
  to?: string;
  subject: string;
  body?: string;
  headers?: Record<string, string>;
  sesMessageId?: string;
}

async function receive(mail: Mail): Promise<InboundOutcome> {
  const sesMessageId = mail.sesMessageId ?? `ses-${++delivered}-${Date.now()}`;
  const headers = {
    From: mail.from,
    To: mail.to ?? SUPPORT,
    Subject: mail.subject,
    'Message-ID': `<${sesMessageId}@client.example.com>`,
    ...mail.headers,
  };
  const text = `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${mail.body ?? 'Hello'}\r\n`;
  raw.set(`raw/${sesMessageId}`, new TextEncoder().encode(text));
  return processInboundMail(deps, {
    sesMessageId,
    rawKey: `raw/${sesMessageId}`,
    envelopeSender: mail.from,
    recipients: [mail.to ?? SUPPORT],
    receivedAt: new Date().toISOString(),
    verdicts: { spam: 'PASS', virus: 'PASS', dmarc: 'PASS' },
  });
}

async function newTicket(from = 'emma@example.com', subject = 'Printer offline') {
  const outcome = await receive({ from, subject, body: 'It says offline.' });
  if (outcome.kind !== 'ticket') throw new Error(`expected a ticket, got ${outcome.kind}`);
  const ack = sent.at(-1);
  if (!ack) throw new Error('no acknowledgement');
  return { ticket: outcome.ticket, ack };
}

const conversation = async (ticketId: string) =>
  (await viewTicket(deps, admin, ticketId)).articles.map((a) => `${a.author.email}: ${a.body}`);

describe('threading replies into their ticket', () => {
  it('acknowledges with our Message-ID and a per-ticket reply address', async () => {
    const { ticket, ack } = await newTicket();
    expect(ack.messageId).toBe(`<${ticket.id}.ack@help.example.com>`);
    expect(ack.replyTo).toBe(`support+${ticket.id.toLowerCase()}@help.example.com`);
    expect(ack.subject).toContain(`[${ticket.number}]`);
  });

  it('by In-Reply-To', async () => {
    const { ticket, ack } = await newTicket();
    const outcome = await receive({
      from: 'emma@example.com',
      subject: 'Re: the printer',
      body: 'Still offline',
      headers: { 'In-Reply-To': ack.messageId },
    });
    expect(outcome).toMatchObject({ kind: 'article', threadedBy: 'message-id', ticket: { id: ticket.id } });
    expect(await conversation(ticket.id)).toContain('emma@example.com: Still offline');
  });

  it('by References only, including the id SES gave our mail', async () => {
    const { ticket, ack } = await newTicket();
    const sesId = `<${ack.providerMessageId}@eu-west-1.amazonses.com>`;
    const outcome = await receive({
      from: 'emma@example.com',
      subject: 'Re: something',
      headers: { References: `<older@client.example.com> ${sesId}` },
    });
    expect(outcome).toMatchObject({ kind: 'article', threadedBy: 'message-id', ticket: { id: ticket.id } });
  });

  it('by the reply address only', async () => {
    const { ticket, ack } = await newTicket();
    const outcome = await receive({ from: 'emma@example.com', to: ack.replyTo, subject: 'one more thing' });
    expect(outcome).toMatchObject({
      kind: 'article',
      threadedBy: 'reply-address',
      ticket: { id: ticket.id },
    });
  });

  it('by the number in the subject only', async () => {
    const { ticket } = await newTicket();
    const outcome = await receive({
      from: 'Emma <EMMA@example.com>',
      subject: `Re: [${ticket.number}] any news?`,
    });
    expect(outcome).toMatchObject({ kind: 'article', threadedBy: 'subject', ticket: { id: ticket.id } });
  });

  it('from an agent of the ticket’s group, as an agent reply', async () => {
    const { ticket, ack } = await newTicket();
    const outcome = await receive({
      from: agent.email,
      subject: 'Re',
      body: 'On my way',
      headers: { 'In-Reply-To': ack.messageId },
    });
    expect(outcome).toMatchObject({ kind: 'article', ticket: { id: ticket.id } });
  });
});

describe('mail that quotes a ticket but does not belong in it', () => {
  it('a stranger quoting a ticket number opens their own ticket', async () => {
    const { ticket } = await newTicket();
    const outcome = await receive({ from: 'mallory@evil.example', subject: `Re: [${ticket.number}] hi` });
    expect(outcome.kind).toBe('ticket');
    expect(outcome.kind === 'ticket' && outcome.ticket.id).not.toBe(ticket.id);
    expect(await conversation(ticket.id)).not.toContain('mallory@evil.example: Hello');
  });

  it('a colleague writing back on a forwarded ticket mail opens their own ticket', async () => {
    const { ticket, ack } = await newTicket();
    const outcome = await receive({
      from: 'colleague@example.com',
      subject: `Fwd: [${ticket.number}] Printer offline`,
      body: 'Mine is offline too',
      headers: { References: ack.messageId, 'In-Reply-To': ack.messageId },
    });
    expect(outcome.kind).toBe('ticket');
    expect(outcome.kind === 'ticket' && outcome.ticket.requester.email).toBe('colleague@example.com');
  });

  it('a reply to a closed ticket opens a new one instead of failing', async () => {
    const { ticket, ack } = await newTicket();
    // A deployment that lets requesters add outside people (WATCHER_POLICY=any).
    const anyWatcher = { ...deps, settings: { ...deps.settings, watcherPolicy: 'any' as const } };
    await updateTicket(anyWatcher, { id: 'emma', email: 'emma@example.com', groups: [] }, ticket.id, {
      version: 1,
      state: 'cancelled',
    });
    const outcome = await receive({
      from: 'emma@example.com',
      subject: 'Re',
      headers: { 'In-Reply-To': ack.messageId },
    });
    expect(outcome.kind).toBe('ticket');
  });
});

describe('exactly once', () => {
  it('the same SES message delivered twice gives one article', async () => {
    const { ticket, ack } = await newTicket();
    const reply = {
      from: 'emma@example.com',
      subject: 'Re',
      body: 'only once',
      headers: { 'In-Reply-To': ack.messageId },
      sesMessageId: `dup-${Date.now()}`,
    };
    await receive(reply);
    await receive(reply);
    expect((await conversation(ticket.id)).filter((line) => line.endsWith('only once'))).toHaveLength(1);
  });
});

describe('what a mail article keeps', () => {
  it('shows the new part of a reply first and keeps the quoted history apart', async () => {
    const { ticket, ack } = await newTicket();
    await receive({
      from: 'emma@example.com',
      subject: 'Re',
      body: 'It works again, thanks!\r\n\r\nOn Mon, 1 Dec 2026 at 09:00, Spoke <support@help.example.com> wrote:\r\n> We have received your message.\r\n> Reply to this mail.',
      headers: { 'In-Reply-To': ack.messageId },
    });
    const article = (await viewTicket(deps, admin, ticket.id)).articles.at(-1);
    expect(article?.body).toBe('It works again, thanks!');
    expect(article?.quoted).toContain('> We have received your message.');
  });

  it('stores HTML only after sanitizing it, and always a plain-text version', async () => {
    const outcome = await receive({
      from: 'emma@example.com',
      subject: 'Screenshot',
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: '<p onclick="steal()">Look <a href="javascript:alert(1)">here</a></p><script>alert(1)</script><img src="https://tracker.example/p.gif">',
    });
    if (outcome.kind !== 'ticket') throw new Error(outcome.kind);
    const [first] = (await viewTicket(deps, admin, outcome.ticket.id)).articles;
    expect(first?.body).toContain('Look here');
    expect(first?.html).toContain('<p>Look');
    expect(first?.html).not.toMatch(/script|onclick|javascript:| src="https:\/\/tracker/);
    expect(first?.html).toContain('data-blocked-src="https://tracker.example/p.gif"');
  });
});

describe('loops and floods', () => {
  it('acknowledges a sender who mails 50 times in a minute at most the configured number of times', async () => {
    const limited = { ...deps, ackLimits: { perSenderPerHour: 3, perMinute: 1000 } };
    const before = sent.length;
    const flooder = `flood-${Date.now()}@example.com`;
    for (let i = 0; i < 50; i++) {
      const sesMessageId = `flood-${i}-${Date.now()}`;
      raw.set(
        `raw/${sesMessageId}`,
        new TextEncoder().encode(`From: ${flooder}\r\nSubject: help ${i}\r\n\r\nplease\r\n`),
      );
      const outcome = await processInboundMail(limited, {
        sesMessageId,
        rawKey: `raw/${sesMessageId}`,
        envelopeSender: flooder,
        recipients: [SUPPORT],
        receivedAt: new Date().toISOString(),
        verdicts: {},
      });
      expect(outcome.kind).toBe('ticket');
    }
    expect(sent.slice(before).filter((m) => m.to.includes(flooder))).toHaveLength(3);
  });

  it('never answers an out-of-office reply, a bounce, bulk mail or our own acknowledgement coming back', async () => {
    const { ack } = await newTicket('loop@example.com', 'Start');
    const before = sent.length;
    await receive({
      from: 'loop@example.com',
      subject: 'Out of office',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await receive({ from: 'news@example.com', subject: 'Digest', headers: { Precedence: 'bulk' } });
    await receive({ from: 'MAILER-DAEMON@example.com', subject: 'Undelivered Mail', body: 'failed' });
    await receive({
      from: SUPPORT,
      subject: ack.subject,
      headers: { 'Auto-Submitted': 'auto-replied', 'Message-ID': ack.messageId },
    });
    expect(sent.length).toBe(before);
  });
});

describe('unknown senders', () => {
  const withPolicy = (policy: 'reply' | 'quarantine') => ({
    ...deps,
    unknownSenders: { policy, knownDomains: ['example.com'] },
  });
  const deliver = async (policy: 'reply' | 'quarantine', from: string, headers = '') => {
    const sesMessageId = `unknown-${policy}-${Math.random().toString(36).slice(2)}`;
    raw.set(
      `raw/${sesMessageId}`,
      new TextEncoder().encode(`From: ${from}\r\nSubject: Offer\r\n${headers}\r\nBuy now\r\n`),
    );
    return processInboundMail(withPolicy(policy), {
      sesMessageId,
      rawKey: `raw/${sesMessageId}`,
      envelopeSender: from,
      recipients: [SUPPORT],
      receivedAt: new Date().toISOString(),
      verdicts: {},
    });
  };

  it('quarantines mail from outside the company domains under the quarantine policy, but serves employees', async () => {
    expect(await deliver('quarantine', 'sales@vendor.test')).toEqual({
      kind: 'quarantined',
      reason: 'unknown sender sales@vendor.test',
    });
    expect((await deliver('quarantine', 'emma@mail.example.com')).kind).toBe('ticket');
  });

  it('answers politely under the reply policy, once per rate limit, and never an automatic mail', async () => {
    const before = sent.length;
    const outcome = await deliver('reply', 'someone@vendor.test');
    expect(outcome).toMatchObject({ kind: 'quarantined', reason: expect.stringContaining('answered') });
    const refusal = sent.at(-1);
    expect(sent.length).toBe(before + 1);
    expect(refusal).toMatchObject({ to: ['someone@vendor.test'], automatic: true });
    expect(refusal?.text).toContain('company addresses');
    await deliver('reply', 'robot@vendor.test', 'Auto-Submitted: auto-replied\r\n');
    expect(sent.length).toBe(before + 1);
  });

  it('lets an admin release a quarantined message into a ticket, recorded on the entry', async () => {
    const outcome = await deliver('quarantine', 'partner@vendor.test');
    expect(outcome.kind).toBe('quarantined');
    const entry = (await deps.quarantine.list({ limit: 100 })).items.find(
      (q) => q.from === 'partner@vendor.test',
    );
    if (!entry) throw new Error('not quarantined');

    const released = await releaseQuarantinedMail(withPolicy('quarantine'), entry.id, admin.email);

    expect(released.kind).toBe('ticket');
    const after = await deps.quarantine.get(entry.id);
    expect(after?.released).toMatchObject({
      by: admin.email,
      ticketNumber: released.kind === 'ticket' ? released.ticket.number : '',
      ticketId: released.kind === 'ticket' ? released.ticket.id : '',
    });
    await expect(releaseQuarantinedMail(deps, 'no-such-entry', admin.email)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('records a release that made no ticket, with the reason, and keeps a text preview of the message', async () => {
    const sesMessageId = `nosender-${Math.random().toString(36).slice(2)}`;
    raw.set(
      `raw/${sesMessageId}`,
      new TextEncoder().encode(
        'From: undisclosed-recipients:;\r\nSubject: Who sent this\r\n\r\nNobody knows.\r\n',
      ),
    );
    const message = { sesMessageId, rawKey: `raw/${sesMessageId}`, recipients: [SUPPORT], verdicts: {} };
    await processInboundMail(deps, { ...message, receivedAt: new Date().toISOString() });
    expect(await deps.quarantine.get(sesMessageId)).toMatchObject({ preview: 'Nobody knows.' });

    const outcome = await releaseQuarantinedMail(deps, sesMessageId, admin.email);

    expect(outcome).toEqual({ kind: 'quarantined', reason: 'no usable sender address' });
    const after = await deps.quarantine.get(sesMessageId);
    expect(after?.released).toBeUndefined();
    expect(after?.releaseFailure).toEqual({
      at: expect.any(String),
      by: admin.email,
      reason: 'no usable sender address',
    });
  });

  it('still threads a reply from an outside watcher into the ticket they watch', async () => {
    const { ticket, ack } = await newTicket();
    // A deployment that lets requesters add outside people (WATCHER_POLICY=any).
    const anyWatcher = { ...deps, settings: { ...deps.settings, watcherPolicy: 'any' as const } };
    await updateTicket(anyWatcher, { id: 'emma', email: 'emma@example.com', groups: [] }, ticket.id, {
      version: 1,
      watchers: ['vendor@partner.test'],
    });
    const sesMessageId = `watcher-${Date.now()}`;
    raw.set(
      `raw/${sesMessageId}`,
      new TextEncoder().encode(
        `From: vendor@partner.test\r\nIn-Reply-To: ${ack.messageId}\r\nSubject: Re\r\n\r\nPart shipped\r\n`,
      ),
    );
    const outcome = await processInboundMail(withPolicy('quarantine'), {
      sesMessageId,
      rawKey: `raw/${sesMessageId}`,
      recipients: [SUPPORT],
      receivedAt: new Date().toISOString(),
      verdicts: {},
    });
    expect(outcome).toMatchObject({ kind: 'article', ticket: { id: ticket.id } });
  });
});

describe('notifications by mail', () => {
  const notifying = () => {
    const events: DomainEvent[] = [];
    const engine = {
      ...deps,
      events: { publish: async (published: readonly DomainEvent[]) => void events.push(...published) },
    };
    const notifier: NotificationDeps = {
      tickets: deps.tickets,
      mailer: deps.mailer,
      references: deps.references,
      rateLimiter: deps.rateLimiter,
      suppressions: deps.suppressions,
      supportAddress: SUPPORT,
      portalUrl: 'https://help.example.com',
      perRecipientPerHour: 30,
    };
    return { engine, events, notifier };
  };

  it('mails an agent’s public reply to the requester and watchers, threaded, and never a note', async () => {
    const { ticket } = await newTicket();
    const { engine, events, notifier } = notifying();
    await updateTicket(engine, { id: 'emma', email: 'emma@example.com', groups: [] }, ticket.id, {
      version: 1,
      watchers: ['walt@example.com'],
    });
    await addArticle(engine, agent, ticket.id, { type: 'note', body: 'Internal: printer firmware is buggy' });
    await addArticle(engine, agent, ticket.id, { type: 'reply', body: 'We replaced the fuser.' });
    const before = sent.length;

    const mailed = (await Promise.all(events.map((e) => notifyAboutEvent(notifier, e)))).flat();

    expect(mailed.sort()).toEqual(['emma@example.com', 'walt@example.com']);
    const mails = sent.slice(before);
    expect(
      mails.every((m) => m.text.includes('We replaced the fuser.') && !m.text.includes('Internal')),
    ).toBe(true);
    expect(mails[0]).toMatchObject({
      replyTo: `support+${ticket.id.toLowerCase()}@help.example.com`,
      references: [`<${ticket.id}.ack@help.example.com>`],
      automatic: false,
    });
  });

  it('acknowledges a ticket opened in the portal, as one opened by mail, and never mails one twice', async () => {
    const { engine, events, notifier } = notifying();
    const emma = { id: 'emma', email: 'emma@example.com', name: 'Emma', groups: [] };
    const { ticket } = await openTicket(
      engine,
      emma,
      { shortDescription: 'Badge does not open door 3' },
      { channel: 'portal' },
    );
    const mailedIn = await newTicket('walt@example.com', 'Scanner jams');
    const mailedInEvent: DomainEvent = {
      ...(events[0] as DomainEvent),
      detail: { ticketId: mailedIn.ticket.id, channel: 'email' },
    };
    const before = sent.length;

    const mailed = (
      await Promise.all([...events, mailedInEvent].map((e) => notifyAboutEvent(notifier, e)))
    ).flat();

    expect(mailed).toEqual(['emma@example.com']);
    expect(sent.slice(before)).toHaveLength(1);
    expect(sent.at(-1)).toMatchObject({
      to: ['emma@example.com'],
      subject: `[${ticket.number}] Badge does not open door 3`,
      replyTo: `support+${ticket.id.toLowerCase()}@help.example.com`,
      messageId: `<${ticket.id}.ack@help.example.com>`,
      automatic: true,
    });
    expect(sent.at(-1)?.text).toContain(`opened ${ticket.number}`);
  });

  it('does not mail the requester their own reply, and tells them when the ticket is resolved', async () => {
    const { ticket } = await newTicket();
    const { engine, events, notifier } = notifying();
    const emma = { id: 'emma', email: 'emma@example.com', groups: [] };
    await addArticle(engine, emma, ticket.id, { type: 'reply', body: 'Any news?' });
    const current = (await viewTicket(deps, admin, ticket.id)).ticket;
    await updateTicket(engine, agent, ticket.id, {
      version: current.version,
      state: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Fuser replaced.',
    });
    const before = sent.length;

    await Promise.all(events.map((e) => notifyAboutEvent(notifier, e)));

    const mails = sent.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['emma@example.com'], automatic: true });
    expect(mails[0]?.subject).toContain('Resolved');
  });

  it('threads the requester’s answer to a notification back into the ticket by the id SES returned', async () => {
    const { ticket } = await newTicket();
    const { engine, events, notifier } = notifying();
    await addArticle(engine, agent, ticket.id, { type: 'reply', body: 'Please restart it.' });
    await Promise.all(events.map((e) => notifyAboutEvent(notifier, e)));
    const notification = sent.at(-1);

    const outcome = await receive({
      from: 'emma@example.com',
      subject: 'Re: printer',
      headers: { 'In-Reply-To': `<${notification?.providerMessageId}@email.amazonses.com>` },
    });
    expect(outcome).toMatchObject({ kind: 'article', ticket: { id: ticket.id } });
  });
});

describe('bounces and complaints', () => {
  it('stops mailing an address after a permanent bounce or a complaint, and ignores transient bounces', async () => {
    const { recordMailFeedback } = await import('#channels/email/feedback.ts');
    expect(
      await recordMailFeedback(deps.suppressions, {
        notificationType: 'Bounce',
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@example.com' }] },
      }),
    ).toEqual([]);
    expect(
      await recordMailFeedback(deps.suppressions, {
        notificationType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [{ emailAddress: 'Gone@Example.com', diagnosticCode: '550 5.1.1' }],
        },
      }),
    ).toEqual(['gone@example.com']);
    await recordMailFeedback(deps.suppressions, {
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'angry@example.com' }] },
    });

    const before = sent.length;
    await receive({ from: 'gone@example.com', subject: 'Still there?' });
    await receive({ from: 'angry@example.com', subject: 'Stop' });
    await receive({ from: 'full@example.com', subject: 'Mailbox was full' });
    expect(sent.slice(before).map((m) => m.to[0])).toEqual(['full@example.com']);
  });
});

describe('files of inbound mail', () => {
  it('keeps allowed attachments and inline images under the ticket, points cid images at them, and lists what it did not keep', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const pdf = Buffer.from('%PDF-1.4 minimal');
    const boundary = 'mixed-1';
    const rel = 'related-1';
    const mime = [
      'From: emma@example.com',
      'Subject: Screenshot and log',
      'Message-ID: <files-1@client.example.com>',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      `Content-Type: multipart/related; boundary="${rel}"`,
      '',
      `--${rel}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See <img src="cid:shot@client"></p>',
      `--${rel}`,
      'Content-Type: image/png',
      'Content-ID: <shot@client>',
      'Content-Disposition: inline; filename="shot.png"',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      `--${rel}--`,
      `--${boundary}`,
      'Content-Type: application/pdf; name="log.pdf"',
      'Content-Disposition: attachment; filename="log.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      pdf.toString('base64'),
      `--${boundary}`,
      'Content-Type: application/x-msdownload; name="fix.exe"',
      'Content-Disposition: attachment; filename="fix.exe"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('MZ').toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const sesMessageId = `files-${Date.now()}`;
    raw.set(`raw/${sesMessageId}`, new TextEncoder().encode(mime));
    const outcome = await processInboundMail(deps, {
      sesMessageId,
      rawKey: `raw/${sesMessageId}`,
      recipients: [SUPPORT],
      receivedAt: new Date().toISOString(),
      verdicts: {},
    });
    if (outcome.kind !== 'ticket') throw new Error(outcome.kind);

    const files = (await deps.attachments.records.listForTicket(outcome.ticket.id, { limit: 10 })).items;
    expect(files.map((f) => [f.fileName, f.contentType, f.state]).sort()).toEqual([
      ['log.pdf', 'application/pdf', 'available'],
      ['shot.png', 'image/png', 'available'],
    ]);
    expect([...storedFiles.keys()].filter((k) => k.startsWith(`tickets/${outcome.ticket.id}/`))).toHaveLength(
      2,
    );
    const [first] = (await viewTicket(deps, admin, outcome.ticket.id)).articles;
    const shot = files.find((f) => f.fileName === 'shot.png');
    expect(first?.html).toContain(`src="/inline/${shot?.id}"`);
    expect(first?.body).toContain('fix.exe (application/x-msdownload): this type is not kept');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { createTransport } from 'nodemailer';
import { DynamoAttachmentStore } from '#adapters/dynamodb/attachment-store.dynamo.ts';
import { DynamoAutoReplyTickets } from '#adapters/dynamodb/auto-reply-tickets.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoMailDedupe } from '#adapters/dynamodb/mail-dedupe.dynamo.ts';
import { DynamoMailReferenceStore } from '#adapters/dynamodb/mail-references.dynamo.ts';
import { DynamoQuarantineStore } from '#adapters/dynamodb/quarantine-store.dynamo.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limiter.dynamo.ts';
import { DynamoSuppressionList } from '#adapters/dynamodb/suppression-list.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { defaultAttachmentPolicy } from '#channels/email/attachment-types.ts';
import {
  type InboundMailDeps,
  type InboundOutcome,
  processInboundMail,
} from '#channels/email/process-inbound.ts';
import { inboundMessageFromSes } from '#channels/email/ses-event.ts';
import type { FullMailBody } from '#core/mail/full-body.ts';
import { defaultTicketSettings } from '#core/ticket/ticket-service.ts';
import { type SmtpIntakeOptions, startSmtpIntake } from '#local/smtp-intake.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { OutboundMail } from '#ports/mail.ts';
import type { MailBodyStore } from '#ports/mail-body-store.ts';
import { freshTables } from './dynamodb.ts';
import { memoryAttachmentStorage } from './memory-attachment-storage.ts';

/** The full-body store in memory, so tests can read what a large mail left there. */
export function memoryMailBodyStore(): MailBodyStore & { readonly bodies: Map<string, FullMailBody> } {
  const bodies = new Map<string, FullMailBody>();
  return {
    bodies,
    put: async (key, body) => void bodies.set(key, body),
    get: async (key) => bodies.get(key),
  };
}

export type SentMail = OutboundMail & { readonly providerMessageId: string };

/**
 * The intake's dependencies on fresh DynamoDB Local tables, with S3 in memory and a mailer
 * that records what it sends: what every mail integration test starts from.
 */
export async function mailWorld(supportAddress: string, overrides: Partial<InboundMailDeps> = {}) {
  const tables = await freshTables();
  const clock = { now: () => new Date() };
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  const raw = new Map<string, Uint8Array>();
  const sent: SentMail[] = [];
  const published: DomainEvent[] = [];
  const attachmentStorage = memoryAttachmentStorage();
  const mailBodies = memoryMailBodyStore();
  const tickets = new DynamoTicketStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  });
  const deps: InboundMailDeps = {
    tickets,
    quarantine: new DynamoQuarantineStore(tables.documents, tables.domainTable),
    references: new DynamoMailReferenceStore(tables.documents, tables.domainTable),
    attachments: {
      storage: attachmentStorage,
      records: new DynamoAttachmentStore(tables.documents, tables.domainTable),
      clock,
    },
    mailBodies,
    dedupe: new DynamoMailDedupe(tables.documents, tables.idempotencyTable, clock),
    autoReplyTickets: new DynamoAutoReplyTickets(tables.documents, tables.idempotencyTable, clock),
    attachmentPolicy: defaultAttachmentPolicy,
    rateLimiter: new DynamoRateLimiter(tables.documents, tables.idempotencyTable, clock),
    suppressions: new DynamoSuppressionList(tables.documents, tables.domainTable, clock),
    unknownSenders: { policy: 'create', knownDomains: [] },
    ackLimits: { perSenderPerHour: 1000, perMinute: 1000 },
    groups,
    routing: groups,
    clock,
    ids: ulids,
    events: { publish: async (events) => void published.push(...events) },
    settings: defaultTicketSettings,
    rawMail: {
      get: async (key) => {
        const bytes = raw.get(key);
        if (!bytes) throw new Error(`no raw message under ${key}`);
        return bytes;
      },
      put: async (key, bytes) => void raw.set(key, bytes),
    },
    mailer: {
      async send(mail) {
        const providerMessageId = `0100019a${String(sent.length).padStart(8, '0')}-ses`;
        sent.push({ ...mail, providerMessageId });
        return { providerMessageId };
      },
    },
    supportAddress,
    portalUrl: 'https://help.example.com',
    ...overrides,
  };
  return { tables, deps, tickets, groups, raw, sent, published, attachmentStorage, mailBodies };
}

export type MailWorld = Awaited<ReturnType<typeof mailWorld>>;

/**
 * The local SES inbound (the same SMTP intake `npm start` runs) in front of the pipeline:
 * tests send raw mail over SMTP and get back the outcome of each message by the id the intake
 * answered with (`250 Ok: queued as <id>`).
 */
export async function smtpWorld(
  world: MailWorld,
  options: Partial<Pick<SmtpIntakeOptions, 'verdicts'>> = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'spoke-mail-'));
  const outcomes = new Map<string, InboundOutcome>();
  const waiting = new Map<string, (outcome: InboundOutcome) => void>();
  const domain = world.deps.supportAddress.split('@')[1] ?? '';
  const intake = await startSmtpIntake({
    port: 0,
    recipientDomains: [domain],
    rawMail: world.deps.rawMail,
    rawPrefix: 'raw/',
    deadLetterDir: join(dir, 'dead-letters'),
    handler: async (event: SESEvent) => {
      const results: InboundOutcome[] = [];
      for (const record of event.Records) {
        const outcome = await processInboundMail(world.deps, inboundMessageFromSes(record, 'raw/'));
        outcomes.set(record.ses.mail.messageId, outcome);
        waiting.get(record.ses.mail.messageId)?.(outcome);
        results.push(outcome);
      }
      return results;
    },
    ...options,
  });
  const port = Number(new URL(intake.url).port);
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
  });

  /** Sends one raw message over SMTP; resolves with the SES message id the intake gave it. */
  async function deliver(raw: string | Uint8Array, envelope: { from: string; to: readonly string[] }) {
    const info = await transport.sendMail({
      envelope: { from: envelope.from, to: [...envelope.to] },
      raw: typeof raw === 'string' ? raw : Buffer.from(raw),
    });
    const id = /queued as (\w+)/.exec(info.response)?.[1];
    if (!id) throw new Error(`The intake did not name the message: ${info.response}`);
    return id;
  }

  /** Sends and waits for the pipeline's outcome. */
  async function send(
    raw: string | Uint8Array,
    envelope: { from: string; to: readonly string[] },
  ): Promise<InboundOutcome & { sesMessageId: string }> {
    const id = await deliver(raw, envelope);
    const outcome =
      outcomes.get(id) ??
      (await new Promise<InboundOutcome>((resolve, reject) => {
        waiting.set(id, resolve);
        intake.idle().then(() => {
          const done = outcomes.get(id);
          if (done) resolve(done);
          else reject(new Error(`Message ${id} ended in the dead letters (see ${dir})`));
        }, reject);
      }));
    return { ...outcome, sesMessageId: id };
  }

  return {
    intake,
    deliver,
    send,
    outcomes,
    async close() {
      transport.close();
      await intake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

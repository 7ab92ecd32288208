import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAttachmentStore } from '#adapters/dynamodb/attachment-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoMailReferenceStore } from '#adapters/dynamodb/mail-references.dynamo.ts';
import { DynamoQuarantineStore } from '#adapters/dynamodb/quarantine-store.dynamo.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limiter.dynamo.ts';
import { DynamoSuppressionList } from '#adapters/dynamodb/suppression-list.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { systemClock, ulids } from '#adapters/system/system.ts';
import { mailLimits, parseMail } from '#channels/email/parse.ts';
import {
  type InboundMailDeps,
  type InboundOutcome,
  processInboundMail,
} from '#channels/email/process-inbound.ts';
import type { QuarantinedMail } from '#core/mail/quarantine.ts';
import { defaultTicketSettings } from '#core/ticket/ticket-service.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { OutboundMail, RawMailStore } from '#ports/mail.ts';
import { freshTables } from '../support/dynamodb.ts';
import { memoryMailBodyStore } from '../support/mail-world.ts';
import { memoryAttachmentStorage } from '../support/memory-attachment-storage.ts';

const attachmentStorage = memoryAttachmentStorage();

/**
 * Every real-world message of the shared corpus (../shared/corpus/mail, see its README) goes
 * through the real intake pipeline against DynamoDB Local, one test per file: none may throw,
 * each ends as a stored ticket or article, or as a quarantine entry with a reason. The corpus is read in
 * place, never copied into the project. Where it is missing the file says so and is skipped,
 * except under CI=true, where a missing corpus fails. SPOKE_MAIL_CORPUS points elsewhere
 * (absolute, or relative to the repository root).
 */
const repoRoot = resolve(import.meta.dirname, '../..');
const corpusDir = resolve(repoRoot, process.env.SPOKE_MAIL_CORPUS ?? '../shared/corpus/mail');
const inCi = process.env.CI === 'true';
/** The .eml files under the corpus folder, found recursively, as paths relative to it. */
const files =
  existsSync(corpusDir) && statSync(corpusDir).isDirectory()
    ? readdirSync(corpusDir, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.toLowerCase().endsWith('.eml'))
        .sort()
    : [];
const corpusPresent = files.length > 0;

if (!corpusPresent) {
  console.warn(
    `Mail corpus (.eml files) not found at ${corpusDir}: ${
      inCi ? 'this is a failure under CI=true' : 'the corpus tests are skipped'
    } (clone ../shared beside the repository or set SPOKE_MAIL_CORPUS).`,
  );
}

if (!corpusPresent) {
  describe('the mail corpus', () => {
    it(`is missing at ${corpusDir}${inCi ? ' (a failure under CI=true)' : ' (skipped outside CI)'}`, (ctx) => {
      if (!inCi) {
        ctx.skip(`mail corpus not found at ${corpusDir}`);
        return;
      }
      expect.fail(`CI=true and the mail corpus is missing at ${corpusDir}`);
    });
  });
} else {
  describe(`every message of the mail corpus (${files.length} files)`, () => {
    let deps: InboundMailDeps;
    let tickets: DynamoTicketStore;
    let quarantine: DynamoQuarantineStore;
    const raw = new Map<string, Uint8Array>();
    const sent: OutboundMail[] = [];
    const published: DomainEvent[] = [];
    const outcomes: { file: string; outcome: InboundOutcome['kind'] | 'threw'; detail: string }[] = [];

    beforeAll(async () => {
      const tables = await freshTables();
      tickets = new DynamoTicketStore({
        client: tables.documents,
        domainTable: tables.domainTable,
        idempotencyTable: tables.idempotencyTable,
      });
      quarantine = new DynamoQuarantineStore(tables.documents, tables.domainTable);
      const groups = new DynamoGroupStore({ client: tables.documents, domainTable: tables.domainTable });
      const rawMail: RawMailStore = {
        async get(key) {
          const bytes = raw.get(key);
          if (!bytes) throw new Error(`no raw message under ${key}`);
          return bytes;
        },
        async put(key, bytes) {
          raw.set(key, bytes);
        },
      };
      deps = {
        tickets,
        quarantine,
        groups,
        routing: groups,
        clock: systemClock,
        ids: ulids,
        events: { publish: async (events) => void published.push(...events) },
        settings: defaultTicketSettings,
        rawMail,
        references: new DynamoMailReferenceStore(tables.documents, tables.domainTable),
        attachments: {
          storage: attachmentStorage,
          records: new DynamoAttachmentStore(tables.documents, tables.domainTable),
          clock: systemClock,
        },
        rateLimiter: new DynamoRateLimiter(tables.documents, tables.idempotencyTable, systemClock),
        suppressions: new DynamoSuppressionList(tables.documents, tables.domainTable, systemClock),
        mailBodies: memoryMailBodyStore(),
        unknownSenders: { policy: 'create', knownDomains: [] },
        ackLimits: { perSenderPerHour: 1000, perMinute: 1000 },
        mailer: {
          async send(mail) {
            sent.push(mail);
            return { providerMessageId: `ses-out-${sent.length}` };
          },
        },
        supportAddress: 'support@spoke.example',
        portalUrl: 'https://portal.spoke.example',
      };
    });

    afterAll(() => {
      if (outcomes.length === 0) return;
      const count = (kind: string) => outcomes.filter((o) => o.outcome === kind).length;
      const reasons = new Map<string, number>();
      for (const o of outcomes.filter((o) => o.outcome === 'quarantined' || o.outcome === 'threw')) {
        const key = `${o.outcome}: ${o.detail}`;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
      console.log(
        `mail corpus: ${outcomes.length} messages: ${count('ticket')} tickets, ${count('article')} articles, ` +
          `${count('quarantined')} quarantined, ${count('threw')} threw; ` +
          `${outcomes.filter((o) => o.detail.endsWith('acknowledged')).length} acknowledgements sent`,
      );
      console.table(Object.fromEntries([...reasons].map(([reason, n]) => [reason, { messages: n }])));
      console.table(outcomes.filter((o) => o.outcome !== 'ticket'));
    });

    async function allQuarantined(): Promise<QuarantinedMail[]> {
      const all: QuarantinedMail[] = [];
      let cursor: string | undefined;
      do {
        const page = await quarantine.list({ limit: 100, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return all;
    }

    files.forEach((file, index) => {
      it(file, async () => {
        const bytes = new Uint8Array(readFileSync(join(corpusDir, file)));
        // SES refuses anything over 40 MB before it reaches us; the corpus holds nothing near that.
        expect(bytes.byteLength).toBeLessThanOrEqual(mailLimits.maxBytes);
        const sesMessageId = `corpus-${String(index).padStart(4, '0')}`;
        const rawKey = `inbound/${sesMessageId}`;
        await deps.rawMail.put(rawKey, bytes);
        const message = {
          sesMessageId,
          rawKey,
          envelopeSender: 'sender@corpus.example',
          recipients: ['support@spoke.example'],
          receivedAt: new Date().toISOString(),
          verdicts: { spam: 'PASS', virus: 'PASS', dmarc: 'PASS' },
        };

        let outcome: InboundOutcome;
        try {
          outcome = await processInboundMail(deps, message);
        } catch (error) {
          const issue = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
          const detail =
            error instanceof Error
              ? `${error.name}: ${issue ? `${issue.path.join('.')} ${issue.message}` : error.message}`
              : String(error);
          outcomes.push({ file, outcome: 'threw', detail: detail.replace(/\s+/g, ' ').slice(0, 120) });
          throw error;
        }

        if (outcome.kind === 'ticket') {
          outcomes.push({
            file,
            outcome: 'ticket',
            detail: `${outcome.ticket.number}${outcome.acknowledged ? ' acknowledged' : ''}`,
          });
          expect(outcome.created).toBe(true);
          const stored = await tickets.get(outcome.ticket.id);
          expect(stored?.ticket.number).toBe(outcome.ticket.number);
          expect(stored?.ticket.channel).toBe('email');
          const parsed = await parseMail(bytes);
          const from = parsed.from && 'address' in parsed.from ? parsed.from.address : undefined;
          expect(stored?.ticket.requester.email).toBe(from?.trim().toLowerCase());
          expect(stored?.articles[0]).toMatchObject({
            ticketId: outcome.ticket.id,
            type: 'reply',
            channel: 'email',
            author: { email: stored?.ticket.requester.email },
          });
          expect(stored?.articles[0]?.body.length).toBeGreaterThan(0);
          // An acknowledgement goes to the requester only, and only for a new ticket.
          expect(sent.filter((m) => m.subject.startsWith(`[${outcome.ticket.number}]`))).toHaveLength(
            outcome.acknowledged ? 1 : 0,
          );
          // A bounce (DESIGN §5) never gets an automatic answer.
          const head =
            Buffer.from(bytes)
              .toString('latin1')
              .split(/\r?\n\r?\n/)[0] ?? '';
          if (
            /^content-type:\s*multipart\/report;.*report-type="?delivery-status/im.test(
              head.replace(/\r?\n[ \t]+/g, ' '),
            )
          ) {
            expect(outcome.acknowledged).toBe(false);
          }
          // Idempotent on the SES message id: a retry finds the same ticket.
          const again = await processInboundMail(deps, message);
          expect(again).toMatchObject({ kind: 'ticket', created: false, ticket: { id: outcome.ticket.id } });
        } else if (outcome.kind === 'article') {
          outcomes.push({
            file,
            outcome: 'article',
            detail: `${outcome.ticket.number} by ${outcome.threadedBy}`,
          });
          const stored = await tickets.get(outcome.ticket.id);
          expect(stored?.articles.map((a) => a.id)).toContain(outcome.articleId);
          const again = await processInboundMail(deps, message);
          expect(again).toMatchObject({ kind: 'article', ticket: { id: outcome.ticket.id } });
          expect((await tickets.get(outcome.ticket.id))?.articles).toHaveLength(stored?.articles.length ?? 0);
        } else {
          outcomes.push({ file, outcome: 'quarantined', detail: outcome.reason });
          expect(typeof outcome.reason).toBe('string');
          expect(outcome.reason.trim().length).toBeGreaterThan(0);
          const entries = (await allQuarantined()).filter((q) => q.id === sesMessageId);
          expect(entries).toHaveLength(1);
          expect(entries[0]).toMatchObject({ rawKey, reason: outcome.reason });
          expect(
            published.some((e) => e.type === 'mail.quarantined' && e.detail.quarantineId === sesMessageId),
          ).toBe(true);
        }
      });
    });
  });
}

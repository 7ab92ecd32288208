import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailLimits } from '#channels/email/parse.ts';
import type { InboundOutcome } from '#channels/email/process-inbound.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Ticket } from '#core/ticket/ticket.ts';
import { viewTicket } from '#core/ticket/ticket-service.ts';
import {
  type ExpectedOutcome,
  fixtures,
  fixtureText,
  type MailFixture,
  SUPPORT,
} from '../fixtures/mail/manifest.ts';
import { type MailWorld, mailWorld, type SentMail, smtpWorld } from '../support/mail-world.ts';

/**
 * The intake's promise, checked mail by mail over SMTP (the local SES inbound, as `npm start`
 * runs it) against DynamoDB Local: every hand-written fixture (test/fixtures/mail/manifest.ts)
 * ends as the outcome it names — a ticket, an article, a quarantine entry with its reason, a
 * system entry, or a duplicate — and at the end every accepted message is accounted for:
 * accepted = stored + quarantined + system entries + duplicates, lost = 0.
 *
 * Then the shared real-world corpus (../shared/corpus/mail, never copied into the project)
 * goes the same way, where it is present; under CI=true a missing corpus fails.
 */
const admin = { id: 'admin', email: 'admin@example.com', groups: ['admins', 'agents'] };
const AGENT = 'alex@example.com';

interface Tally {
  accepted: number;
  ticket: number;
  article: number;
  quarantined: number;
  'system-entry': number;
  duplicate: number;
}
const newTally = (): Tally => ({
  accepted: 0,
  ticket: 0,
  article: 0,
  quarantined: 0,
  'system-entry': 0,
  duplicate: 0,
});

async function openWorld() {
  const world = await mailWorld(SUPPORT);
  const clock = world.deps.clock;
  await createGroup({ groups: world.groups, clock }, admin, { id: 'service-desk', name: 'Service Desk' });
  await addMember({ groups: world.groups, clock }, admin, 'service-desk', { email: AGENT });
  await world.groups.saveRoutingConfig(
    { rules: [], defaultGroup: 'service-desk', version: 1, updatedAt: new Date().toISOString() },
    0,
  );
  return { world, smtp: await smtpWorld(world) };
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const latin1Bytes = (text: string) => new Uint8Array(Buffer.from(crlf(text), 'latin1'));
const fromAddress = (raw: string) => {
  const line = /^From:(.*(?:\r?\n[ \t].*)*)/im.exec(raw)?.[1] ?? '';
  return (
    /<([^<>@\s]+@[^<>\s]+)>/.exec(line)?.[1] ??
    /[^\s<>"]+@[^\s<>"]+/.exec(line)?.[0] ??
    ''
  ).toLowerCase();
};

describe(`the hand-written mail fixtures (${fixtures.length}), over SMTP`, () => {
  let world: MailWorld;
  let smtp: Awaited<ReturnType<typeof smtpWorld>>;
  let seed: { ticket: Ticket; ack: SentMail };
  const tally = newTally();
  let unique = 0;

  beforeAll(async () => {
    ({ world, smtp } = await openWorld());
    const opened = await smtp.send(
      crlf(
        'From: Emma Employee <emma@example.com>\nTo: support@help.example.com\nSubject: Laptop will not boot\nMessage-ID: <seed-1@laptop.example.com>\n\nIt shows a black screen.\n',
      ),
      { from: 'emma@example.com', to: [SUPPORT] },
    );
    if (opened.kind !== 'ticket') throw new Error(`the seed mail became ${opened.kind}`);
    const ack = world.sent.at(-1);
    if (!ack) throw new Error('the seed mail was not acknowledged');
    seed = { ticket: opened.ticket, ack };
  });

  afterAll(async () => {
    await smtp?.close();
  });

  /** The fixture with its placeholders filled in, as the bytes it stands for (fixtures are read as Latin-1). */
  const fill = (text: string) =>
    latin1Bytes(
      text
        .replaceAll('%TICKET_NUMBER%', seed.ticket.number)
        .replaceAll('%ACK_MESSAGE_ID%', seed.ack.messageId)
        .replaceAll('%REPLY_ADDRESS%', seed.ack.replyTo ?? SUPPORT)
        .replaceAll('%TICKET_ID%', seed.ticket.id.toLowerCase())
        .replaceAll(
          '%NOTIFICATION_MESSAGE_ID%',
          `<${seed.ticket.id}.01JNOTIFICATION0000000000@help.example.com>`,
        )
        .replaceAll('%UNIQUE%', () => `u${++unique}.${Date.now()}`),
    );

  async function deliver(fixture: MailFixture) {
    const text = fixtureText(fixture.name);
    const envelopeOf = (raw: Uint8Array) => ({
      from: fixture.envelopeFrom ?? fromAddress(Buffer.from(raw).toString('latin1')),
      to: [fixture.to ?? SUPPORT],
    });
    if (fixture.series) {
      const outcomes = [];
      for (let n = 0; n < fixture.series.count; n++) {
        const raw = fill(text);
        tally.accepted++;
        outcomes.push(await smtp.send(raw, envelopeOf(raw)));
      }
      return outcomes;
    }
    const raw = fill(text);
    const copies = fixture.copies ?? 1;
    tally.accepted += copies;
    if (fixture.parallel)
      return Promise.all(Array.from({ length: copies }, () => smtp.send(raw, envelopeOf(raw))));
    const outcomes = [];
    for (let n = 0; n < copies; n++) outcomes.push(await smtp.send(raw, envelopeOf(raw)));
    return outcomes;
  }

  /** Checks one outcome against what the manifest expects, and that nothing was mailed for it unless it says so. */
  async function assertOutcome(
    outcome: InboundOutcome,
    expected: ExpectedOutcome,
    mailed: readonly SentMail[],
  ) {
    expect(outcome.kind).toBe(expected.kind);
    if (outcome.kind === 'ticket' && expected.kind === 'ticket') {
      expect(outcome.created).toBe(true);
      expect(outcome.acknowledged).toBe(expected.acknowledged);
      expect(mailed.filter((m) => m.subject.startsWith(`[${outcome.ticket.number}]`))).toHaveLength(
        expected.acknowledged ? 1 : 0,
      );
      const stored = await world.tickets.get(outcome.ticket.id);
      expect(stored?.ticket.channel).toBe('email');
      expect(stored?.articles.filter((a) => a.type === 'reply')).toHaveLength(1);
      expect(stored?.articles[0]?.body.length).toBeGreaterThan(0);
      if (expected.title !== undefined) expect(stored?.ticket.shortDescription).toBe(expected.title);
      if (expected.body !== undefined) expect(stored?.articles[0]?.body).toBe(expected.body);
      if (expected.check === 'one-line title') {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
        const controls = /[\u0000-\u001f\u007f-\u009f]/;
        expect(stored?.ticket.shortDescription).not.toMatch(controls);
        expect(stored?.ticket.requester.name ?? '').not.toMatch(controls);
        expect(stored?.ticket.shortDescription).toBe('Printer Bcc: evil@example.com jams [31m again !');
      }
      if (expected.check === 'everyday attachments') {
        const files = (await world.deps.attachments.records.listForTicket(outcome.ticket.id, { limit: 100 }))
          .items;
        expect(Object.fromEntries(files.map((f) => [f.fileName, f.contentType]))).toEqual({
          'scan.pdf': 'application/pdf',
          'logs.zip': 'application/zip',
          'dump.gz': 'application/gzip',
          'letter.doc': 'application/msword',
          'budget.xls': 'application/vnd.ms-excel',
          'invite.ics': 'text/calendar',
          'screen.bmp': 'image/bmp',
          'photo.jpg': 'image/jpeg',
          'config.json': 'application/json',
          'notes.rtf': 'application/rtf',
          'app.log': 'text/plain',
          'winmail.dat': 'application/octet-stream',
          'Quarterly report 2026.pdf': 'application/pdf',
          'README.TXT': 'text/plain',
        });
        for (const file of files) {
          expect(
            world.attachmentStorage.files.get(`tickets/${outcome.ticket.id}/${file.id}`)?.byteLength,
          ).toBe(file.size);
        }
        const body = stored?.articles[0]?.body ?? '';
        expect(body).toContain('fix.exe (application/x-msdownload): executable files are blocked by policy');
        expect(body).toContain('update.pdf (application/pdf): executable files are blocked by policy');
      }
      if (expected.check === 'full-body') {
        const key = stored?.articles[0]?.fullBodyKey;
        expect(key).toBeDefined();
        expect(world.mailBodies.bodies.get(key ?? '')?.text.length).toBeGreaterThan(0);
      }
      return;
    }
    expect(mailed, 'nothing is mailed for it').toEqual([]);
    if (outcome.kind === 'article' && expected.kind === 'article') {
      expect(outcome.ticket.id).toBe(seed.ticket.id);
      const view = await viewTicket(world.deps, admin, seed.ticket.id);
      const article = view.articles.find((a) => a.id === outcome.articleId);
      expect(article?.type).toBe(expected.type ?? 'reply');
      if (expected.body !== undefined) expect(article?.body).toBe(expected.body);
    } else if (outcome.kind === 'quarantined' && expected.kind === 'quarantined') {
      expect(outcome.reason).toMatch(expected.reason);
      const entry = await world.deps.quarantine.get(
        (outcome as { sesMessageId?: string }).sesMessageId ?? '',
      );
      expect(entry?.reason).toBe(outcome.reason);
      expect(entry?.from, 'the entry names the sender').toMatch(/@/);
      expect(entry?.subject?.length, 'the entry has the subject').toBeGreaterThan(0);
    } else if (outcome.kind === 'system-entry' && expected.kind === 'system-entry') {
      expect(outcome.reason).toMatch(expected.reason);
      const view = await viewTicket(world.deps, admin, outcome.ticket.id);
      const entry = view.articles.find((a) => a.id === outcome.articleId);
      expect(entry).toMatchObject({ type: 'note', automatic: outcome.reason });
      const requester = { id: 'r', email: outcome.ticket.requester.email, groups: [] };
      const theirs = await viewTicket(world.deps, requester, outcome.ticket.id);
      expect(
        theirs.articles.map((a) => a.id),
        'the requester never sees it',
      ).not.toContain(outcome.articleId);
    }
  }

  for (const fixture of fixtures) {
    it(`${fixture.name}: ${fixture.case} → ${fixture.expect.kind}`, async () => {
      const sentBefore = world.sent.length;
      const outcomes = await deliver(fixture);
      for (const outcome of outcomes) tally[outcome.kind]++;
      const mailed = world.sent.slice(sentBefore);
      if (fixture.series) {
        const [first, ...rest] = outcomes;
        await assertOutcome(first as InboundOutcome, fixture.expect, mailed);
        for (const outcome of rest) await assertOutcome(outcome, fixture.series.rest, []);
        const ticketIds = new Set(outcomes.flatMap((o) => ('ticket' in o ? [o.ticket.id] : [])));
        expect(ticketIds.size, 'all of the series lands on one ticket').toBe(1);
      } else {
        const originals = outcomes.filter((o) => o.kind !== 'duplicate');
        expect(originals, 'exactly one copy is not a duplicate').toHaveLength(1);
        await assertOutcome(originals[0] as InboundOutcome, fixture.expect, mailed);
      }
      const suppressed = /^suppressed (.+)$/.exec(fixture.check ?? '')?.[1];
      if (suppressed)
        expect([...(await world.deps.suppressions.suppressed([suppressed]))]).toEqual([suppressed]);
    });
  }

  it('accounts for every accepted message: accepted = stored + quarantined + system entries + duplicates, lost = 0', async () => {
    await smtp.intake.idle();
    const stored = tally.ticket + tally.article;
    const lost = tally.accepted - stored - tally.quarantined - tally['system-entry'] - tally.duplicate;
    console.log(
      `mail fixtures: accepted ${tally.accepted} = stored ${stored} (tickets ${tally.ticket}, articles ${tally.article}) + quarantined ${tally.quarantined} + system entries ${tally['system-entry']} + duplicates ${tally.duplicate}; lost ${lost}`,
    );
    expect(tally.accepted).toBe(fixtures.reduce((n, f) => n + (f.series?.count ?? f.copies ?? 1), 0));
    expect(lost).toBe(0);
    expect(smtp.outcomes.size).toBe(tally.accepted + 1);
  });
});

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

if (files.length === 0) {
  describe('the shared real-world mail corpus', () => {
    it(`is missing at ${corpusDir}${inCi ? ' (a failure under CI=true)' : ' (skipped outside CI)'}`, (ctx) => {
      if (!inCi) {
        ctx.skip(`mail corpus not found at ${corpusDir}`);
        return;
      }
      expect.fail(`CI=true and the mail corpus is missing at ${corpusDir}`);
    });
  });
} else {
  describe(`every message of the shared real-world corpus (${files.length} files), over SMTP`, () => {
    let world: MailWorld;
    let smtp: Awaited<ReturnType<typeof smtpWorld>>;
    const tally = newTally();
    const rows: { file: string; outcome: string; detail: string }[] = [];

    beforeAll(async () => {
      ({ world, smtp } = await openWorld());
    });

    afterAll(async () => {
      await smtp?.close();
      const lost =
        tally.accepted -
        tally.ticket -
        tally.article -
        tally.quarantined -
        tally['system-entry'] -
        tally.duplicate;
      console.log(
        `mail corpus: accepted ${tally.accepted}: ${tally.ticket} tickets, ${tally.article} articles, ${tally.quarantined} quarantined, ${tally['system-entry']} system entries, ${tally.duplicate} duplicates; lost ${lost}`,
      );
      console.table(rows.filter((r) => r.outcome !== 'ticket'));
    });

    for (const file of files) {
      it(file, async () => {
        const bytes = readFileSync(join(corpusDir, file));
        expect(bytes.byteLength).toBeLessThanOrEqual(mailLimits.maxBytes);
        tally.accepted++;
        const outcome = await smtp.send(bytes, { from: 'sender@corpus.example', to: [SUPPORT] });
        tally[outcome.kind]++;
        const detail =
          outcome.kind === 'quarantined' || outcome.kind === 'system-entry'
            ? outcome.reason
            : outcome.kind === 'duplicate'
              ? `of ${outcome.firstSesMessageId}`
              : outcome.ticket.number;
        rows.push({ file, outcome: outcome.kind, detail });
        if (outcome.kind === 'ticket') {
          const stored = await world.tickets.get(outcome.ticket.id);
          expect(stored?.articles[0]?.body.length).toBeGreaterThan(0);
          expect(stored?.ticket.channel).toBe('email');
        } else if (outcome.kind === 'quarantined') {
          expect(outcome.reason.trim().length).toBeGreaterThan(0);
          expect((await world.deps.quarantine.get(outcome.sesMessageId))?.reason).toBe(outcome.reason);
        } else if (outcome.kind === 'duplicate') {
          expect(smtp.outcomes.has(outcome.firstSesMessageId)).toBe(true);
        }
      });
    }
  });
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { buildRawMessage } from '#adapters/ses/mime.ts';
import { automaticMailReason } from '#channels/email/filters/automatic-mail.ts';
import { verdictQuarantineReason } from '#channels/email/filters/ses-verdicts.ts';
import { parseMail } from '#channels/email/parse.ts';

const fixture = async (name: string) =>
  parseMail(new Uint8Array(await readFile(join(import.meta.dirname, '../fixtures/mail', name))));

describe('mail that must never get an automatic answer', () => {
  it('lets a message from a person through', async () => {
    expect(automaticMailReason(await fixture('person.eml'), 'emma@example.com')).toBeUndefined();
  });

  it.each([
    ['out-of-office.eml', 'emma@example.com', /Auto-Submitted/],
    ['bulk.eml', 'news@example.com', /Precedence: bulk/],
    ['bounce.eml', 'MAILER-DAEMON@example.com', /delivery status notification/],
    ['person.eml', '', /empty return path/],
  ])('recognizes %s (envelope sender %j)', async (name, envelope, reason) => {
    expect(automaticMailReason(await fixture(name), envelope)).toMatch(reason);
  });

  it('recognizes robot senders even without robot headers', async () => {
    const mail = await parseMail(
      new TextEncoder().encode('From: no-reply@vendor.example\r\nSubject: hi\r\n\r\nbody'),
    );
    expect(automaticMailReason(mail, 'bounce@vendor.example')).toMatch(/robot sender/);
  });
});

describe('SES verdicts', () => {
  it('quarantines spam, viruses and DMARC failures whose policy says so', () => {
    expect(verdictQuarantineReason({ spam: 'PASS', virus: 'PASS', dmarc: 'PASS' })).toBeUndefined();
    expect(verdictQuarantineReason({ virus: 'FAIL' })).toMatch(/virus/);
    expect(verdictQuarantineReason({ spam: 'FAIL' })).toMatch(/spam/);
    expect(verdictQuarantineReason({ dmarc: 'FAIL', dmarcPolicy: 'REJECT' })).toMatch(/DMARC/);
    expect(verdictQuarantineReason({ dmarc: 'FAIL', dmarcPolicy: 'none' })).toBeUndefined();
  });
});

describe('outbound MIME', () => {
  it('carries our Message-ID in References, the thread headers and Auto-Submitted on automatic mail', async () => {
    const raw = buildRawMessage(
      {
        from: 'support@example.com',
        to: ['emma@example.com'],
        subject: '[INC0001001] Laptop – écran noir',
        text: 'We have received your message.',
        html: '<p>We have received your message.</p>',
        messageId: '<t1.ack@example.com>',
        inReplyTo: '<m1@example.com>',
        references: ['<m1@example.com>'],
        replyTo: 'support@example.com',
        automatic: true,
      },
      'b-1',
    );
    const parsed = await PostalMime.parse(raw);

    expect(parsed.subject).toBe('[INC0001001] Laptop – écran noir');
    expect(parsed.references).toBe('<m1@example.com> <t1.ack@example.com>');
    expect(parsed.inReplyTo).toBe('<m1@example.com>');
    expect(parsed.headers.find((h) => h.key === 'auto-submitted')?.value).toBe('auto-replied');
    expect(parsed.text?.trim()).toBe('We have received your message.');
    expect(parsed.html).toContain('<p>');
  });

  it('leaves Auto-Submitted off a message a person wrote', async () => {
    const raw = buildRawMessage(
      {
        from: 's@example.com',
        to: ['e@example.com'],
        subject: 'Re: x',
        text: 'Hi',
        messageId: '<r@example.com>',
        automatic: false,
      },
      'b-2',
    );
    expect((await PostalMime.parse(raw)).headers.some((h) => h.key === 'auto-submitted')).toBe(false);
  });
});

describe('parsing limits', () => {
  it('refuses a message over the size limit with a ValidationError that names it', async () => {
    const huge = new Uint8Array(40 * 1024 * 1024 + 1);
    await expect(parseMail(huge)).rejects.toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'message' }],
    });
  });
});

describe('header injection', () => {
  const base = {
    from: 'support@example.com',
    to: ['emma@example.com'],
    subject: 'x',
    text: 'y',
    messageId: '<a@example.com>',
    automatic: true,
  };

  it('refuses a threading header or address that holds a line break', () => {
    expect(() => buildRawMessage({ ...base, inReplyTo: '<a@b>\r\nBcc: attacker@evil.test' }, 'b')).toThrow(
      /In-Reply-To/,
    );
    expect(() => buildRawMessage({ ...base, references: ['<a@b>\nX-Injected: 1'] }, 'b')).toThrow(
      /References/,
    );
    expect(() => buildRawMessage({ ...base, to: ['emma@example.com\r\nBcc: x@evil.test'] }, 'b')).toThrow(
      /To/,
    );
    expect(() => buildRawMessage({ ...base, replyTo: 'a@b.c\nX: 1' }, 'b')).toThrow(/Reply-To/);
  });

  it('folds line breaks in the subject into spaces instead of new headers', async () => {
    const raw = buildRawMessage({ ...base, subject: 'Hello\r\nBcc: attacker@evil.test' }, 'b');
    const parsed = await PostalMime.parse(raw);
    expect(parsed.headers.some((h) => h.key === 'bcc')).toBe(false);
    expect(parsed.subject).toBe('Hello Bcc: attacker@evil.test');
  });
});

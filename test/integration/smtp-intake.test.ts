import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesEvent, startSmtpIntake } from '#local/smtp-intake.ts';

let dir: string;
const stored = new Map<string, Uint8Array>();
let failing = true;
const handled: string[] = [];
let intake: Awaited<ReturnType<typeof startSmtpIntake>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoke-smtp-'));
  intake = await startSmtpIntake({
    port: 0,
    recipientDomains: ['help.example.com'],
    rawMail: {
      get: async (key) => stored.get(key) as Uint8Array,
      put: async (key, raw) => void stored.set(key, raw),
    },
    rawPrefix: 'raw/',
    deadLetterDir: join(dir, 'dead-letters'),
    handler: async (event) => {
      const id = event.Records[0]?.ses.mail.messageId ?? '';
      if (failing) throw new Error('DynamoDB is down');
      handled.push(id);
      return { ok: true };
    },
  });
});

afterAll(async () => {
  await intake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the local SES inbound keeps what it cannot process', () => {
  it('stores the raw mail first, retries like Lambda, keeps a dead letter, and reprocesses it later', async () => {
    const port = Number(new URL(intake.url).port);
    const transport = createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
    await transport.sendMail({
      from: 'emma@example.com',
      to: 'support@help.example.com',
      subject: 'x',
      text: 'y',
    });
    transport.close();
    await intake.idle();

    expect(stored.size).toBe(1);
    const letters = await readdir(join(dir, 'dead-letters'));
    expect(letters).toHaveLength(1);

    failing = false;
    expect(await intake.retryDeadLetters()).toBe(1);
    expect(handled).toHaveLength(1);
    expect(await readdir(join(dir, 'dead-letters'))).toEqual([]);
  });

  it('keeps a dead letter that fails again', async () => {
    failing = true;
    await mkdir(join(dir, 'dead-letters'), { recursive: true });
    const event = sesEvent('manual-1', Buffer.from('From: a@b.c\r\n\r\nx'), 'a@b.c', [
      'support@help.example.com',
    ]);
    await writeFile(join(dir, 'dead-letters', 'manual-1.json'), JSON.stringify({ event }));
    expect(await intake.retryDeadLetters()).toBe(0);
    expect(await readdir(join(dir, 'dead-letters'))).toEqual(['manual-1.json']);
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultRelays } from '#local/fault-injection.ts';
import { inboundQueue } from '#local/inbound-queue.ts';
import { sesEvent } from '#local/smtp-intake.ts';

let upstream: Server;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end(`${request.method} ${request.url} passed`));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => {
  upstream.close();
});

describe('the fault relays', () => {
  it('refuse S3 writes at the given rate with 503 SlowDown and pass reads through', async () => {
    // Prepare: every draw below the rate, so every write is refused.
    const relays = await startFaultRelays({ s3WriteFailureRate: 0.1 }, () => 0.05);
    const { s3 } = relays.connect({ s3: upstreamUrl, ses: upstreamUrl });
    try {
      // Act
      const write = await fetch(`${s3}/bucket/key`, { method: 'PUT', body: 'x' });
      const read = await fetch(`${s3}/bucket/key`);
      // Assess
      expect(s3).not.toBe(upstreamUrl);
      expect(write.status).toBe(503);
      expect(await write.text()).toContain('<Code>SlowDown</Code>');
      expect(read.status).toBe(200);
      expect(await read.text()).toBe('GET /bucket/key passed');
    } finally {
      await relays.close();
    }
  });

  it('let writes through when the draw is above the rate, and leave SES alone without its fault', async () => {
    const relays = await startFaultRelays({ s3WriteFailureRate: 0.1 }, () => 0.5);
    const endpoints = relays.connect({ s3: upstreamUrl, ses: upstreamUrl });
    try {
      const write = await fetch(`${endpoints.s3}/bucket/key`, { method: 'PUT', body: 'x' });
      expect(write.status).toBe(200);
      expect(endpoints.ses).toBe(upstreamUrl);
    } finally {
      await relays.close();
    }
  });

  it('refuse every SES request when sends fail', async () => {
    const relays = await startFaultRelays({ sesSendsFail: true });
    const { ses } = relays.connect({ s3: upstreamUrl, ses: upstreamUrl });
    try {
      const send = await fetch(ses, { method: 'POST', body: 'Action=SendRawEmail' });
      expect(send.status).toBe(503);
      expect(await send.text()).toContain('ServiceUnavailable');
    } finally {
      await relays.close();
    }
  });

  it('are not started without faults: the emulators are reached directly', async () => {
    const relays = await startFaultRelays(undefined);
    expect(relays.connect({ s3: upstreamUrl, ses: 'http://127.0.0.1:9' })).toEqual({
      s3: upstreamUrl,
      ses: 'http://127.0.0.1:9',
    });
    await relays.close();
  });
});

describe('the local inbound queue', () => {
  it('keeps accepted events on disk, oldest first, until they are done', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spoke-queue-'));
    try {
      const queue = inboundQueue(join(dir, 'queue'));
      const raw = Buffer.from('From: a@example.com\r\nSubject: one\r\n\r\nbody\r\n');
      const first = sesEvent('first', raw, 'a@example.com', ['support@spoke.localhost']) as SESEvent;
      const second = sesEvent('second', raw, 'a@example.com', ['support@spoke.localhost']) as SESEvent;
      (second.Records[0] as SESEvent['Records'][number]).ses.mail.timestamp = '2999-01-01T00:00:00.000Z';
      await queue.enqueue('second', second);
      await queue.enqueue('first', first);

      // A new queue on the same folder: what a restarted cloud sees.
      const reopened = inboundQueue(join(dir, 'queue'));
      expect((await reopened.pending()).map((p) => p.messageId)).toEqual(['first', 'second']);
      await reopened.done('first');
      expect((await reopened.pending()).map((p) => p.messageId)).toEqual(['second']);
      expect(await readdir(join(dir, 'queue'))).toEqual(['second.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

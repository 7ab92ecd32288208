import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { SMTPServer } from 'smtp-server';
import type { RawMailStore } from '#ports/mail.ts';
import { concurrencyLimit } from './concurrency.ts';
import type { InboundQueue } from './inbound-queue.ts';

/** SES refuses inbound messages over 40 MB; so does the local intake. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/** Lambda retries an asynchronous invocation twice before it gives up on an event. */
const LAMBDA_ASYNC_ATTEMPTS = 3;

export interface SmtpIntakeOptions {
  readonly port: number;
  readonly host?: string;
  /** Domains whose recipients the receipt rule accepts; others get 550 as SES would answer. */
  readonly recipientDomains: readonly string[];
  readonly rawMail: RawMailStore;
  /** Key prefix of the receipt rule's S3 action. */
  readonly rawPrefix: string;
  readonly handler: (event: SESEvent) => Promise<unknown>;
  /** Folder for events that failed every attempt, like the Lambda's dead-letter queue. */
  readonly deadLetterDir: string;
  /**
   * Where accepted events wait for the handler, as in Lambda's asynchronous queue; events left
   * by a killed run are handled again on start. @default in memory only
   */
  readonly queue?: InboundQueue;
  /** How many messages the handler works on at once; the rest wait in the queue. @default 8 */
  readonly concurrency?: number;
  readonly onProcessed?: (messageId: string, outcome: unknown) => void;
  /**
   * What SES's receipt would say about a message: its spam, virus, SPF, DKIM and DMARC
   * verdicts. @default every verdict PASS
   */
  readonly verdicts?: (raw: Buffer, envelopeFrom: string) => Promise<ReceiptVerdicts>;
}

/** The verdicts of an SES receipt, as `{ status }` objects like SES writes them. */
export interface ReceiptVerdicts {
  readonly spam: string;
  readonly virus: string;
  readonly spf: string;
  readonly dkim: string;
  readonly dmarc: string;
  /** The From domain's published DMARC policy, which SES adds when DMARC fails. */
  readonly dmarcPolicy?: string;
}

const allPass: ReceiptVerdicts = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };

/** SES message ids are 20+ lowercase alphanumerics; ours look alike. */
const sesMessageId = () => randomBytes(16).toString('hex') + randomBytes(2).toString('hex');

function headerBlock(raw: Buffer): { name: string; value: string }[] {
  const end = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  const text = raw
    .subarray(0, end >= 0 ? Math.min(end, 256 * 1024) : Math.min(raw.length, 256 * 1024))
    .toString('latin1');
  const headers: { name: string; value: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const previous = headers.at(-1);
    if (/^[ \t]/.test(line) && previous) previous.value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
    }
  }
  return headers;
}

/** The event SES hands a receipt rule's Lambda action, for a message the S3 action just stored. */
export function sesEvent(
  messageId: string,
  raw: Buffer,
  envelopeFrom: string,
  recipients: string[],
  verdicts: ReceiptVerdicts = allPass,
): SESEvent {
  const headers = headerBlock(raw);
  const get = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value;
  const list = (name: string) => (get(name) ? [get(name) as string] : []);
  const now = new Date().toISOString();
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: now,
            source: envelopeFrom,
            messageId,
            destination: recipients,
            headersTruncated: false,
            headers,
            commonHeaders: {
              returnPath: envelopeFrom,
              from: list('from'),
              to: list('to'),
              date: get('date') ?? now,
              messageId: get('message-id') ?? '',
              subject: get('subject') ?? '',
            },
          },
          receipt: {
            timestamp: now,
            processingTimeMillis: 1,
            recipients,
            spamVerdict: { status: verdicts.spam },
            virusVerdict: { status: verdicts.virus },
            spfVerdict: { status: verdicts.spf },
            dkimVerdict: { status: verdicts.dkim },
            dmarcVerdict: { status: verdicts.dmarc },
            ...(verdicts.dmarcPolicy ? { dmarcPolicy: verdicts.dmarcPolicy } : {}),
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:local:000000000000:function:inbound-email',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  } as SESEvent;
}

/**
 * The local SES inbound: an SMTP server on loopback. A message is stored where the receipt
 * rule's S3 action would put it before the sender gets 250; then the inbound handler runs
 * with the SES event, with Lambda's retries, and a message that fails them all is written
 * to the dead-letter folder with its error. Nothing accepted is lost.
 */
export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<{
  url: string;
  close(): Promise<void>;
  idle(): Promise<void>;
  retryDeadLetters(): Promise<number>;
}> {
  const domains = new Set(options.recipientDomains.map((d) => d.toLowerCase()));
  const inFlight = new Set<Promise<unknown>>();

  const handle = async (messageId: string, event: SESEvent) => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= LAMBDA_ASYNC_ATTEMPTS; attempt++) {
      try {
        const outcome = await options.handler(event);
        options.onProcessed?.(messageId, outcome);
        await options.queue?.done(messageId);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    await mkdir(options.deadLetterDir, { recursive: true });
    await writeFile(
      join(options.deadLetterDir, `${messageId}.json`),
      JSON.stringify(
        {
          event,
          error: String((lastError as Error)?.stack ?? lastError),
          failedAt: new Date().toISOString(),
        },
        null,
        2,
      ),
    );
    await options.queue?.done(messageId);
    console.error(
      `[smtp] message ${messageId} failed ${LAMBDA_ASYNC_ATTEMPTS} times; kept in ${options.deadLetterDir}`,
    );
  };
  const slot = concurrencyLimit(options.concurrency ?? 8);
  const deliver = (messageId: string, event: SESEvent) => slot(() => handle(messageId, event));
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    work.finally(() => inFlight.delete(work));
  };

  /** The local `npm run mail:reprocess`: every kept event runs again; those that succeed leave the folder. */
  const retryDeadLetters = async (): Promise<number> => {
    const files = (await readdir(options.deadLetterDir).catch(() => [])).filter((f) => f.endsWith('.json'));
    let recovered = 0;
    for (const file of files) {
      const path = join(options.deadLetterDir, file);
      const { event } = JSON.parse(await readFile(path, 'utf8')) as { event: SESEvent };
      try {
        const outcome = await options.handler(event);
        options.onProcessed?.(file.replace(/\.json$/, ''), outcome);
        await rm(path);
        recovered++;
      } catch (error) {
        console.error(`[smtp] dead letter ${file} failed again: ${(error as Error).message}`);
      }
    }
    return recovered;
  };

  const server = new SMTPServer({
    name: 'spoke-local-intake',
    banner: 'Spoke local SES inbound',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      const domain = address.address.split('@')[1]?.toLowerCase() ?? '';
      if (!domains.has(domain)) {
        const error = Object.assign(new Error(`Mailbox ${address.address} is not served here`), {
          responseCode: 550,
        });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', async () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(Object.assign(new Error('Message exceeds the 40 MB limit'), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        const messageId = sesMessageId();
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        const verdicts = options.verdicts ? await options.verdicts(raw, envelopeFrom) : allPass;
        const event = sesEvent(messageId, raw, envelopeFrom, recipients, verdicts);
        try {
          await options.rawMail.put(`${options.rawPrefix}${messageId}`, raw);
          await options.queue?.enqueue(messageId, event);
        } catch (error) {
          return callback(
            Object.assign(new Error(`Temporary failure storing the message: ${(error as Error).message}`), {
              responseCode: 451,
            }),
          );
        }
        track(deliver(messageId, event));
        callback(null, `Ok: queued as ${messageId}`);
      });
    },
  });
  server.on('error', (error) => console.error(`[smtp] ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  for (const { messageId, event } of (await options.queue?.pending()) ?? []) track(deliver(messageId, event));
  const idle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return {
    url: `smtp://${options.host ?? '127.0.0.1'}:${port}`,
    idle,
    retryDeadLetters,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await idle();
    },
  };
}

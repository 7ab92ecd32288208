import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';

/**
 * The local stand-in for Lambda's asynchronous invocation queue. SES hands a receipt rule's
 * event to Lambda, which keeps it durably until the function has run (or the event has gone
 * to the dead-letter queue); locally the event lived only in memory, so a local cloud killed
 * between the SMTP 250 and the handler's end lost the mail. Here each event is written to a
 * folder before the sender is told 250 and removed once it has been handled or dead-lettered;
 * a restart hands every event still there to the handler again (which is idempotent on the
 * SES message id, as in AWS, where an event may also be delivered more than once).
 */
export interface InboundQueue {
  /** Durably keeps the event; resolves once it is on disk. */
  enqueue(messageId: string, event: SESEvent): Promise<void>;
  /** The event was handled or dead-lettered: it leaves the queue. */
  done(messageId: string): Promise<void>;
  /** Events left by an earlier run, oldest first. */
  pending(): Promise<{ messageId: string; event: SESEvent }[]>;
}

const SUFFIX = '.json';

export function inboundQueue(dir: string): InboundQueue {
  let ready: Promise<unknown> | undefined;
  const ensure = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };
  return {
    async enqueue(messageId, event) {
      await ensure();
      // Written under a temporary name and renamed, so a kill mid-write leaves no half event behind.
      const file = join(dir, `${messageId}${SUFFIX}`);
      await writeFile(`${file}.tmp`, JSON.stringify(event));
      await rename(`${file}.tmp`, file);
    },
    async done(messageId) {
      await rm(join(dir, `${messageId}${SUFFIX}`), { force: true });
    },
    async pending() {
      const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(SUFFIX));
      const events = await Promise.all(
        files.map(async (file) => ({
          messageId: file.slice(0, -SUFFIX.length),
          event: JSON.parse(await readFile(join(dir, file), 'utf8')) as SESEvent,
        })),
      );
      const at = (e: SESEvent) => e.Records[0]?.ses.mail.timestamp ?? '';
      return events.sort((a, b) => at(a.event).localeCompare(at(b.event)));
    },
  };
}

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local stand-in for the SQS dead-letter queues of the template: one folder per queue under
 * the data folder, one JSON file per message holding the body as Lambda writes it (the event,
 * unchanged) and the attributes it adds (`ErrorMessage`, `RequestID`), kept until read by hand.
 */
export interface DeadLetter {
  readonly id: string;
  readonly queue: string;
  readonly sentAt: string;
  /** The message body: the event that failed, as JSON text. */
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LocalDeadLetterQueues {
  send(queue: string, body: string, attributes?: Readonly<Record<string, string>>): Promise<DeadLetter>;
  /** The messages a queue holds, oldest first. */
  list(queue: string): Promise<DeadLetter[]>;
  readonly dir: string;
}

export function localDeadLetterQueues(dir: string): LocalDeadLetterQueues {
  return {
    dir,
    async send(queue, body, attributes = {}) {
      const sentAt = new Date().toISOString();
      const message: DeadLetter = { id: randomUUID(), queue, sentAt, body, attributes };
      const folder = join(dir, queue);
      await mkdir(folder, { recursive: true });
      const file = join(folder, `${sentAt.replace(/[:.]/g, '-')}-${message.id}.json`);
      await writeFile(`${file}.tmp`, JSON.stringify(message, null, 2));
      await rename(`${file}.tmp`, file);
      return message;
    },
    async list(queue) {
      const folder = join(dir, queue);
      const files = (await readdir(folder).catch(() => [] as string[]))
        .filter((f) => f.endsWith('.json'))
        .sort();
      return Promise.all(
        files.map(async (f) => JSON.parse(await readFile(join(folder, f), 'utf8')) as DeadLetter),
      );
    },
  };
}

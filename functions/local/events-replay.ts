import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localS3Config } from '#config/composition-root.ts';
import type { LocalCloud } from './cloud.ts';
import type { PutEventResult } from './event-router.ts';

/**
 * `npm run events:replay -- <dir|file>…`: recorded, real-shaped EventBridge events (the
 * fixtures under `test/fixtures/events/<kind>/`) put on the local cloud's default bus, where
 * the synthesized rules' patterns pick them up and the same handlers run as in AWS. An event
 * no rule matches is reported (a wrong pattern fails here, not in AWS); an event a handler
 * refuses ends in the function's dead-letter queue with its body. `npm run cmdb:replay` is
 * this on `test/fixtures/events/config`.
 *
 * A fixture is a JSON file holding one event or a list of them; files without `source` and
 * `detail-type` are not events and are skipped. `<name>.s3.json` next to `<name>.json` is the
 * S3 object the event points at (`detail.s3DeliverySummary.s3BucketLocation`, AWS Config's
 * oversized items): it is put there before the event.
 */

export interface EventFixture {
  readonly file: string;
  readonly event: Record<string, unknown>;
  /** The S3 object the event refers to, as `bucket/key` and its body. */
  readonly s3Object?: { readonly location: string; readonly body: string };
  /** The bus to put it on. @default 'default' */
  readonly bus?: string;
}

export interface ReplayedEvent extends PutEventResult {
  readonly file: string;
  readonly detailType: string;
}

const isEvent = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>).source === 'string' &&
  typeof (value as Record<string, unknown>)['detail-type'] === 'string';

async function filesOf(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true });
  return entries
    .filter((f) => f.endsWith('.json') && !f.endsWith('.s3.json'))
    .sort()
    .map((f) => join(path, f));
}

/** The events of the given files and folders (recursively), in the order of their `time`. */
export async function readEventFixtures(paths: readonly string[]): Promise<EventFixture[]> {
  const fixtures: EventFixture[] = [];
  for (const path of paths) {
    for (const file of await filesOf(resolve(path))) {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
      const events = (Array.isArray(parsed) ? parsed : [parsed]).filter(isEvent);
      const companion = join(dirname(file), `${basename(file, '.json')}.s3.json`);
      const body = await readFile(companion, 'utf8').catch(() => undefined);
      for (const event of events) {
        const location = (event.detail as { s3DeliverySummary?: { s3BucketLocation?: string } } | undefined)
          ?.s3DeliverySummary?.s3BucketLocation;
        fixtures.push({
          file,
          event,
          ...(body !== undefined && location ? { s3Object: { location, body } } : {}),
        });
      }
    }
  }
  // In the order they happened (file order among events of the same time), as EventBridge delivered them.
  const time = (f: EventFixture) => Date.parse(String(f.event.time ?? '')) || 0;
  return fixtures
    .map((f, i) => ({ f, i }))
    .sort((a, b) => time(a.f) - time(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

/** Puts each fixture's event on its bus of the local cloud, in order, and reports what happened. */
export async function replayEvents(
  cloud: Pick<LocalCloud, 'eventRouter' | 'urls'>,
  fixtures: readonly EventFixture[],
): Promise<ReplayedEvent[]> {
  const s3 = new S3Client({ ...localS3Config, endpoint: cloud.urls.s3 });
  const results: ReplayedEvent[] = [];
  try {
    for (const fixture of fixtures) {
      if (fixture.s3Object) {
        const [bucket = '', ...key] = fixture.s3Object.location.split('/');
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key.join('/'), Body: fixture.s3Object.body }),
        );
      }
      const result = await cloud.eventRouter.put(fixture.event, { bus: fixture.bus ?? 'default' });
      results.push({ ...result, file: fixture.file, detailType: String(fixture.event['detail-type']) });
    }
  } finally {
    s3.destroy();
  }
  return results;
}

/** One line per event: file, detail type, the rules it matched and each delivery's outcome. */
export function replayReport(results: readonly ReplayedEvent[], root = process.cwd()): string {
  const lines = results.map((r) => {
    const file = r.file.startsWith(root) ? r.file.slice(root.length + 1) : r.file;
    if (r.matchedRules.length === 0)
      return `${'UNMATCHED'.padEnd(11)}${file}  (${r.detailType}): no rule's pattern matches it`;
    const outcomes = r.deliveries.map(
      (d) =>
        `${d.functionId}: ${d.outcome}${d.deadLetterQueue ? ` to ${d.deadLetterQueue}` : ''}${d.error ? ` (${d.error})` : ''}`,
    );
    const status = r.deliveries.every((d) => d.outcome === 'delivered')
      ? 'ok'
      : r.deliveries.some((d) => d.outcome === 'failed')
        ? 'FAILED'
        : 'DEAD-LETTER';
    return `${status.padEnd(11)}${file}  (${r.detailType}) → ${outcomes.join('; ')}`;
  });
  const count = (test: (r: ReplayedEvent) => boolean) => results.filter(test).length;
  lines.push(
    `${results.length} event(s): ${count((r) => r.matchedRules.length > 0 && r.deliveries.every((d) => d.outcome === 'delivered'))} delivered, ` +
      `${count((r) => r.deliveries.some((d) => d.outcome === 'dead-lettered'))} dead-lettered, ` +
      `${count((r) => r.deliveries.some((d) => d.outcome === 'failed'))} failed, ${count((r) => r.matchedRules.length === 0)} unmatched`,
  );
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const dataDirAt = argv.indexOf('--data-dir');
  const dataDir = resolve(dataDirAt >= 0 ? String(argv[dataDirAt + 1]) : '.data');
  const paths = argv.filter((arg, i) => !arg.startsWith('--') && (dataDirAt < 0 || i !== dataDirAt + 1));
  if (paths.length === 0) {
    console.error('usage: npm run events:replay -- <dir|file>… [--data-dir .data]');
    return 2;
  }
  const fixtures = await readEventFixtures(paths);
  const { startLocalCloud } = await import('./cloud.ts');
  console.log(`Starting the local cloud on ${dataDir} (stop npm start first, or give another --data-dir)…`);
  const cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  try {
    const results = await replayEvents(cloud, fixtures);
    console.log(replayReport(results));
    console.log(`Dead letters are kept in ${cloud.deadLetters.dir}/<queue>/`);
    // A fixture no rule matches means a pattern and the events it is for disagree.
    return results.some((r) => r.matchedRules.length === 0) ? 1 : 0;
  } finally {
    await cloud.stop();
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));

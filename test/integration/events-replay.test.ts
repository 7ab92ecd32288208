import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { readEventFixtures, replayEvents, replayReport } from '#local/events-replay.ts';

/**
 * `npm run events:replay` in a local cloud: the recorded fixtures go through the synthesized
 * rules' patterns to the real handlers against DynamoDB Local, and the one of unknown shape
 * ends in the dead-letter queue with its body.
 */
let cloud: LocalCloud;
let dataDir: string;
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'events');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-replay-'));
  cloud = await startLocalCloud({
    dataDir,
    seed: false,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
});

afterAll(async () => {
  await cloud?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('events:replay of AWS Config fixtures (cmdb:replay)', () => {
  it('discovers the CIs through the rule’s pattern and the real handler, dead-letters the broken one, and is idempotent', async () => {
    const events = await readEventFixtures([join(fixtures, 'config')]);

    const first = await replayEvents(cloud, events);
    const again = await replayEvents(cloud, events);
    const outcome = (results: typeof first, file: string) =>
      (results.find((r) => r.file.endsWith(file))?.deliveries[0]?.result as { outcome?: string } | undefined)
        ?.outcome;
    const broken = first.find((r) => r.file.endsWith('broken.json'))?.deliveries[0];
    const kept = await cloud.deadLetters.list(broken?.deadLetterQueue ?? 'none');

    expect(replayReport(first)).toContain('6 event(s): 5 delivered, 1 dead-lettered, 0 failed, 0 unmatched');
    expect(outcome(first, 'subnet.json')).toBe('created');
    expect(outcome(first, 'instance-oversized.json')).toBe('created');
    expect(outcome(again, 'subnet.json')).toBe('unchanged');
    expect(broken).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
    expect(kept.map((message) => JSON.parse(message.body).id)).toContain(
      events.find((e) => e.file.endsWith('broken.json'))?.event.id,
    );
  });
});

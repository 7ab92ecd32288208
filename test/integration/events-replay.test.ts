import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordTable } from '#adapters/dynamodb/record-table.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { type ReplayedEvent, readEventFixtures, replayEvents, replayReport } from '#local/events-replay.ts';
import { functionByEntry } from '#local/local-template.ts';

/**
 * `npm run events:replay` in a seeded local cloud: every recorded fixture (AWS Config, CloudWatch
 * alarms, AWS Health, CloudTrail) goes through the synthesized rules' patterns to the real
 * handlers against DynamoDB Local; the ones of unknown shape end in a dead-letter queue with
 * their body.
 */
let cloud: LocalCloud;
let dataDir: string;
let documents: DynamoDBDocumentClient;
let tickets: DynamoTicketStore;
let records: RecordTable;
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'events');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoke-replay-'));
  cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  const env = cloud.functions.environment(
    functionByEntry(cloud.template, 'functions/handlers/cloud-operations.ts').logicalId,
  );
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud.urls.dynamodb,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const table = {
    client: documents,
    domainTable: String(env.DOMAIN_TABLE),
    idempotencyTable: String(env.IDEMPOTENCY_TABLE),
  };
  tickets = new DynamoTicketStore(table);
  records = new RecordTable(table);
});

afterAll(async () => {
  documents?.destroy();
  await cloud?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

type Result = {
  outcome?: string;
  incident?: { id: string; number: string };
  reason?: string;
  mailed?: number;
};
const resultOf = (results: readonly ReplayedEvent[], file: string) =>
  results.find((r) => r.file.endsWith(file))?.deliveries[0]?.result as Result | undefined;

describe('events:replay of AWS Config fixtures (cmdb:replay)', () => {
  it('discovers the CIs through the rule’s pattern and the real handler, dead-letters the broken one, and is idempotent', async () => {
    const events = await readEventFixtures([join(fixtures, 'config')]);

    const first = await replayEvents(cloud, events);
    const again = await replayEvents(cloud, events);
    const broken = first.find((r) => r.file.endsWith('broken.json'))?.deliveries[0];
    const kept = await cloud.deadLetters.list(broken?.deadLetterQueue ?? 'none');

    expect(replayReport(first)).toContain('6 event(s): 5 delivered, 1 dead-lettered, 0 failed, 0 unmatched');
    expect(resultOf(first, 'subnet.json')?.outcome).toBe('created');
    expect(resultOf(first, 'instance-oversized.json')?.outcome).toBe('created');
    expect(resultOf(again, 'subnet.json')?.outcome).toBe('unchanged');
    expect(broken).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
    expect(kept.map((message) => JSON.parse(message.body).id)).toContain(
      events.find((e) => e.file.endsWith('broken.json'))?.event.id,
    );
  });
});

describe('events:replay of alarm, Health and CloudTrail fixtures', () => {
  let results: ReplayedEvent[];

  beforeAll(async () => {
    results = await replayEvents(
      cloud,
      await readEventFixtures([
        join(fixtures, 'alarm'),
        join(fixtures, 'health'),
        join(fixtures, 'cloudtrail'),
      ]),
    );
  });

  it('opens one incident per alarm on the CI its dimensions name, prioritised by the service, linked to the CI', async () => {
    const opened = resultOf(results, 'hr-api-errors-alarm.json');
    const repeat = resultOf(results, 'hr-api-errors-alarm-repeat.json');
    const incident = await tickets.get(opened?.incident?.id ?? 'none');
    const links = await records.links(
      { kind: 'incident', id: opened?.incident?.id ?? 'none' },
      'configuration_item',
    );

    const mailed = results.map((r) => (r.deliveries[0]?.result as Result | undefined)?.mailed ?? 0);

    expect(opened?.outcome).toBe('opened');
    // One mail for the whole run: the first incident's; the others wait in the queue (storm damping).
    expect(mailed.reduce((a, b) => a + b, 0)).toBe(1);
    expect(repeat?.outcome).toMatch(/^(folded|appended)$/);
    expect(repeat?.incident?.id).toBe(opened?.incident?.id);
    expect(incident?.ticket).toMatchObject({ channel: 'alarm', priority: 2, service: 'HR self-service' });
    expect(incident?.ticket.shortDescription).toContain('hr-api');
    expect(links.map((link) => link.target.number)).toHaveLength(1);
    expect(links[0]?.target.kind).toBe('configuration_item');
  });

  it('resolves the alarm’s incident when it returns to OK', async () => {
    const ok = resultOf(results, 'hr-api-errors-ok.json');
    const incident = await tickets.get(ok?.incident?.id ?? 'none');

    const outbox = (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };

    expect(ok?.outcome).toBe('resolved');
    // Its requester is monitoring@spoke.invalid: the resolution is mailed to nobody.
    expect(outbox.emails.filter((m) => m.destination.to.some((to) => to.endsWith('.invalid')))).toEqual([]);
    expect(incident?.ticket.state).toBe('resolved');
    expect(incident?.ticket.resolution?.notes).toContain('is OK');
  });

  it('opens an incident against "unknown CI" for a resource the CMDB does not hold, and dead-letters an alarm without its name', async () => {
    const unknown = resultOf(results, 'unknown-instance-alarm.json');
    const incident = await tickets.get(unknown?.incident?.id ?? 'none');
    const broken = results.find((r) => r.file.endsWith('alarm/broken.json'))?.deliveries[0];
    const kept = await cloud.deadLetters.list(broken?.deadLetterQueue ?? 'none');

    expect(unknown?.outcome).toBe('opened');
    expect(incident?.ticket.shortDescription).toContain('unknown CI');
    expect(incident?.ticket.tags).toContain('unknown-ci');
    expect(incident?.ticket.priority).toBe(3);
    expect(broken?.outcome).toBe('dead-lettered');
    expect(kept.some((message) => message.body.includes('b1c2d3e4-0000-4000-8000-000000000006'))).toBe(true);
  });

  it('opens an incident for an AWS Health issue on the CI it affects, resolves it when closed, and leaves a scheduled change alone', async () => {
    const open = resultOf(results, 'rds-issue-open.json');
    const closed = resultOf(results, 'rds-issue-closed.json');
    const incident = await tickets.get(open?.incident?.id ?? 'none');
    const links = await records.links(
      { kind: 'incident', id: open?.incident?.id ?? 'none' },
      'configuration_item',
    );

    expect(open?.outcome).toBe('opened');
    expect(incident?.ticket.priority).toBe(2);
    expect(incident?.ticket.tags).toContain('aws-health');
    expect(links).toHaveLength(1);
    expect(closed).toMatchObject({ outcome: 'resolved', incident: open?.incident });
    expect(resultOf(results, 'rds-maintenance-scheduled.json')?.outcome).toBe('ignored');
  });

  it('catches a console change to a production CI with no change in implement, and lets the pipeline’s role through', async () => {
    const console = resultOf(results, 'modify-db-instance-console.json');
    const pipeline = resultOf(results, 'modify-db-instance-pipeline.json');
    const incident = await tickets.get(console?.incident?.id ?? 'none');

    expect(console?.outcome).toBe('opened');
    expect(incident?.ticket.shortDescription).toContain(
      'Change without an approved change record: ModifyDBInstance on hr-db',
    );
    expect(incident?.ticket.description).toContain('Who: arn:aws:iam::123456789012:role/Admin');
    expect(incident?.ticket.description).toContain('When: 2026-12-03T02:10:00Z');
    expect(incident?.ticket.description).toContain('rds.amazonaws.com ModifyDBInstance');
    expect(pipeline).toMatchObject({ outcome: 'ignored' });
    expect(pipeline?.reason).toContain('allow-listed');
  });

  it('opens one incident for ten concurrent deliveries of a new alarm', async () => {
    const [fixture] = await readEventFixtures([join(fixtures, 'alarm', 'hr-db-cpu-alarm.json')]);
    const event = {
      ...fixture?.event,
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:concurrent'],
      time: '2026-12-03T12:00:00Z',
      detail: { ...(fixture?.event.detail as object), alarmName: 'concurrent' },
    };

    const delivered = await Promise.all(Array.from({ length: 10 }, () => cloud.eventRouter.put(event)));
    const incidents = new Set(
      delivered.map((d) => (d.deliveries[0]?.result as Result | undefined)?.incident?.id),
    );
    const outcomes = delivered.map((d) => (d.deliveries[0]?.result as Result | undefined)?.outcome);

    expect(incidents.size).toBe(1);
    expect(outcomes.filter((o) => o === 'opened')).toHaveLength(1);
  });
});

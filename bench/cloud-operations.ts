import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '#local/cloud.ts';
import { type Figure, loadNote, type SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * Cloud operations on the local product (issue 18): a CloudWatch alarm event put on the local
 * default bus → the synthesized rule's pattern → the cloud-operations handler → an incident in
 * DynamoDB Local (p50 per alarm), and a storm of alarm events (default 500: 100 alarms, 5 events
 * each, 25 in flight) — incidents created (one per alarm), mails sent (one per address per
 * window), and the time it took.
 */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

type Result = { outcome?: string; incident?: { id: string } };

export async function runCloudOperations(options: SuiteOptions): Promise<SuiteResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-bench-ops-'));
  const cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  try {
    const fixture = JSON.parse(
      await readFile(
        join(import.meta.dirname, '..', 'test', 'fixtures', 'events', 'alarm', 'hr-api-errors-alarm.json'),
        'utf8',
      ),
    ) as { detail: Record<string, unknown> } & Record<string, unknown>;
    let clock = Date.parse('2026-12-04T00:00:00Z');
    const alarmEvent = (name: string) => {
      clock += 1000;
      return {
        ...fixture,
        id: crypto.randomUUID(),
        time: new Date(clock).toISOString().replace('.000', ''),
        resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`],
        detail: { ...fixture.detail, alarmName: name },
      };
    };
    const put = async (event: Record<string, unknown>) => {
      const result = await cloud.eventRouter.put(event);
      const delivery = result.deliveries[0];
      if (delivery?.outcome !== 'delivered')
        throw new Error(`Alarm not delivered: ${JSON.stringify(result)}`);
      return delivery.result as Result;
    };
    const mailsTo = async (address: string) =>
      (
        (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as {
          emails: { destination: { to: string[] } }[];
        }
      ).emails.filter((m) => m.destination.to.includes(address)).length;

    // 1. Alarm event → incident, one alarm at a time (the first two warm the function).
    const samples = { smoke: 6, quick: 22, full: 52 }[options.size];
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const result = await put(alarmEvent(`bench-latency-${i}`));
      if (result.outcome !== 'opened') throw new Error(`Expected an incident, got ${JSON.stringify(result)}`);
      if (i >= 2) latencies.push(performance.now() - started);
    }

    // 2. The storm: every alarm fires several times, deliveries overlapping.
    const alarms = { smoke: 10, quick: 50, full: 100 }[options.size];
    const repeats = 5;
    const events = Array.from({ length: alarms * repeats }, (_, i) =>
      alarmEvent(`bench-storm-${i % alarms}`),
    );
    const stormStarted = performance.now();
    const results: Result[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < events.length) {
          const event = events[next++] as Record<string, unknown>;
          results.push(await put(event));
        }
      }),
    );
    const stormMs = performance.now() - stormStarted;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const incidents = new Set(results.map((r) => r.incident?.id).filter(Boolean));
    const opened = results.filter((r) => r.outcome === 'opened').length;
    const mails = await mailsTo('oncall@example.com');

    const figures: Figure[] = [
      { name: 'alarm event → incident p50', value: percentile(latencies, 50), unit: 'ms', target: 500 },
      { name: 'alarm event → incident p95', value: percentile(latencies, 95), unit: 'ms' },
      {
        name: `storm: ${events.length} alarm events from ${alarms} alarms, time`,
        value: stormMs,
        unit: 'ms',
      },
      {
        name: 'storm: incidents created',
        value: incidents.size,
        unit: 'n',
        target: alarms,
        note: `${opened} "opened" outcomes; one per alarm is right`,
      },
      {
        name: 'storm: mails sent to the on-call address',
        value: mails,
        unit: 'n',
        target: 1,
        note: 'one per address per notify window',
      },
    ];
    if (incidents.size !== alarms || opened !== alarms)
      throw new Error(`The storm made ${incidents.size} incidents (${opened} opened) for ${alarms} alarms`);
    return {
      suite: 'cloud-operations',
      figures,
      notes: [
        `${samples - 2} alarms timed one at a time; the storm's events went 25 at a time through the local bus to one function worker`,
        loadNote('at the end'),
      ],
    };
  } finally {
    await cloud.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

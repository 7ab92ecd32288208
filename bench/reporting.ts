import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { reportCounterEntity } from '#adapters/dynamodb/report-entities.ts';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { NOW_SLOT } from '#core/reporting/counters.ts';
import { countEvent } from '#core/reporting/counting-service.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { buildReport } from '#core/reporting/report-service.ts';
import { LOCAL_TABLE_PREFIX } from '#local/cloud.ts';
import { ensureTables } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { claimPort } from '#local/preflight.ts';
import { countsSince, describeCounts, startCountingProxy } from './dynamo-proxy.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * Reporting (issue 17): the dashboard over one year of a desk with 100,000 tickets — DynamoDB
 * requests and p50 on DynamoDB Local — and what counting one event costs. A year's counters are
 * one item per day and cut whatever the number of tickets, so the year is written as the
 * counter items those tickets' events leave (366 days, the whole desk and one group), and a
 * sample of real events is counted through the consumer's code for the per-event cost.
 */
const sizes = {
  smoke: { tickets: 1_000, reports: 3, events: 20 },
  quick: { tickets: 10_000, reports: 10, events: 100 },
  full: { tickets: 100_000, reports: 30, events: 400 },
};

const DAY_MS = 86_400_000;
const admin = { id: 'bench', email: 'bench@example.com', groups: ['admins'] };

export async function runReporting(options: SuiteOptions): Promise<SuiteResult> {
  const size = sizes[options.size];
  const log = (message: string) => process.stderr.write(`[bench] reporting: ${message}\n`);
  const workDir = await mkdtemp(join(tmpdir(), 'spoke-bench-reporting-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const dynamo = await startDynamoDbLocal({
      port: await claimPort(0, 'DynamoDB Local'),
      dataDir: join(workDir, 'dynamodb'),
    });
    stops.push(() => dynamo.stop());
    const proxy = await startCountingProxy(dynamo.endpoint);
    stops.push(() => proxy.close());
    const client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stops.push(async () => client.destroy());
    await ensureTables(client, LOCAL_TABLE_PREFIX);
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const tables = {
      client: documents,
      domainTable: tableName(LOCAL_TABLE_PREFIX, domainTable),
      idempotencyTable: tableName(LOCAL_TABLE_PREFIX, idempotencyTable),
    };
    const reports = new DynamoReportStore(tables);

    // A year of counters: the tickets spread over 366 days, for the whole desk and one group.
    const today = new Date();
    const first = new Date(today.getTime() - 365 * DAY_MS).toISOString().slice(0, 10);
    const perDay = Math.ceil(size.tickets / 366);
    const items = [];
    for (let n = 0; n <= 365; n++) {
      const slot = new Date(Date.parse(`${first}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
      const counters = {
        opened: perDay,
        opened_incident: perDay,
        resolved: perDay,
        resCount: perDay,
        resSum: perDay * 240,
        resH12: perDay,
        slaMet_resolution: perDay - 1,
        slaBreached_resolution: 1,
        csatCount: 3,
        csatSum: 13,
        'svc:Email': perDay,
      };
      for (const cut of ['all', 'group=service-desk'])
        items.push(reportCounterEntity.item(counters, { cut, slot }));
    }
    for (const cut of ['all', 'group=service-desk'])
      items.push(reportCounterEntity.item({ open: 40 }, { cut, slot: NOW_SLOT }));
    for (let i = 0; i < items.length; i += 25)
      await documents.send(
        new BatchWriteCommand({
          RequestItems: {
            [tables.domainTable]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    log(`${items.length} counter items for ${size.tickets} tickets over a year`);

    const deps = {
      reports,
      groups: { groupsOf: async () => [], listGroups: async () => ({ items: [] }) },
      timeZone: 'UTC',
      clock: { now: () => today },
    };
    const query = { from: first, to: today.toISOString().slice(0, 10), granularity: 'week' };
    const times: number[] = [];
    let requests = 0;
    let described = '';
    for (let run = 0; run < size.reports; run++) {
      const before = proxy.counts();
      const started = performance.now();
      const report = await buildReport(deps, admin, query);
      times.push(performance.now() - started);
      const delta = countsSince(before, proxy.counts());
      requests = Object.values(delta).reduce((a, b) => a + b, 0);
      described = describeCounts(delta);
      if (report.total.tickets.opened !== perDay * 366) throw new Error('the year did not add up');
    }
    times.sort((a, b) => a - b);

    // Counting real events: a ticket opened, then resolved, through the consumer's code.
    const calendar = deskCalendar('UTC', 'mon,tue,wed,thu,fri 08:00-18:00');
    const beforeEvents = proxy.counts();
    for (let n = 0; n < size.events / 2; n++) {
      const ticketId = `bench-${n}`;
      const at = new Date(today.getTime() - 3_600_000).toISOString();
      await countEvent(
        { reports, calendar },
        {
          type: 'ticket.created',
          id: `${ticketId}-c`,
          at,
          detail: {
            ticketId,
            number: 'INC0001001',
            channel: 'portal',
            priority: 3,
            assignmentGroup: 'service-desk',
            service: 'Email',
          },
        },
      );
      await countEvent(
        { reports, calendar },
        {
          type: 'ticket.updated',
          id: `${ticketId}-r`,
          at: today.toISOString(),
          detail: {
            ticketId,
            number: 'INC0001001',
            changes: [{ field: 'state', oldValue: 'new', newValue: 'resolved' }],
          },
        },
      );
    }
    const eventCounts = countsSince(beforeEvents, proxy.counts());
    const perEvent = Object.values(eventCounts).reduce((a, b) => a + b, 0) / size.events;

    const figures: Figure[] = [
      {
        name: `dashboard over a year (${size.tickets} tickets): DynamoDB requests`,
        value: requests,
        unit: 'n',
        target: 20,
      },
      {
        name: `dashboard over a year (${size.tickets} tickets): p50`,
        value: Math.round(times[Math.floor(times.length / 2)] ?? 0),
        unit: 'ms',
      },
      {
        name: 'counting one event: DynamoDB requests',
        value: Math.round(perEvent * 100) / 100,
        unit: 'n',
        target: 3,
      },
    ];
    return {
      suite: 'reporting',
      figures,
      notes: [
        `A year's report read ${described} (the whole desk: one cut, one page of ~${items.length / 2} items).`,
        `Counting ${size.events} events (opened, resolved; group, service, priority, channel set) sent ${describeCounts(eventCounts)}: a GetItem of the record's facts and one TransactWriteItems of the marker, the facts and up to 16 counter items.`,
      ],
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

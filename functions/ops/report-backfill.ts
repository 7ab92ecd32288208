import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRecordHistories } from '#adapters/dynamodb/record-histories.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { CounterTotals, eventsOf, type RebuiltKind } from '#core/reporting/rebuild.ts';
import type { BusinessCalendar } from '#core/sla/business-calendar.ts';

const usage = `npm run report:backfill -- --prefix <table prefix> [--endpoint <url>]
    [--time-zone Europe/Berlin] [--business-hours "mon,tue,wed,thu,fri 08:00-18:00"]

Rebuilds the report counters (docs/reporting.md) from the records of an existing installation:
every incident, request, change, problem and knowledge article (its feedback), found by its number (no Scan), with its audit
history replayed through the same counting as the live consumer. The counter items and facts
it writes replace the stored ones. Use the desk's own time zone and business hours (the account
config's businessHours). Locally, while npm start runs: --prefix spoke-local --endpoint
http://127.0.0.1:3005.`;

export const rebuiltKinds: readonly RebuiltKind[] = ['incident', 'request', 'change', 'problem', 'knowledge'];

export interface BackfillResult {
  readonly records: Readonly<Record<RebuiltKind, number>>;
  readonly counterItems: number;
  readonly facts: number;
}

/** Rebuilds every counter from the records and writes it over the stored counters. */
export async function backfillReports(options: {
  readonly documents: DynamoDBDocumentClient;
  readonly domainTable: string;
  readonly idempotencyTable: string;
  readonly calendar: BusinessCalendar;
  readonly onRequest?: (operation: string) => void;
}): Promise<BackfillResult> {
  const histories = new DynamoRecordHistories({
    client: options.documents,
    domainTable: options.domainTable,
    idempotencyTable: options.idempotencyTable,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const totals = new CounterTotals(options.calendar);
  const records = { incident: 0, request: 0, change: 0, problem: 0, knowledge: 0 };
  for (const kind of rebuiltKinds) {
    for await (const history of histories.histories(kind)) {
      totals.add(eventsOf(history));
      records[kind]++;
    }
  }
  const written = await histories.replace(totals);
  return { records, counterItems: written.counters, facts: written.facts };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      prefix: { type: 'string' },
      endpoint: { type: 'string' },
      'time-zone': { type: 'string', default: 'UTC' },
      'business-hours': { type: 'string', default: 'mon,tue,wed,thu,fri 08:00-18:00' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.prefix) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const client = new DynamoDBClient(
    values.endpoint
      ? {
          endpoint: values.endpoint,
          region: 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {},
  );
  const started = Date.now();
  const result = await backfillReports({
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    domainTable: tableName(values.prefix, domainTable),
    idempotencyTable: tableName(values.prefix, idempotencyTable),
    calendar: deskCalendar(values['time-zone'], values['business-hours']),
  });
  console.log(JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }));
}

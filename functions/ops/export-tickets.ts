import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { articleEntity, ticketAuditEntity, ticketEntity } from '#adapters/dynamodb/entities.ts';

const usage = `npm run export -- --table <domain table name> --out <file.jsonl> [--endpoint <url>] [--segments 4]

Writes every ticket, article and audit entry of a Spoke deployment as JSON Lines, one record a
line with its "type" (ticket, article, audit): for audits, analytics, or leaving. Reads with a
parallel Scan at the table's on-demand capacity; it never runs on a request path. Locally:
--table spoke-local-domain --endpoint http://127.0.0.1:3005 while npm start runs.`;

const schemas = { ticket: ticketEntity, article: articleEntity, audit: ticketAuditEntity } as const;
type ExportedType = keyof typeof schemas;

/**
 * Streams the domain records of a table to `write`, each validated with its schema, and
 * returns how many of each type it wrote. Items that are not records (counters, links,
 * idempotency, groups) are left out: they are rebuilt from the records.
 */
export async function exportTickets(options: {
  readonly documents: DynamoDBDocumentClient;
  readonly table: string;
  readonly segments?: number;
  readonly write: (line: string) => Promise<void> | void;
}): Promise<Record<ExportedType, number>> {
  const counts: Record<ExportedType, number> = { ticket: 0, article: 0, audit: 0 };
  const segments = options.segments ?? 4;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: ScanCommandOutput['LastEvaluatedKey'];
      do {
        const page = await options.documents.send(
          new ScanCommand({
            TableName: options.table,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: startKey,
            FilterExpression: 'entity IN (:ticket, :article, :audit)',
            ExpressionAttributeValues: { ':ticket': 'ticket', ':article': 'article', ':audit': 'audit' },
          }),
        );
        for (const item of page.Items ?? []) {
          const type = item.entity as ExportedType;
          const record = schemas[type].parse(item);
          await options.write(`${JSON.stringify({ type, ...record })}\n`);
          counts[type]++;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }),
  );
  return counts;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      table: { type: 'string' },
      out: { type: 'string' },
      endpoint: { type: 'string' },
      segments: { type: 'string', default: '4' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.table || !values.out) {
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
  const out = createWriteStream(values.out);
  const counts = await exportTickets({
    documents: DynamoDBDocumentClient.from(client),
    table: values.table,
    segments: Number(values.segments),
    write: async (line) => {
      if (!out.write(line)) await once(out, 'drain');
    },
  });
  out.end();
  await once(out, 'finish');
  console.log(
    `exported ${counts.ticket} tickets, ${counts.article} articles, ${counts.audit} audit entries to ${values.out}`,
  );
}

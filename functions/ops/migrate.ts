import { parseArgs } from 'node:util';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  ScanCommand,
  type ScanCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { VERSION_ATTRIBUTE } from '#adapters/dynamodb/entity.ts';
import { entityByName, entityList } from '#adapters/dynamodb/entity-list.ts';
import { tableDefinitions, tableName } from '#adapters/dynamodb/table-definition.ts';

const usage = `npm run migrate -- --entity <name> --prefix <table prefix> [--endpoint <url>] [--segments 4] [--dry-run]
npm run migrate -- --resolve-ci-labels --prefix <table prefix> [--endpoint <url>] [--dry-run]

Backfills one entity (docs/entities.md): every item of it written under an older schema version
is read through the entity's upgrade steps and written back at the current version, with its
keys computed again. Items changed meanwhile are left alone (they are current already). Reads
with a parallel Scan, so run it from a shell, never on a request path. Locally, while npm start
runs: --prefix spoke-local --endpoint http://127.0.0.1:3005.

--resolve-ci-labels links the service and CI labels of tickets, problems and changes to the
CI of exactly that name (functions/ops/resolve-ci-labels.ts); other labels stay labels.

Entities: ${entityList.map((e) => `${e.name} (v${e.version})`).join(', ')}`;

export interface MigrationResult {
  /** Items of the entity below the current version. */
  readonly found: number;
  readonly rewritten: number;
  /** Written by someone else between the read and the rewrite (already current). */
  readonly skipped: number;
}

/**
 * Rewrites every item of `entity` below its current schema version. Each rewrite is
 * conditioned on the item still carrying the version it was read with; when the key changed
 * too, the old item is deleted in the same transaction.
 */
export async function migrateEntity(options: {
  readonly documents: DynamoDBDocumentClient;
  readonly prefix: string;
  readonly entity: string;
  readonly segments?: number;
  readonly dryRun?: boolean;
}): Promise<MigrationResult> {
  const entity = entityByName(options.entity);
  if (!entity) throw new Error(`No entity ${options.entity}`);
  const definition = tableDefinitions.find((t) => t.id === entity.definition.table);
  if (!definition) throw new Error(`No table ${entity.definition.table}`);
  const table = tableName(options.prefix, definition);
  const keyOf = (item: Record<string, unknown>) =>
    Object.fromEntries(
      [definition.partitionKey.name, ...(definition.sortKey ? [definition.sortKey.name] : [])].map((k) => [
        k,
        item[k],
      ]),
    );
  let found = 0;
  let rewritten = 0;
  let skipped = 0;
  const segments = options.segments ?? 4;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: ScanCommandOutput['LastEvaluatedKey'];
      do {
        const page = await options.documents.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: startKey,
            FilterExpression: '#entity = :entity AND (attribute_not_exists(#v) OR #v < :version)',
            ExpressionAttributeNames: { '#entity': 'entity', '#v': VERSION_ATTRIBUTE },
            ExpressionAttributeValues: { ':entity': entity.name, ':version': entity.version },
          }),
        );
        for (const old of page.Items ?? []) {
          found++;
          if (options.dryRun) continue;
          const record = entity.parse(old);
          const context = entity.definition.contextOf?.(old);
          const item = (entity.item as (r: unknown, c: unknown) => Record<string, unknown>)(
            record,
            context ?? {},
          );
          const oldKey = keyOf(old);
          const moved = JSON.stringify(keyOf(item)) !== JSON.stringify(oldKey);
          const stored = old[VERSION_ATTRIBUTE];
          try {
            await options.documents.send(
              new TransactWriteCommand({
                TransactItems: [
                  ...(moved
                    ? [
                        {
                          Delete: {
                            TableName: table,
                            Key: oldKey,
                            ...unchanged(stored),
                          },
                        },
                      ]
                    : []),
                  {
                    Put: {
                      TableName: table,
                      Item: item,
                      ...(moved
                        ? {
                            ConditionExpression: 'attribute_not_exists(#v) OR #v < :version',
                            ExpressionAttributeNames: { '#v': VERSION_ATTRIBUTE },
                            ExpressionAttributeValues: { ':version': entity.version },
                          }
                        : unchanged(stored)),
                    },
                  },
                ],
              }),
            );
            rewritten++;
          } catch (error) {
            if (!(error instanceof TransactionCanceledException)) throw error;
            skipped++;
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }),
  );
  return { found, rewritten, skipped };
}

/** The condition that an item still carries the schema version it was read with. */
const unchanged = (stored: unknown) =>
  typeof stored === 'number'
    ? {
        ConditionExpression: '#v = :stored',
        ExpressionAttributeNames: { '#v': VERSION_ATTRIBUTE },
        ExpressionAttributeValues: { ':stored': stored },
      }
    : {
        ConditionExpression: 'attribute_not_exists(#v)',
        ExpressionAttributeNames: { '#v': VERSION_ATTRIBUTE },
      };

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      entity: { type: 'string' },
      prefix: { type: 'string' },
      endpoint: { type: 'string' },
      segments: { type: 'string', default: '4' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      'resolve-ci-labels': { type: 'boolean', default: false },
    },
  });
  if (values.help || !(values.entity || values['resolve-ci-labels']) || !values.prefix) {
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
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  if (values['resolve-ci-labels']) {
    const { resolveCiLabels } = await import('./resolve-ci-labels.ts');
    const done = await resolveCiLabels({ documents, prefix: values.prefix, dryRun: values['dry-run'] });
    console.log(
      `CI labels: ${done.records} records with labels, ${done.linked} linked, ${done.alreadyLinked} linked before, ${done.unresolved} unresolved, ${done.ambiguous} ambiguous${values['dry-run'] ? ' (dry run)' : ''}`,
    );
    process.exit(0);
  }
  const result = await migrateEntity({
    documents,
    prefix: values.prefix,
    entity: values.entity as string,
    segments: Number(values.segments),
    dryRun: values['dry-run'],
  });
  console.log(
    `${values.entity}: ${result.found} below the current version, ${result.rewritten} rewritten, ${result.skipped} changed meanwhile${values['dry-run'] ? ' (dry run)' : ''}`,
  );
}

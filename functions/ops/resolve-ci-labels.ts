import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { DynamoRecordCiStore } from '#adapters/dynamodb/record-ci-store.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import type { NumberedKind } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';

/** What a run found and did. */
export interface LabelResolution {
  /** Incidents, requests, problems and changes carrying a service or CI label. */
  readonly records: number;
  /** Labels linked to the CI of that exact name now. */
  readonly linked: number;
  /** Labels whose link existed already (a second run). */
  readonly alreadyLinked: number;
  /** Labels naming no CI, kept as unresolved labels. */
  readonly unresolved: number;
  /** Labels naming two or more CIs: left as labels, for a person to choose. */
  readonly ambiguous: number;
}

type Item = Record<string, unknown>;

async function scan(
  documents: DynamoDBDocumentClient,
  table: string,
  entities: readonly string[],
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: startKey,
        FilterExpression: entities.map((_, i) => `#entity = :e${i}`).join(' OR '),
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: Object.fromEntries(entities.map((e, i) => [`:e${i}`, e])),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? [value]
      : [];

/**
 * `npm run migrate -- --resolve-ci-labels`: the service and CI labels that tickets, problems and
 * changes carried as text before the CMDB become references where a CI has exactly that name
 * (a `relates_to` record link, as the forms write it); labels naming no CI, or several, stay
 * labels. The labels themselves are kept on the record. Safe to run again: a link that exists is
 * counted, not written twice. Reads with a Scan: an operator's command, never a request path.
 */
export async function resolveCiLabels(options: {
  readonly documents: DynamoDBDocumentClient;
  readonly prefix: string;
  readonly dryRun?: boolean;
}): Promise<LabelResolution> {
  const table = tableName(options.prefix, domainTable);
  const links = new DynamoRecordCiStore({
    client: options.documents,
    domainTable: table,
    idempotencyTable: tableName(options.prefix, idempotencyTable),
  });
  const byName = new Map<string, Item[]>();
  for (const ci of await scan(options.documents, table, ['ci'])) {
    if (ci.status === 'retired') continue;
    const name = String(ci.name).trim();
    byName.set(name, [...(byName.get(name) ?? []), ci]);
  }
  const records = await scan(options.documents, table, ['ticket', 'problem', 'change']);
  let withLabels = 0;
  let linked = 0;
  let alreadyLinked = 0;
  let unresolved = 0;
  let ambiguous = 0;
  const at = new Date().toISOString();
  for (const record of records) {
    const labels = [
      ...new Set([
        ...strings(record.service),
        ...strings(record.services),
        ...strings(record.configurationItems),
      ]),
    ].map((l) => l.trim());
    if (labels.length === 0) continue;
    withLabels++;
    const kind = (record.entity === 'ticket' ? record.kind : record.entity) as NumberedKind;
    for (const label of labels) {
      const cis = byName.get(label) ?? [];
      if (cis.length === 0) unresolved++;
      else if (cis.length > 1) ambiguous++;
      else if (options.dryRun) linked++;
      else {
        const ci = cis[0] as Item;
        try {
          await links.link({
            type: 'relates_to',
            source: { kind, id: String(record.id), number: String(record.number) },
            target: { kind: 'configuration_item', id: String(ci.id), number: String(ci.number) },
            createdAt: at,
            createdBy: { id: 'system', email: 'system@spoke.invalid' },
          });
          linked++;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          alreadyLinked++;
        }
      }
    }
  }
  return { records: withLabels, linked, alreadyLinked, unresolved, ambiguous };
}

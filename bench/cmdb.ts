import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAssetImportStore } from '#adapters/dynamodb/asset-import-store.dynamo.ts';
import { ciEntity, ciRelationEntity } from '#adapters/dynamodb/cmdb-entities.ts';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { ulids } from '#adapters/system/system.ts';
import { importKey, newAssetImport, startAssetImport } from '#core/cmdb/asset-import.ts';
import { runAssetImport } from '#core/cmdb/asset-import-run.ts';
import {
  type CiClass,
  type CiRelation,
  type ConfigurationItem,
  ciRef,
  type RelationType,
} from '#core/cmdb/ci.ts';
import { type CmdbDeps, viewCi } from '#core/cmdb/cmdb-service.ts';
import { applyConfigChange } from '#core/cmdb/discovery-service.ts';
import { analyseImpact } from '#core/cmdb/impact-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { formatRecordNumber } from '#core/record/record.ts';
import { ensureTables } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { claimPort } from '#local/preflight.ts';
import { repoRoot } from './processes.ts';
import { type Figure, loadNote, type SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';
import { random } from './ticket-data.ts';

/**
 * The CMDB against DynamoDB Local (issue 13): impact analysis from a CI over a graph of 10,000
 * CIs and 30,000 relations at depth 3 (its time and the DynamoDB requests it costs), the CI page
 * (its Queries), a CSV import of 10,000 assets (rows/s) and an AWS Config event until its CI is
 * stored. The graph is bulk-written as items (BatchWriteItem): loading it through the service,
 * a transaction a relation, would take the run's time and measure nothing asked for.
 */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const admin: Actor = { id: 'bench-admin', email: 'bench.admin@example.com', groups: ['admins', 'agents'] };

/** Business services on top, applications under them, then databases, functions and hosts; relations point down (and a few back up: cycles). */
function graph(size: number, rand: () => number) {
  const layers: [CiClass, number][] = [
    ['business_service', Math.max(5, Math.round(size * 0.01))],
    ['application', Math.round(size * 0.09)],
    ['aws_rds_instance', Math.round(size * 0.1)],
    ['aws_lambda_function', Math.round(size * 0.3)],
    ['aws_ec2_instance', 0],
  ];
  const used = layers.reduce((n, [, count]) => n + count, 0);
  (layers[4] as [CiClass, number])[1] = size - used;
  const now = new Date().toISOString();
  const cis: ConfigurationItem[] = [];
  const byLayer: ConfigurationItem[][] = [];
  let n = 0;
  for (const [ciClass, count] of layers) {
    const layer: ConfigurationItem[] = [];
    for (let i = 0; i < count; i++) {
      n++;
      const aws = ciClass.startsWith('aws_') ? { accountId: '123456789012', region: 'eu-west-1' } : {};
      const ci: ConfigurationItem = {
        id: `bench-ci-${n}`,
        number: formatRecordNumber('configuration_item', 900_000 + n),
        name: `${ciClass}-${i}`,
        class: ciClass,
        status: 'in_service',
        criticality: 'medium',
        tags: {},
        attributes: aws,
        source: 'manual',
        ...(ciClass === 'business_service'
          ? { owner: { id: `owner${i}@example.com`, email: `owner${i}@example.com` } }
          : {}),
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      layer.push(ci);
      cis.push(ci);
    }
    byLayer.push(layer);
  }
  const pick = (layer: ConfigurationItem[]) => layer[Math.floor(rand() * layer.length)] as ConfigurationItem;
  const relations = new Map<string, CiRelation>();
  const relate = (from: ConfigurationItem, type: RelationType, to: ConfigurationItem) => {
    if (from.id === to.id) return;
    relations.set(`${from.id}|${type}|${to.id}`, {
      type,
      from: ciRef(from),
      to: ciRef(to),
      source: 'manual',
      createdAt: now,
      createdBy: { id: admin.id, email: admin.email },
    });
  };
  while (relations.size < size * 3) {
    const roll = rand();
    const layer = 1 + Math.floor(rand() * 4);
    const from = pick(byLayer[layer] as ConfigurationItem[]);
    if (layer === 1 && roll < 0.3) relate(from, 'used_by', pick(byLayer[0] as ConfigurationItem[]));
    else if (layer < 4 && roll < 0.9)
      relate(from, layer === 3 ? 'runs_on' : 'depends_on', pick(byLayer[layer + 1] as ConfigurationItem[]));
    else relate(from, 'connects_to', pick(byLayer[1 + Math.floor(rand() * 4)] as ConfigurationItem[]));
  }
  return { cis, relations: [...relations.values()], byLayer };
}

async function batchWrite(
  documents: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
) {
  let next = 0;
  const worker = async () => {
    for (let i = next; i < items.length; i = next) {
      next += 25;
      let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export async function runCmdb(options: SuiteOptions): Promise<SuiteResult> {
  const size = { smoke: 300, quick: 2_000, full: 10_000 }[options.size];
  const importRows = { smoke: 200, quick: 2_000, full: 10_000 }[options.size];
  const samples = { smoke: 5, quick: 20, full: 50 }[options.size];
  const port = await claimPort(0, 'DynamoDB Local for the cmdb bench');
  const dynamo = await startDynamoDbLocal({ port, maxHeap: '1g' });
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(client, 'bench');
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const table = {
      client: documents,
      domainTable: tableName('bench', domainTable),
      idempotencyTable: tableName('bench', idempotencyTable),
    };
    let requests: string[] = [];
    const deps: CmdbDeps = {
      cis: new DynamoCmdbStore({ ...table, onRequest: (operation) => void requests.push(operation) }),
      groups: new DynamoGroupStore({ ...table, cacheTtlMs: 60_000 }),
      events: { publish: async () => undefined },
      clock: { now: () => new Date() },
      ids: ulids,
      managerGroup: 'configuration-managers',
    };
    const count = (operation: string) => requests.filter((r) => r === operation).length;

    // The graph, bulk-written.
    const loadStarted = performance.now();
    const { cis, relations, byLayer } = graph(size, random(13).next);
    await batchWrite(documents, table.domainTable, [
      ...cis.map((ci) => ciEntity.item(ci)),
      ...relations.map((relation) => ciRelationEntity.item(relation)),
    ]);
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    // 1. Impact from a database (downstream, depth 3): its applications and their services.
    const databases = byLayer[2] as ConfigurationItem[];
    const impactMs: number[] = [];
    const impactRequests: number[] = [];
    const walked: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const from = databases[(i * 7) % databases.length] as ConfigurationItem;
      requests = [];
      const started = performance.now();
      const impact = await analyseImpact(deps, admin, from.id, { direction: 'both', depth: 3 });
      if (i < 2) continue; // warm-up
      impactMs.push(performance.now() - started);
      impactRequests.push(requests.length);
      walked.push(impact.nodes.length);
    }
    const pageQueries: number[] = [];
    for (let i = 0; i < samples; i++) {
      requests = [];
      await viewCi(deps, admin, (cis[(i * 31) % cis.length] as ConfigurationItem).id);
      pageQueries.push(count('Query') + count('GetItem'));
    }

    // 2. CSV import of assets (the file in memory: S3 is one GetObject, the rows are the work).
    const files = new Map<string, string>();
    const header = 'name,class,serialNumber,model,manufacturer,purchaseDate,cost';
    const lines = Array.from(
      { length: importRows },
      (_, i) => `LT-${i},laptop,BENCH-${String(i).padStart(6, '0')},ThinkPad T14,Lenovo,2026-09-01,1290`,
    );
    const csv = [header, ...lines].join('\n');
    const importDeps = {
      cmdb: deps,
      imports: new DynamoAssetImportStore(table),
      files: {
        presignUpload: async () => ({ url: 'memory:', headers: {}, expiresAt: new Date().toISOString() }),
        head: async (key: string) =>
          files.has(key) ? { size: Buffer.byteLength(files.get(key) ?? '') } : undefined,
        read: async (key: string) => files.get(key) ?? '',
      },
      events: deps.events,
      clock: deps.clock,
      ids: ulids,
    };
    const { job } = await newAssetImport(importDeps, admin, {
      fileName: 'bench.csv',
      size: Buffer.byteLength(csv),
      sha256: 'A'.repeat(43).concat('='),
    });
    files.set(importKey(job.id), csv);
    await startAssetImport(importDeps, admin, job.id);
    const importStarted = performance.now();
    const imported = await runAssetImport(importDeps, job.id);
    const importSeconds = (performance.now() - importStarted) / 1000;
    if (imported?.created !== importRows)
      throw new Error(`Imported ${imported?.created} of ${importRows} rows`);

    // 3. A Config event until its CI is stored (a new Lambda function each time).
    const fixture = JSON.parse(
      await readFile(join(repoRoot, 'test/fixtures/events/config/lambda.json'), 'utf8'),
    ) as { detail: { configurationItem: Record<string, unknown> } };
    const eventMs: number[] = [];
    const discovery = { ...deps, oversized: { read: async () => ({}) } };
    for (let i = 0; i < samples + 2; i++) {
      const item = fixture.detail.configurationItem;
      const detail = {
        ...fixture.detail,
        configurationItem: {
          ...item,
          ARN: `arn:aws:lambda:eu-west-1:123456789012:function:bench-${i}`,
          resourceId: `bench-${i}`,
          resourceName: `bench-${i}`,
        },
      };
      const started = performance.now();
      await applyConfigChange(discovery, detail);
      if (i >= 2) eventMs.push(performance.now() - started);
    }
    client.destroy();

    const figures: Figure[] = [
      {
        name: `impact from a CI, both ways, depth 3 (${size} CIs, ${relations.length} relations) p50`,
        value: percentile(impactMs, 50),
        unit: 'ms',
        note: `p95 ${Math.round(percentile(impactMs, 95))} ms; ${Math.round(percentile(walked, 50))} CIs reached (p50)`,
      },
      {
        name: 'impact: DynamoDB requests per analysis p50',
        value: percentile(impactRequests, 50),
        unit: 'n',
        note: `max ${Math.max(...impactRequests)}; two Queries per CI walked, one GetItem per service or device named`,
      },
      { name: 'CI page: DynamoDB requests', value: Math.max(...pageQueries), unit: 'n', target: 2 },
      {
        name: `CSV import of ${importRows} assets`,
        value: importRows / importSeconds,
        unit: 'op/s',
        note: `rows/s, ${importSeconds.toFixed(1)} s; each row one transaction (CI, external-id claim, history)`,
      },
      {
        name: 'Config event → CI stored p50',
        value: percentile(eventMs, 50),
        unit: 'ms',
        note: `p95 ${Math.round(percentile(eventMs, 95))} ms`,
      },
    ];
    return {
      suite: 'cmdb',
      figures,
      notes: [
        `Graph of ${size} CIs and ${relations.length} relations bulk-written in ${loadSeconds.toFixed(1)} s; impact measured from ${samples} databases after 2 warm-up walks.`,
        loadNote('the run'),
      ],
    };
  } finally {
    await dynamo.stop();
  }
}

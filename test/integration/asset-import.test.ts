import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAssetImportStore } from '#adapters/dynamodb/asset-import-store.dynamo.ts';
import { DynamoCmdbStore } from '#adapters/dynamodb/cmdb-store.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import {
  type AssetImportDeps,
  assetImportErrors,
  type ImportFiles,
  importKey,
  newAssetImport,
  startAssetImport,
} from '#core/cmdb/asset-import.ts';
import { runAssetImport } from '#core/cmdb/asset-import-run.ts';
import { viewAsset } from '#core/cmdb/asset-service.ts';
import { findCiByExternalId } from '#core/cmdb/cmdb-service.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * CSV import of assets against DynamoDB Local. The file store is a map here (its S3 adapter
 * runs in the local cloud's test, through s3rver); everything else is the real engine.
 */
const ada: Actor = { id: 'u-ada', email: 'ada.admin@example.com', groups: ['admins', 'agents'] };
const carl: Actor = { id: 'u-carl', email: 'carl.cmdb@example.com', groups: ['agents'] };
const otto: Actor = { id: 'u-otto', email: 'otto.other@example.com', groups: ['agents'] };
let deps: AssetImportDeps;
const stored = new Map<string, string>();
const published: DomainEvent[] = [];
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

const files: ImportFiles = {
  presignUpload: async ({ key }) => ({
    url: `memory://${key}`,
    headers: {},
    expiresAt: new Date().toISOString(),
  }),
  head: async (key) => (stored.has(key) ? { size: Buffer.byteLength(stored.get(key) ?? '') } : undefined),
  read: async (key) => stored.get(key) ?? '',
};

/** Opens an import of the text, uploads it, starts it and runs it as the import function would. */
async function importCsv(text: string, actor: Actor = carl) {
  const { job } = await newAssetImport(deps, actor, {
    fileName: 'assets.csv',
    size: Buffer.byteLength(text),
    sha256: sha256(text),
  });
  stored.set(importKey(job.id), text);
  await startAssetImport(deps, actor, job.id);
  const requested = published.filter((e) => e.type === 'asset_import.requested').at(-1);
  expect(requested?.detail).toEqual({ importId: job.id });
  const done = await runAssetImport(deps, job.id);
  if (!done) throw new Error(`import ${job.id} not found`);
  const report = await assetImportErrors(deps, actor, job.id);
  return { done, errors: report.items };
}

const header =
  'Name,Class,Serial Number,Model,Manufacturer,Purchase Date,Warranty End,Cost,Assigned To,Phone Number,Enrolment';

beforeAll(async () => {
  const tables = await freshTables();
  const table = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  const groups = new DynamoGroupStore({ ...table, cacheTtlMs: 0 });
  const clock = { now: () => new Date() };
  await createGroup({ groups, clock }, ada, { id: 'configuration-managers', name: 'Configuration managers' });
  await addMember({ groups, clock }, ada, 'configuration-managers', { email: carl.email });
  const events = { publish: async (events: readonly DomainEvent[]) => void published.push(...events) };
  const cmdb = {
    cis: new DynamoCmdbStore(table),
    groups,
    events,
    clock,
    ids: ulids,
    managerGroup: 'configuration-managers',
  };
  deps = { cmdb, imports: new DynamoAssetImportStore(table), files, events, clock, ids: ulids };
});

describe('CSV import of assets', () => {
  it('imports the valid rows whole, reports each bad row by row, column and reason, and a re-run changes nothing', async () => {
    const csv = [
      header,
      'LT-1,laptop,SN-1,ThinkPad X1,Lenovo,2026-01-05,2029-01-05,1450,emma@example.com,,',
      'PH-1,mobile_phone,SN-2,Pixel 9,Google,2026-02-01,,699,,+44 20 7946 0000,enrolled',
      'Broken,toaster,SN-3,,,,,,,,',
      'LT-2,laptop,,ThinkPad X1,Lenovo,,,,,,',
      '"LT-3, spare",laptop,SN-4,ThinkPad X1,Lenovo,05/01/2026,,lots,not-an-email,,',
      'LT-1 again,laptop,SN-1,ThinkPad X1,Lenovo,,,,,,',
      'LT-5,laptop,SN-5,ThinkPad X1,Lenovo,,,,,,',
    ].join('\r\n');
    const first = await importCsv(csv);
    expect(first.done).toMatchObject({ status: 'done', rows: 7, created: 3, updated: 0, failed: 4 });
    expect(first.errors.map((e) => [e.row, e.problems.map((p) => p.field)])).toEqual([
      [4, ['class']],
      [5, ['serialNumber']],
      [6, ['cost', 'purchaseDate', 'assignedTo']],
      [7, ['serialNumber']],
    ]);
    expect(first.errors[3]?.problems[0]?.reason).toBe('repeats row 2');
    expect(first.errors[0]?.problems[0]?.reason).toContain('toaster is not an asset class');

    const laptop = await findCiByExternalId(deps.cmdb, carl, 'serial:SN-1');
    expect(laptop).toMatchObject({
      name: 'LT-1',
      source: 'import',
      owner: { email: 'emma@example.com' },
      asset: { state: 'assigned' },
      attributes: { model: 'ThinkPad X1', cost: 1450, warrantyEnd: '2029-01-05' },
    });
    expect((await viewAsset(deps.cmdb, carl, laptop.id)).assignments).toHaveLength(1);
    const phone = await findCiByExternalId(deps.cmdb, carl, 'serial:SN-2');
    expect(phone).toMatchObject({
      asset: { state: 'in_stock' },
      attributes: { phoneNumber: '+44 20 7946 0000', enrolment: 'enrolled' },
    });

    const again = await importCsv(csv);
    expect(again.done).toMatchObject({ status: 'done', created: 0, updated: 0, unchanged: 3, failed: 4 });
    expect((await viewAsset(deps.cmdb, carl, laptop.id)).assignments).toHaveLength(1);

    const changed = await importCsv(
      [header, 'LT-1 renamed,laptop,SN-1,ThinkPad X1,Lenovo,,,1500,,,'].join('\n'),
    );
    expect(changed.done).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expect(await findCiByExternalId(deps.cmdb, carl, 'serial:SN-1')).toMatchObject({
      name: 'LT-1 renamed',
      attributes: { cost: 1500, purchaseDate: '2026-01-05' },
      owner: { email: 'emma@example.com' },
    });
  });

  it('refuses a row that would reassign an asset, keeping the asset as it was', async () => {
    const { done, errors } = await importCsv(
      [header, 'LT-1,laptop,SN-1,ThinkPad X1,Lenovo,,,,finn@example.com,,'].join('\n'),
    );
    expect(done).toMatchObject({ failed: 1, updated: 0 });
    expect(errors[0]?.problems[0]).toMatchObject({ field: 'assignedTo' });
    expect((await findCiByExternalId(deps.cmdb, carl, 'serial:SN-1')).owner?.email).toBe('emma@example.com');
  });

  it('refuses a whole file with an unknown column or broken quoting, saying why', async () => {
    const unknown = await importCsv('name,class,colour\nx,laptop,red');
    expect(unknown.done).toMatchObject({ status: 'failed', failure: 'Unknown columns: colour', created: 0 });
    expect(unknown.errors).toEqual([
      {
        importId: unknown.done.id,
        row: 1,
        problems: [{ field: 'colour', reason: expect.stringContaining('is not a column') }],
      },
    ]);
    const broken = await importCsv('name,class\n"x,laptop');
    expect(broken.done.status).toBe('failed');
    expect(broken.errors[0]).toMatchObject({ row: 2, problems: [{ field: 'file' }] });
  });

  it('lets only CMDB managers import, checks the upload, and runs a redelivered finished job no more', async () => {
    const text = `${header}\nLT-9,laptop,SN-9,,,,,,,,`;
    const refused = await newAssetImport(deps, otto, {
      fileName: 'a.csv',
      size: 10,
      sha256: sha256('x'),
    }).catch((e: Error) => e);
    expect((refused as Error).name).toBe('ForbiddenError');
    const notCsv = await newAssetImport(deps, carl, {
      fileName: 'a.xlsx',
      size: 10,
      sha256: sha256('x'),
    }).catch((e: Error & { issues?: { path: string[] }[] }) => e);
    expect((notCsv as Error).name).toBe('ZodError');
    const { job } = await newAssetImport(deps, carl, {
      fileName: 'a.csv',
      size: Buffer.byteLength(text),
      sha256: sha256(text),
    });
    const early = await startAssetImport(deps, carl, job.id).catch((e: Error & { fields?: unknown }) => e);
    expect(early).toMatchObject({ name: 'ValidationError', fields: [{ path: 'file' }] });
    stored.set(importKey(job.id), `${text}\n`);
    const wrongSize = await startAssetImport(deps, carl, job.id).catch(
      (e: Error & { fields?: unknown }) => e,
    );
    expect(wrongSize).toMatchObject({ name: 'ValidationError', fields: [{ path: 'size' }] });
    stored.set(importKey(job.id), text);
    await startAssetImport(deps, carl, job.id);
    const done = await runAssetImport(deps, job.id);
    expect(done).toMatchObject({ status: 'done', created: 1 });
    const redelivered = await runAssetImport(deps, job.id);
    expect(redelivered?.version).toBe(done?.version);
    expect(await runAssetImport(deps, 'no-such-import')).toBeUndefined();
    const restart = await startAssetImport(deps, carl, job.id).catch((e: Error) => e);
    expect((restart as Error).name).toBe('ConflictError');
  });
});

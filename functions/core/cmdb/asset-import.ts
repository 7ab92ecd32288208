import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import { type Actor, isAdmin, normalizeEmail } from '../identity/actor.ts';
import { ActorRef, type Page } from '../record/record.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { isHardwareClass } from './asset.ts';
import { type CiClass, parseAttributes } from './ci.ts';
import { type CmdbDeps, CreateCiInput, editedCi, storeEditedCi, storeNewCi } from './cmdb-service.ts';
import { CsvSyntaxError, parseCsv } from './csv.ts';

/**
 * CSV import of assets, run as an asynchronous job: the file goes straight to S3 through a
 * presigned URL (the API takes 256 KB bodies and 29 s, a 10,000-row file takes minutes), and a
 * function reads it when the import is started. Each row is one transaction (the CI, its
 * external-id claim, its history and its first assignment), so a row is imported whole or not
 * at all; a row in error is reported (row, column, reason) and the others imported. Rows are
 * keyed by their external id (the `externalId` column, else `serial:<serialNumber>`): running
 * the same file again updates nothing that did not change and creates nothing twice.
 */

/** Largest file accepted: 10,000 rows of a dozen columns are ~2 MB. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** Most data rows in one file. */
export const MAX_IMPORT_ROWS = 20_000;
/** Rows applied at once. */
const CONCURRENCY = 8;
/** Rows between two saves of the job's counts (the portal shows the progress). */
const PROGRESS_EVERY = 500;

export const ImportStatus = z.enum(['awaiting_upload', 'queued', 'running', 'done', 'failed']);
export type ImportStatus = z.infer<typeof ImportStatus>;

export const AssetImport = z.object({
  id: z.string().min(1).max(64),
  fileName: z.string().min(1).max(255),
  size: z.number().int().min(1).max(MAX_IMPORT_BYTES),
  sha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  status: ImportStatus,
  createdBy: ActorRef,
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  /** Data rows read so far (the header not counted). */
  rows: z.number().int().min(0).default(0),
  created: z.number().int().min(0).default(0),
  updated: z.number().int().min(0).default(0),
  unchanged: z.number().int().min(0).default(0),
  failed: z.number().int().min(0).default(0),
  /** Why the whole file was refused (it does not parse, an unknown column, too many rows). */
  failure: z.string().max(2000).optional(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type AssetImport = z.infer<typeof AssetImport>;

/** One row's problems: all of them, each naming its column. Row 1 is the header. */
export const ImportRowError = z.object({
  importId: z.string().min(1).max(64),
  row: z.number().int().min(1),
  problems: z.array(z.object({ field: z.string().max(100), reason: z.string().max(500) })).min(1),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

export interface AssetImportStore {
  create(job: AssetImport): Promise<void>;
  get(id: string): Promise<AssetImport | undefined>;
  /** Replaces the job if still at `expectedVersion`, else `ConflictError`. */
  save(job: AssetImport, expectedVersion: number): Promise<void>;
  /** Stores row errors (one item per row: a redelivered run writes the same ones again). */
  putErrors(errors: readonly ImportRowError[]): Promise<void>;
  errors(importId: string, page: { limit: number; cursor?: string }): Promise<Page<ImportRowError>>;
  list(page: { limit: number; cursor?: string }): Promise<Page<AssetImport>>;
}

/** Where the uploaded files are: a presigned PUT for the browser, and their size and text. */
export interface ImportFiles {
  presignUpload(request: {
    readonly key: string;
    readonly contentType: string;
    readonly size: number;
    readonly sha256: string;
  }): Promise<{ url: string; headers: Readonly<Record<string, string>>; expiresAt: string }>;
  head(key: string): Promise<{ readonly size: number } | undefined>;
  read(key: string): Promise<string>;
}

export interface AssetImportDeps {
  readonly cmdb: CmdbDeps;
  readonly imports: AssetImportStore;
  readonly files: ImportFiles;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** The S3 key of an import's file. */
export const importKey = (id: string): string => `asset-imports/${id}.csv`;

export const NewImportInput = z.strictObject({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/\.csv$/i, 'must be a .csv file'),
  size: z
    .number()
    .int()
    .min(1, 'the file is empty')
    .max(MAX_IMPORT_BYTES, `must be at most ${MAX_IMPORT_BYTES} bytes`),
  sha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 SHA-256 of the file'),
});
export type NewImportInput = z.input<typeof NewImportInput>;

async function requireManager(deps: AssetImportDeps, actor: Actor): Promise<void> {
  if (isAdmin(actor)) return;
  const groups = await deps.cmdb.groups.groupsOf(normalizeEmail(actor.email));
  if (!groups.includes(deps.cmdb.managerGroup))
    throw new ForbiddenError(`Only admins and members of ${deps.cmdb.managerGroup} may import assets`);
}

/** Opens an import: the job, and the URL the browser puts the file to (exactly that file). */
export async function newAssetImport(deps: AssetImportDeps, actor: Actor, raw: NewImportInput) {
  const input = NewImportInput.parse(raw);
  await requireManager(deps, actor);
  const now = deps.clock.now().toISOString();
  const job = AssetImport.parse({
    id: deps.ids.next(),
    ...input,
    status: 'awaiting_upload',
    createdBy: { id: actor.id, email: actor.email },
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  const upload = await deps.files.presignUpload({
    key: importKey(job.id),
    contentType: 'text/csv',
    size: job.size,
    sha256: job.sha256,
  });
  await deps.imports.create(job);
  return { job, upload };
}

async function loadImport(deps: AssetImportDeps, actor: Actor, id: string): Promise<AssetImport> {
  await requireManager(deps, actor);
  const job = await deps.imports.get(id);
  if (!job) throw new NotFoundError(`No asset import ${id}`);
  return job;
}

/**
 * Starts an uploaded import: checks the file arrived whole, marks the job queued and asks for
 * the run (`asset_import.requested`, delivered to the import function with retries and a
 * dead-letter queue). Starting a queued one again asks again; a finished one is a new import.
 */
export async function startAssetImport(
  deps: AssetImportDeps,
  actor: Actor,
  id: string,
): Promise<AssetImport> {
  const job = await loadImport(deps, actor, id);
  if (job.status !== 'awaiting_upload' && job.status !== 'queued')
    throw new ConflictError(`Import ${id} is ${job.status}; upload the file again as a new import`, job);
  const stored = await deps.files.head(importKey(id));
  if (!stored)
    throw new ValidationError('The file has not been uploaded yet', [
      { path: 'file', message: 'nothing was uploaded to the import’s URL' },
    ]);
  if (stored.size !== job.size)
    throw new ValidationError('The uploaded file is not the announced one', [
      { path: 'size', message: `${stored.size} bytes arrived, ${job.size} were announced` },
    ]);
  const now = deps.clock.now().toISOString();
  const queued: AssetImport = { ...job, status: 'queued', updatedAt: now, version: job.version + 1 };
  if (job.status === 'awaiting_upload') await deps.imports.save(queued, job.version);
  await deps.events.publish([
    { type: 'asset_import.requested', id: deps.ids.next(), at: now, detail: { importId: id } },
  ]);
  return job.status === 'awaiting_upload' ? queued : job;
}

export async function viewAssetImport(deps: AssetImportDeps, actor: Actor, id: string): Promise<AssetImport> {
  return loadImport(deps, actor, id);
}

export async function assetImportErrors(
  deps: AssetImportDeps,
  actor: Actor,
  id: string,
  cursor?: string,
): Promise<Page<ImportRowError>> {
  await loadImport(deps, actor, id);
  return deps.imports.errors(id, { limit: 100, ...(cursor ? { cursor } : {}) });
}

export async function listAssetImports(deps: AssetImportDeps, actor: Actor, cursor?: string) {
  await requireManager(deps, actor);
  return deps.imports.list({ limit: 25, ...(cursor ? { cursor } : {}) });
}

// ——— the columns ———

/** The columns a file may have (header names, case and spaces/underscores ignored). */
export const importColumns = [
  'name',
  'class',
  'serialNumber',
  'externalId',
  'manufacturer',
  'model',
  'purchaseDate',
  'warrantyEnd',
  'cost',
  'phoneNumber',
  'enrolment',
  'assignedTo',
  'location',
  'supportGroup',
] as const;
type Column = (typeof importColumns)[number];
const squash = (header: string) => header.toLowerCase().replace(/[\s_-]/g, '');
const columnByHeader = new Map<string, Column>([
  ...importColumns.map((c): [string, Column] => [squash(c), c]),
  ['serial', 'serialNumber'],
  ['enrollment', 'enrolment'],
  ['assignee', 'assignedTo'],
]);
const attributeColumns: readonly Column[] = [
  'serialNumber',
  'manufacturer',
  'model',
  'purchaseDate',
  'warrantyEnd',
  'cost',
  'phoneNumber',
  'enrolment',
];

type Problem = { field: string; reason: string };
type Row = Partial<Record<Column, string>>;

interface ParsedRow {
  readonly externalId: string;
  readonly input: z.output<typeof CreateCiInput>;
}

/** A row as the CMDB would take it, or every problem it has (each naming its column). */
export function readRow(row: Row): { ok: true; value: ParsedRow } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const ciClass = row.class?.trim().toLowerCase().replace(/\s+/g, '_') ?? '';
  if (!ciClass) problems.push({ field: 'class', reason: 'is required' });
  else if (!isHardwareClass(ciClass))
    problems.push({
      field: 'class',
      reason: `${row.class} is not an asset class (laptop, desktop, server, mobile_phone, tablet, network_device)`,
    });
  const serial = row.serialNumber?.trim();
  const externalId = row.externalId?.trim() || (serial ? `serial:${serial}` : '');
  if (!externalId)
    problems.push({
      field: 'serialNumber',
      reason: 'is required (or externalId): it keeps a re-run from adding the asset twice',
    });
  const attributes: Record<string, unknown> = {};
  for (const column of attributeColumns) {
    const value = row[column]?.trim();
    if (!value) continue;
    if (column === 'cost') {
      const cost = Number(value.replace(/[, ]/g, ''));
      if (!Number.isFinite(cost)) problems.push({ field: 'cost', reason: `${value} is not a number` });
      else attributes.cost = cost;
    } else attributes[column] = value;
  }
  if (ciClass && isHardwareClass(ciClass)) {
    const checked = parseAttributes(ciClass as CiClass, attributes);
    if (!checked.ok)
      for (const p of checked.problems)
        problems.push({ field: p.path.replace(/^attributes\./, ''), reason: p.message });
  }
  const candidate = {
    name: row.name?.trim() ?? '',
    class: ciClass,
    ...(row.assignedTo?.trim() ? { owner: row.assignedTo.trim() } : {}),
    ...(row.location?.trim() ? { location: row.location.trim() } : {}),
    ...(row.supportGroup?.trim() ? { supportGroup: row.supportGroup.trim() } : {}),
    externalId,
    attributes,
  };
  const parsed = CreateCiInput.safeParse(candidate);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const path = String(issue.path[0] ?? 'row');
      if (path === 'class' || path === 'attributes' || path === 'externalId') continue; // reported above
      problems.push({
        field: path === 'owner' ? 'assignedTo' : path,
        reason: path === 'name' && !candidate.name ? 'is required' : issue.message,
      });
    }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, value: { externalId, input: parsed.data } };
}

// ——— the run ———

type Outcome = 'created' | 'updated' | 'unchanged';

async function applyRow(
  deps: AssetImportDeps,
  actor: Actor,
  job: AssetImport,
  row: ParsedRow,
): Promise<Outcome> {
  const reason = `CSV import ${job.fileName}`;
  for (let attempt = 0; ; attempt++) {
    const existing = await deps.cmdb.cis.findByExternalId(row.externalId);
    if (!existing) {
      try {
        await storeNewCi(deps.cmdb, actor, row.input, 'import');
        return 'created';
      } catch (error) {
        // The same external id created meanwhile (a concurrent run): update that one.
        if (error instanceof ConflictError && attempt === 0) continue;
        throw error;
      }
    }
    if (existing.class !== row.input.class)
      throw new RowRefused([
        { field: 'class', reason: `${existing.number} with this id is a ${existing.class}` },
      ]);
    const owner = row.input.owner;
    if (owner !== undefined && owner !== existing.owner?.email)
      throw new RowRefused([
        {
          field: 'assignedTo',
          reason: `${existing.number} is ${existing.owner ? `assigned to ${existing.owner.email}` : 'not assigned'}; assignments change by check-out and return`,
        },
      ]);
    const now = deps.clock.now().toISOString();
    const next = editedCi(
      existing,
      {
        name: row.input.name,
        attributes: { ...existing.attributes, ...row.input.attributes },
        ...(row.input.location ? { location: row.input.location } : {}),
        ...(row.input.supportGroup ? { supportGroup: row.input.supportGroup } : {}),
      },
      'editor',
      now,
    );
    try {
      const stored = await storeEditedCi(deps.cmdb, actor, existing, next, now, reason);
      return stored === existing ? 'unchanged' : 'updated';
    } catch (error) {
      if (error instanceof ConflictError && attempt === 0) continue; // edited meanwhile: read again
      throw error;
    }
  }
}

class RowRefused extends Error {
  constructor(readonly problems: Problem[]) {
    super('row refused');
  }
}

const problemsOf = (error: unknown): Problem[] => {
  if (error instanceof RowRefused) return error.problems;
  if (error instanceof ValidationError)
    return error.fields.length > 0
      ? error.fields.map((f) => ({ field: f.path.replace(/^attributes\./, ''), reason: f.message }))
      : [{ field: 'row', reason: error.message }];
  throw error;
};

/**
 * Runs an import (the import function, on `asset_import.requested`). A finished import is left
 * as it is (a redelivered event); a run cut short (a timeout) runs again from the top, which the
 * external ids make safe. An error other than a row's own (DynamoDB unreachable) fails the
 * invocation, so it is retried and then dead-lettered.
 */
export async function runAssetImport(deps: AssetImportDeps, importId: string): Promise<AssetImport> {
  const found = await deps.imports.get(importId);
  if (!found) throw new NotFoundError(`No asset import ${importId}`);
  if (found.status === 'done' || found.status === 'failed' || found.status === 'awaiting_upload')
    return found;
  let job: AssetImport = {
    ...found,
    status: 'running',
    startedAt: deps.clock.now().toISOString(),
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
  };
  job = await save(deps, job, found.version);
  const actor: Actor = { ...job.createdBy, groups: [] };

  const refuse = async (problems: Problem[], failure: string) => {
    await deps.imports.putErrors([{ importId, row: 1, problems }]);
    return save(
      deps,
      { ...job, status: 'failed', failure, failed: 0, finishedAt: deps.clock.now().toISOString() },
      job.version,
    );
  };
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(await deps.files.read(importKey(importId)));
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    await deps.imports.putErrors([
      { importId, row: error.line, problems: [{ field: 'file', reason: error.message }] },
    ]);
    return save(
      deps,
      {
        ...job,
        status: 'failed',
        failure: `Not CSV: ${error.message} (line ${error.line})`,
        finishedAt: deps.clock.now().toISOString(),
      },
      job.version,
    );
  }
  const [header, ...data] = records;
  if (!header) return refuse([{ field: 'file', reason: 'is empty' }], 'The file is empty');
  const columns = header.fields.map((h) => columnByHeader.get(squash(h)));
  const unknown = header.fields.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0)
    return refuse(
      unknown.map((h) => ({
        field: h || '(blank)',
        reason: `is not a column an import knows (${importColumns.join(', ')})`,
      })),
      `Unknown columns: ${unknown.join(', ')}`,
    );
  for (const required of ['name', 'class'] as const)
    if (!columns.includes(required))
      return refuse(
        [{ field: required, reason: 'is a required column' }],
        `The ${required} column is missing`,
      );
  if (data.length > MAX_IMPORT_ROWS)
    return refuse(
      [{ field: 'file', reason: `has ${data.length} rows; at most ${MAX_IMPORT_ROWS} per import` }],
      'Too many rows',
    );

  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  const pending: ImportRowError[] = [];
  const firstRowOf = new Map<string, number>();
  const flush = async () => {
    if (pending.length > 0) await deps.imports.putErrors(pending.splice(0));
  };
  const one = async (record: (typeof data)[number]) => {
    const row: Row = {};
    record.fields.forEach((value, i) => {
      const column = columns[i];
      if (column) row[column] = value;
    });
    const read = readRow(row);
    let problems: Problem[] | undefined;
    if (!read.ok) problems = read.problems;
    else {
      const first = firstRowOf.get(read.value.externalId);
      if (first !== undefined)
        problems = [
          { field: row.externalId ? 'externalId' : 'serialNumber', reason: `repeats row ${first}` },
        ];
      else {
        firstRowOf.set(read.value.externalId, record.line);
        try {
          counts[await applyRow(deps, actor, job, read.value)]++;
        } catch (error) {
          problems = problemsOf(error);
        }
      }
    }
    if (problems) {
      counts.failed++;
      pending.push({ importId, row: record.line, problems });
    }
  };
  // Each worker takes the next row and claims its external id before its first await, so ids
  // are claimed in file order and a repeat is always reported on the later row.
  let next = 0;
  let done = 0;
  let progress = Promise.resolve();
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < data.length; i = next++) {
      const record = data[i];
      if (record) await one(record);
      if (pending.length >= 25) await flush();
      if (++done % PROGRESS_EVERY === 0) {
        const at = done;
        progress = progress.then(async () => {
          job = await save(deps, { ...job, ...counts, rows: at }, job.version);
        });
      }
    }
  });
  await Promise.all(workers);
  await flush();
  await progress;
  return save(
    deps,
    { ...job, ...counts, rows: data.length, status: 'done', finishedAt: deps.clock.now().toISOString() },
    job.version,
  );
}

async function save(deps: AssetImportDeps, job: AssetImport, expectedVersion: number): Promise<AssetImport> {
  const next = { ...job, updatedAt: deps.clock.now().toISOString(), version: expectedVersion + 1 };
  await deps.imports.save(next, expectedVersion);
  return next;
}

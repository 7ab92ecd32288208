import * as z from 'zod';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import { type Actor, isAdmin, normalizeEmail } from '../identity/actor.ts';
import { ActorRef, type Page } from '../record/record.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { CmdbDeps } from './cmdb-service.ts';

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

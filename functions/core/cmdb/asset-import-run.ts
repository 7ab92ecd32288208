import type * as z from 'zod';
import type { Actor } from '../identity/actor.ts';
import { ConflictError, ValidationError } from '../shared/errors.ts';
import { isHardwareClass } from './asset.ts';
import {
  type AssetImport,
  type AssetImportDeps,
  type ImportRowError,
  importColumns,
  importKey,
  MAX_IMPORT_ROWS,
} from './asset-import.ts';
import { type CiClass, parseAttributes } from './ci.ts';
import { CreateCiInput, editedCi, storeEditedCi, storeNewCi } from './cmdb-service.ts';
import { CsvSyntaxError, parseCsv } from './csv.ts';

/**
 * The run of a CSV import of assets (the asset-import function; the API only opens and starts
 * imports, so none of this is in its bundle): the file read and parsed, each row checked and
 * applied in one transaction keyed by its external id, the refused rows reported.
 */

/** Rows applied at once. */
const CONCURRENCY = 16;
/** Rows between two saves of the job's counts (the portal shows the progress). */
const PROGRESS_EVERY = 500;
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
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super('row refused');
    this.problems = problems;
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
 * invocation, so it is retried and then dead-lettered. Undefined for an import that does not
 * exist (there is nothing to run; the caller logs it).
 */
export async function runAssetImport(
  deps: AssetImportDeps,
  importId: string,
): Promise<AssetImport | undefined> {
  const found = await deps.imports.get(importId);
  if (!found) return undefined;
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

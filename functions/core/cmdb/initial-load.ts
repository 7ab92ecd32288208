import * as z from 'zod';
import { ConflictError } from '../shared/errors.ts';
import { ConfigItem } from './aws-config.ts';
import { applyConfigItem, type DiscoveryDeps } from './discovery-service.ts';

/**
 * The initial load of one account and region from AWS Config: every recorded resource of the
 * types the CMDB knows, read page by page (an advanced query, `SelectResourceConfig`), each
 * upserted exactly as a change event would be (one CI per ARN, so running it twice, or
 * alongside the live events, makes no second CI). After each page the position is kept in a
 * cursor item, so a load cut short resumes where it stopped; a finished load is not run again
 * unless asked to start over. An item that does not parse is kept in the cursor's failures
 * (ARN and reason), never dropped silently.
 */

/** One page of Config's inventory: the query's rows, and where the next page starts. */
export interface ConfigInventoryPage {
  readonly rows: readonly unknown[];
  readonly nextToken?: string;
}
export interface ConfigInventory {
  page(nextToken?: string): Promise<ConfigInventoryPage>;
}

const Failure = z.object({ arn: z.string().max(1000).optional(), reason: z.string().max(1000) });
/** Failures kept in the cursor (the count goes on past it). */
const MAX_FAILURES = 100;

export const InitialLoadCursor = z.object({
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string().min(1).max(32),
  /** Where the next page starts; absent before the first page and once finished. */
  nextToken: z.string().max(10_000).optional(),
  pages: z.number().int().min(0),
  items: z.number().int().min(0),
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  failed: z.number().int().min(0),
  failures: z.array(Failure).max(MAX_FAILURES),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  version: z.number().int().min(1),
});
export type InitialLoadCursor = z.infer<typeof InitialLoadCursor>;

export interface InitialLoadStore {
  get(accountId: string, region: string): Promise<InitialLoadCursor | undefined>;
  /** Stores the cursor if the stored one is still at `expectedVersion` (none: new), else `ConflictError`. */
  save(cursor: InitialLoadCursor, expectedVersion?: number): Promise<void>;
}

export interface InitialLoadDeps extends DiscoveryDeps {
  readonly inventory: ConfigInventory;
  readonly cursors: InitialLoadStore;
}

/** A row of the advanced query (`SELECT arn, accountId, … , tags, relationships`). */
const QueryRow = z.object({
  arn: z.string(),
  accountId: z.string(),
  awsRegion: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  resourceName: z.string().nullable().optional(),
  availabilityZone: z.string().nullable().optional(),
  configurationItemStatus: z.string().optional(),
  configurationItemCaptureTime: z.string().optional(),
  configuration: z.unknown().optional(),
  tags: z
    .array(z.object({ key: z.string(), value: z.string().nullable().optional() }))
    .nullable()
    .optional(),
  relationships: z
    .array(
      z.object({
        resourceType: z.string(),
        resourceId: z.string().nullable().optional(),
        resourceName: z.string().nullable().optional(),
        name: z.string().optional(),
        relationshipName: z.string().optional(),
      }),
    )
    .nullable()
    .optional(),
});

/**
 * A query row as the configuration item a change event carries. A relationship without its
 * name (the query schema does not promise one) is left to the change events, which name it.
 */
export function configItemOfRow(row: unknown): ConfigItem {
  const r = QueryRow.parse(row);
  return ConfigItem.parse({
    configurationItemStatus: r.configurationItemStatus ?? 'OK',
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    resourceName: r.resourceName ?? null,
    ARN: r.arn,
    awsAccountId: r.accountId,
    awsRegion: r.awsRegion,
    availabilityZone: r.availabilityZone ?? null,
    ...(r.configurationItemCaptureTime
      ? { configurationItemCaptureTime: r.configurationItemCaptureTime }
      : {}),
    tags: Object.fromEntries((r.tags ?? []).map((t) => [t.key, t.value ?? ''])),
    relationships: (r.relationships ?? []).flatMap((rel) => {
      const name = rel.name ?? rel.relationshipName;
      return name
        ? [
            {
              resourceType: rel.resourceType,
              resourceId: rel.resourceId ?? null,
              resourceName: rel.resourceName ?? null,
              name,
            },
          ]
        : [];
    }),
    configuration: r.configuration,
  });
}

const reasonOf = (error: unknown): string =>
  error instanceof z.ZodError
    ? error.issues
        .map((i) => `${i.path.join('.') || 'item'}: ${i.message}`)
        .join('; ')
        .slice(0, 1000)
    : String((error as Error)?.message ?? error).slice(0, 1000);

/**
 * Runs (or resumes) the initial load of an account and region. `maxPages` stops after that many
 * pages (the cursor keeps the place); `restart` starts a finished load over.
 */
export async function runInitialLoad(
  deps: InitialLoadDeps,
  options: {
    readonly accountId: string;
    readonly region: string;
    readonly restart?: boolean;
    readonly maxPages?: number;
  },
): Promise<InitialLoadCursor> {
  const now = () => deps.clock.now().toISOString();
  const stored = await deps.cursors.get(options.accountId, options.region);
  if (stored?.finishedAt && !options.restart) return stored;
  let cursor: InitialLoadCursor =
    stored && !stored.finishedAt
      ? stored
      : {
          accountId: options.accountId,
          region: options.region,
          pages: 0,
          items: 0,
          created: 0,
          updated: 0,
          unchanged: 0,
          failed: 0,
          failures: [],
          startedAt: now(),
          updatedAt: now(),
          version: stored ? stored.version : 0,
        };
  for (let pages = 0; options.maxPages === undefined || pages < options.maxPages; pages++) {
    const page = await deps.inventory.page(cursor.nextToken);
    const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    const failures: z.infer<typeof Failure>[] = [];
    for (const row of page.rows) {
      let item: ConfigItem;
      try {
        item = configItemOfRow(row);
      } catch (error) {
        counts.failed++;
        const arn = (row as { arn?: unknown } | null)?.arn;
        failures.push({
          ...(typeof arn === 'string' ? { arn: arn.slice(0, 1000) } : {}),
          reason: reasonOf(error),
        });
        continue;
      }
      counts[(await applyConfigItem(deps, item)).outcome]++;
    }
    const next: InitialLoadCursor = {
      ...cursor,
      pages: cursor.pages + 1,
      items: cursor.items + page.rows.length,
      created: cursor.created + counts.created,
      updated: cursor.updated + counts.updated,
      unchanged: cursor.unchanged + counts.unchanged,
      failed: cursor.failed + counts.failed,
      failures: [...cursor.failures, ...failures].slice(0, MAX_FAILURES),
      updatedAt: now(),
      version: cursor.version + 1,
    };
    if (page.nextToken) next.nextToken = page.nextToken;
    else {
      delete next.nextToken;
      next.finishedAt = now();
    }
    try {
      await deps.cursors.save(next, cursor.version === 0 ? undefined : cursor.version);
    } catch (error) {
      if (error instanceof ConflictError)
        throw new ConflictError('Another initial load of this account and region is running', undefined, {
          cause: error,
        });
      throw error;
    }
    cursor = next;
    if (cursor.finishedAt) break;
  }
  return cursor;
}

import { systemActor } from '../identity/actor.ts';
import { ConflictError } from '../shared/errors.ts';
import {
  attributesOf,
  ConfigChangeDetail,
  type ConfigItem,
  classOfResourceType,
  isDeleted,
  nameOf,
  OversizedNotification,
  relationsOf,
} from './aws-config.ts';
import { type CiRelation, type ConfigurationItem, ciRef, Environment } from './ci.ts';
import { type CmdbDeps, CreateCiInput, editedCi, storeEditedCi, storeNewCi } from './cmdb-service.ts';

/**
 * Discovery: AWS itself keeps the CMDB current. Each AWS Config configuration-item change
 * upserts the CI of its ARN (one CI per ARN, however often or concurrently it is seen), updates
 * what Config knows (name, attributes, tags), retires the CI of a deleted resource (kept, never
 * lost) and brings back one seen again, and relates it to the resources Config names that the
 * CMDB already holds (the other side's own event relates the rest: Config records a
 * relationship on both resources).
 */
export interface DiscoveryDeps extends CmdbDeps {
  /** Reads the full notification of an oversized item from S3 (`bucket/key`). */
  readonly oversized: { read(location: string): Promise<unknown> };
}

export interface DiscoveryResult {
  readonly ci: ConfigurationItem;
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly related: number;
  /** Relations named by Config whose other CI the CMDB does not hold yet. */
  readonly pending: number;
}

const REASON = 'AWS Config';

/** The configuration item of an event's detail: inline, or read from S3 when oversized. A detail that does not parse throws. */
export async function configItemOf(
  deps: Pick<DiscoveryDeps, 'oversized'>,
  detail: unknown,
): Promise<ConfigItem> {
  const parsed = ConfigChangeDetail.parse(detail);
  if (parsed.messageType === 'ConfigurationItemChangeNotification') return parsed.configurationItem;
  const full = await deps.oversized.read(parsed.s3DeliverySummary.s3BucketLocation);
  return OversizedNotification.parse(full).configurationItem;
}

/** Applies one "Config Configuration Item Change" event detail to the CMDB. */
export async function applyConfigChange(deps: DiscoveryDeps, detail: unknown): Promise<DiscoveryResult> {
  return applyConfigItem(deps, await configItemOf(deps, detail));
}

export async function applyConfigItem(deps: DiscoveryDeps, item: ConfigItem): Promise<DiscoveryResult> {
  const { ci, outcome } = await upsert(deps, item);
  if (isDeleted(item)) return { ci, outcome, related: 0, pending: 0 };
  let related = 0;
  let pending = 0;
  for (const discovered of relationsOf(item)) {
    const other = await deps.cis.findByExternalId(discovered.otherArn);
    if (!other) {
      pending++;
      continue;
    }
    const [from, to] = discovered.way === 'out' ? [ci, other] : [other, ci];
    const now = deps.clock.now().toISOString();
    const relation: CiRelation = {
      type: discovered.type,
      from: ciRef(from),
      to: ciRef(to),
      source: 'aws-config',
      createdAt: now,
      createdBy: { id: systemActor.id, email: systemActor.email },
    };
    try {
      await deps.cis.relate(relation, {
        at: now,
        actor: relation.createdBy,
        field: 'relations',
        newValue: `${from.number} ${relation.type} ${to.number}`,
        reason: REASON,
      });
      related++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error; // known already: discovery is idempotent
    }
  }
  return { ci, outcome, related, pending };
}

function observed(item: ConfigItem) {
  const ciClass = classOfResourceType(item.resourceType);
  const tags = Object.fromEntries(
    Object.entries(item.tags ?? {})
      .filter(([k]) => k.length > 0 && k.length <= 128)
      .slice(0, 50)
      .map(([k, v]) => [k, v.slice(0, 256)]),
  );
  const environment = Environment.safeParse((tags.environment ?? tags.Environment ?? '').toLowerCase());
  return {
    name: nameOf(item),
    class: ciClass,
    tags,
    attributes: attributesOf(item, ciClass),
    ...(environment.success ? { environment: environment.data } : {}),
  };
}

async function upsert(
  deps: DiscoveryDeps,
  item: ConfigItem,
): Promise<{ ci: ConfigurationItem; outcome: DiscoveryResult['outcome'] }> {
  const seen = observed(item);
  const existing = await deps.cis.findByExternalId(item.ARN);
  if (!existing) {
    try {
      const created = await storeNewCi(
        deps,
        systemActor,
        CreateCiInput.parse({
          ...seen,
          externalId: item.ARN,
          status: isDeleted(item) ? 'retired' : 'in_service',
        }),
        'aws-config',
      );
      return { ci: created, outcome: 'created' };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another delivery of the same ARN created it meanwhile: update that one.
      const winner = await deps.cis.findByExternalId(item.ARN);
      if (!winner) throw error;
      return update(deps, winner, item, seen);
    }
  }
  return update(deps, existing, item, seen);
}

async function update(
  deps: DiscoveryDeps,
  current: ConfigurationItem,
  item: ConfigItem,
  seen: ReturnType<typeof observed>,
): Promise<{ ci: ConfigurationItem; outcome: DiscoveryResult['outcome'] }> {
  const now = deps.clock.now().toISOString();
  const status = isDeleted(item) ? 'retired' : current.status === 'retired' ? 'in_service' : current.status;
  const next = editedCi(
    current,
    { name: seen.name, tags: seen.tags, attributes: seen.attributes, status },
    'discovery',
    now,
  );
  const stored = await storeEditedCi(deps, systemActor, current, next, now, REASON);
  return { ci: stored, outcome: stored === current ? 'unchanged' : 'updated' };
}

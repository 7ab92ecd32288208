import * as z from 'zod';
import type { Actor } from '../identity/actor.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { CiRef, CiStatus, ConfigurationItem, Criticality } from './ci.ts';
import { type CmdbDeps, mayReadCmdb } from './cmdb-service.ts';
import { ImpactDirection, type ImpactNode, MAX_IMPACT_DEPTH, walkImpact } from './impact.ts';

export const ImpactQuery = z.strictObject({
  direction: ImpactDirection.default('downstream'),
  depth: z.coerce.number().int().min(1).max(MAX_IMPACT_DEPTH).default(3),
});
export type ImpactQuery = z.input<typeof ImpactQuery>;

/** Classes whose CI is a person's device: whoever owns it is affected. */
const personal = new Set(['laptop', 'desktop', 'mobile_phone', 'tablet']);
/** Most CI records read to name services and people. */
const MAX_DETAIL_READS = 200;

export interface AffectedService {
  readonly ci: CiRef;
  readonly criticality: Criticality;
  readonly status: CiStatus;
  readonly owner?: string;
  readonly supportGroup?: string;
  /** 0 for the CI itself. */
  readonly depth: number;
}

export interface ImpactAnalysis {
  readonly ci: CiRef;
  readonly direction: ImpactDirection;
  readonly depth: number;
  readonly nodes: readonly ImpactNode[];
  readonly relations: number;
  readonly truncated: boolean;
  /** Business services that suffer (downstream) or are relied on (upstream), the CI itself included. */
  readonly services: readonly AffectedService[];
  /** People to tell: owners of the affected services and of affected personal devices. */
  readonly people: readonly { readonly email: string; readonly why: string }[];
  /** Support groups of the affected CIs. */
  readonly groups: readonly string[];
}

/**
 * The impact of a CI: walk its relations (downstream by default, to depth 3), then read the
 * records of the business services and personal devices met, to name their owners and
 * support groups. Cost: two Queries per CI walked, one GetItem per service or device named.
 */
export async function analyseImpact(
  deps: CmdbDeps,
  actor: Actor,
  id: string,
  raw: ImpactQuery,
): Promise<ImpactAnalysis> {
  if (!mayReadCmdb(actor)) throw new ForbiddenError('Only agents, approvers and admins may read the CMDB');
  const query = ImpactQuery.parse(raw);
  const start = await deps.cis.get(id);
  if (!start) throw new NotFoundError(`No configuration item ${id}`);
  return impactOf(deps, start, query.direction, query.depth);
}

/** The impact of a CI already read (also for changes and incidents, which check access themselves). */
export async function impactOf(
  deps: Pick<CmdbDeps, 'cis'>,
  start: ConfigurationItem,
  direction: ImpactDirection,
  depth: number,
): Promise<ImpactAnalysis> {
  const walk = await walkImpact(deps.cis, start.id, { direction, depth });
  const wanted = walk.nodes
    .filter((n) => n.ci.class === 'business_service' || personal.has(n.ci.class))
    .slice(0, MAX_DETAIL_READS);
  const records = await Promise.all(wanted.map(async (n) => ({ node: n, ci: await deps.cis.get(n.ci.id) })));
  const all: { depth: number; ci: ConfigurationItem }[] = [
    { depth: 0, ci: start },
    ...records.flatMap(({ node, ci }) => (ci ? [{ depth: node.depth, ci }] : [])),
  ];
  const services = all
    .filter(({ ci }) => ci.class === 'business_service')
    .map(({ depth: d, ci }) => ({
      ci: { id: ci.id, number: ci.number, name: ci.name, class: ci.class },
      criticality: ci.criticality,
      status: ci.status,
      ...(ci.owner ? { owner: ci.owner.email } : {}),
      ...(ci.supportGroup ? { supportGroup: ci.supportGroup } : {}),
      depth: d,
    }));
  const people = new Map<string, string>();
  for (const { ci } of all) {
    if (!ci.owner || people.has(ci.owner.email)) continue;
    if (ci.class === 'business_service') people.set(ci.owner.email, `owns ${ci.name}`);
    else if (personal.has(ci.class)) people.set(ci.owner.email, `uses ${ci.name}`);
  }
  const groups = new Set(all.flatMap(({ ci }) => (ci.supportGroup ? [ci.supportGroup] : [])));
  return {
    ci: { id: start.id, number: start.number, name: start.name, class: start.class },
    direction,
    depth,
    nodes: walk.nodes,
    relations: walk.relations.length,
    truncated: walk.truncated,
    services,
    people: [...people].map(([email, why]) => ({ email, why })),
    groups: [...groups].sort(),
  };
}

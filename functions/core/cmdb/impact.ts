import * as z from 'zod';
import { type CiRef, type CiRelation, impactFlow } from './ci.ts';

/**
 * Impact analysis as a breadth-first walk over the relation graph, level by level, each CI
 * visited once (cycles end there), to a given depth.
 *
 * - **downstream**: what suffers when this CI fails — the CIs that depend on, run on or are
 *   hosted on it, the wholes it is a member of, whoever it is used by.
 * - **upstream**: what this CI relies on — the reverse walk.
 */
export const ImpactDirection = z.enum(['downstream', 'upstream', 'both']);
export type ImpactDirection = z.infer<typeof ImpactDirection>;

/** Deepest walk a request may ask for. */
export const MAX_IMPACT_DEPTH = 6;
/** Most CIs one walk reports; past it the answer says `truncated`. */
export const MAX_IMPACT_NODES = 2000;

/** The relations of one CI, both ways: the store answers each with one Query. */
export interface RelationReader {
  outgoing(ciId: string): Promise<readonly CiRelation[]>;
  incoming(ciId: string): Promise<readonly CiRelation[]>;
}

export interface ImpactNode {
  readonly ci: CiRef;
  /** Steps from the start. */
  readonly depth: number;
  readonly direction: 'downstream' | 'upstream';
  /** The relation that reached it first. */
  readonly via: CiRelation;
}

export interface Walk {
  readonly nodes: readonly ImpactNode[];
  /** Every relation crossed, once each. */
  readonly relations: readonly CiRelation[];
  readonly truncated: boolean;
}

type Way = 'downstream' | 'upstream';

/** The CIs one relation leads to from `ciId` when walking `way`. */
export function neighbourOf(relation: CiRelation, ciId: string, way: Way): CiRef | undefined {
  const flow = impactFlow[relation.type];
  const outgoing = relation.from.id === ciId;
  // Downstream follows the failure: an outgoing edge carries it to `to` when flow is to_to/both,
  // an incoming edge carries it to `from` when flow is to_from/both. Upstream is the mirror.
  const carries =
    way === 'downstream'
      ? outgoing
        ? flow !== 'to_from'
        : flow !== 'to_to'
      : outgoing
        ? flow !== 'to_to'
        : flow !== 'to_from';
  if (!carries) return undefined;
  return outgoing ? relation.to : relation.from;
}

const relationKey = (r: CiRelation) => `${r.from.id}|${r.type}|${r.to.id}`;

async function walkOne(
  reader: RelationReader,
  start: string,
  way: Way,
  depth: number,
  budget: { left: number },
  crossed: Map<string, CiRelation>,
): Promise<{ nodes: ImpactNode[]; truncated: boolean }> {
  const seen = new Set([start]);
  const nodes: ImpactNode[] = [];
  let frontier = [start];
  for (let level = 1; level <= depth && frontier.length > 0; level++) {
    const relationsOf = await Promise.all(
      frontier.map(async (id) => {
        const [out, inc] = await Promise.all([reader.outgoing(id), reader.incoming(id)]);
        return { id, relations: [...out, ...inc] };
      }),
    );
    const next: string[] = [];
    for (const { id, relations } of relationsOf) {
      for (const relation of relations) {
        const neighbour = neighbourOf(relation, id, way);
        if (!neighbour) continue;
        crossed.set(relationKey(relation), relation);
        if (seen.has(neighbour.id)) continue;
        if (budget.left <= 0) return { nodes, truncated: true };
        seen.add(neighbour.id);
        budget.left--;
        nodes.push({ ci: neighbour, depth: level, direction: way, via: relation });
        next.push(neighbour.id);
      }
    }
    frontier = next;
  }
  return { nodes, truncated: false };
}

/** Walks from a CI in one or both directions to `depth` steps; never visits a CI twice per direction. */
export async function walkImpact(
  reader: RelationReader,
  start: string,
  options: { readonly direction: ImpactDirection; readonly depth: number; readonly maxNodes?: number },
): Promise<Walk> {
  const depth = Math.max(0, Math.min(MAX_IMPACT_DEPTH, options.depth));
  const budget = { left: options.maxNodes ?? MAX_IMPACT_NODES };
  const crossed = new Map<string, CiRelation>();
  const ways: Way[] = options.direction === 'both' ? ['downstream', 'upstream'] : [options.direction];
  const nodes: ImpactNode[] = [];
  let truncated = false;
  for (const way of ways) {
    const walked = await walkOne(reader, start, way, depth, budget, crossed);
    nodes.push(...walked.nodes);
    truncated ||= walked.truncated;
  }
  return { nodes, relations: [...crossed.values()], truncated };
}

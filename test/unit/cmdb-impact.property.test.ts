import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CiRelation, impactFlow, parseAttributes, RelationType } from '#core/cmdb/ci.ts';
import { neighbourOf, type RelationReader, walkImpact } from '#core/cmdb/impact.ts';

/** Traversal of the relation graph: cycles, depth, both directions, against a plain reference walk. */
const ref = (n: number) => ({
  id: `ci${n}`,
  number: `CFG${String(1000 + n).padStart(7, '0')}`,
  name: `CI ${n}`,
  class: 'application' as const,
});
const relation = (from: number, type: RelationType, to: number): CiRelation => ({
  type,
  from: ref(from),
  to: ref(to),
  source: 'manual',
  createdAt: '2026-12-03T10:00:00.000Z',
  createdBy: { id: 't', email: 't@example.com' },
});

function readerOf(relations: readonly CiRelation[]): RelationReader & { readonly calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    outgoing: async (id) => {
      calls++;
      return relations.filter((r) => r.from.id === id);
    },
    incoming: async (id) => {
      calls++;
      return relations.filter((r) => r.to.id === id);
    },
  };
}

/** The reference: shortest distance by a synchronous BFS over the edges that carry impact that way. */
function distances(
  relations: readonly CiRelation[],
  start: string,
  way: 'downstream' | 'upstream',
  depth: number,
) {
  const dist = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  for (let level = 1; level <= depth; level++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const r of relations) {
        if (r.from.id !== id && r.to.id !== id) continue;
        const n = neighbourOf(r, id, way);
        if (n && !dist.has(n.id)) {
          dist.set(n.id, level);
          next.push(n.id);
        }
      }
    frontier = next;
  }
  dist.delete(start);
  return dist;
}

const graph = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 11 }),
    fc.constantFrom(...RelationType.options),
    fc.integer({ min: 0, max: 11 }),
  ),
  { maxLength: 40 },
);

describe('impact traversal', () => {
  it('a database failure reaches the application that depends on it and the service it is used by, not the other way', async () => {
    const relations = [relation(1, 'depends_on', 2), relation(1, 'used_by', 3)];
    const reader = readerOf(relations);

    const down = await walkImpact(reader, 'ci2', { direction: 'downstream', depth: 3 });
    const up = await walkImpact(reader, 'ci2', { direction: 'upstream', depth: 3 });
    const fromService = await walkImpact(reader, 'ci3', { direction: 'upstream', depth: 3 });

    expect(down.nodes.map((n) => [n.ci.id, n.depth])).toEqual([
      ['ci1', 1],
      ['ci3', 2],
    ]);
    expect(up.nodes).toEqual([]);
    expect(fromService.nodes.map((n) => n.ci.id)).toEqual(['ci1', 'ci2']);
  });

  it('ends on a cycle and visits each CI once', async () => {
    const relations = [
      relation(1, 'depends_on', 2),
      relation(2, 'depends_on', 3),
      relation(3, 'depends_on', 1),
    ];

    const walk = await walkImpact(readerOf(relations), 'ci1', { direction: 'downstream', depth: 6 });

    expect(walk.nodes.map((n) => n.ci.id)).toEqual(['ci3', 'ci2']);
    expect(walk.relations).toHaveLength(3);
  });

  it('finds exactly the CIs a reference BFS finds, at their shortest depth, in both directions and any depth', async () => {
    await fc.assert(
      fc.asyncProperty(
        graph,
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 6 }),
        async (edges, start, depth) => {
          const relations = edges.filter(([a, , b]) => a !== b).map(([a, t, b]) => relation(a, t, b));
          const reader = readerOf(relations);

          const walk = await walkImpact(reader, `ci${start}`, { direction: 'both', depth });

          for (const way of ['downstream', 'upstream'] as const) {
            const got = new Map(walk.nodes.filter((n) => n.direction === way).map((n) => [n.ci.id, n.depth]));
            expect(got).toEqual(distances(relations, `ci${start}`, way, depth));
          }
          expect(walk.nodes.every((n) => n.ci.id !== `ci${start}`)).toBe(true);
          // two reads per CI walked per direction, never more: a cycle cannot make it loop
          expect(reader.calls()).toBeLessThanOrEqual(2 * 2 * 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('downstream and upstream mirror each other: b is downstream of a exactly when a is upstream of b', async () => {
    await fc.assert(
      fc.asyncProperty(graph, async (edges) => {
        const relations = edges.filter(([a, , b]) => a !== b).map(([a, t, b]) => relation(a, t, b));
        for (const r of relations) {
          const down = neighbourOf(r, r.from.id, 'downstream');
          const upFromOther = neighbourOf(r, r.to.id, 'upstream');
          expect(down?.id === r.to.id).toBe(upFromOther?.id === r.from.id);
          expect(['to_from', 'to_to', 'both']).toContain(impactFlow[r.type]);
        }
      }),
    );
  });

  it('stops at the node budget and says so', async () => {
    const relations = Array.from({ length: 10 }, (_, i) => relation(i + 1, 'depends_on', 0));

    const walk = await walkImpact(readerOf(relations), 'ci0', {
      direction: 'downstream',
      depth: 2,
      maxNodes: 4,
    });

    expect(walk.nodes).toHaveLength(4);
    expect(walk.truncated).toBe(true);
  });
});

describe('class attributes', () => {
  it('names an unknown attribute and a wrong value by field, and applies defaults', () => {
    const unknown = parseAttributes('laptop', { model: 'X1', colour: 'red' });
    const wrong = parseAttributes('aws_lambda_function', { accountId: '12', region: 'eu-west-1' });
    const ok = parseAttributes('business_service', {});

    expect(unknown).toEqual({
      ok: false,
      problems: [{ path: 'attributes.colour', message: 'is not an attribute of class laptop' }],
    });
    expect(wrong.ok ? [] : wrong.problems.map((p) => p.path)).toEqual(['attributes.accountId']);
    expect(ok).toEqual({ ok: true, value: { statusPage: true } });
  });
});

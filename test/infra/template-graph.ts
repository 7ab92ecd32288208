/**
 * Reading a synthesized CloudFormation template as a graph, for tests of deploy-order and
 * naming faults that a look at one resource's properties cannot see.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export type CfnResources = Record<string, CfnResource>;

/** Logical ids a value references through `Ref`, `Fn::GetAtt` or `Fn::Sub` placeholders. */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string')
        into.add(inner[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const [, name] of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) if (name) into.add(name);
        if (Array.isArray(inner)) referencedIds(inner[1], into);
      } else referencedIds(inner, into);
    }
  }
  return into;
}

/** Every resource CloudFormation creates before `id`: its DependsOn and references, transitively. */
export function createdBefore(resources: CfnResources, id: string): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string) => {
    const resource = resources[current];
    if (!resource) return;
    const direct = [
      ...([] as string[]).concat(resource.DependsOn ?? []),
      ...referencedIds(resource.Properties ?? {}),
    ];
    for (const next of direct) {
      if (seen.has(next) || !resources[next]) continue;
      seen.add(next);
      visit(next);
    }
  };
  visit(id);
  return seen;
}

/** Every string in a value, object keys included (route settings are keyed by route key). */
export function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      into.push(key);
      stringsIn(inner, into);
    }
  return into;
}

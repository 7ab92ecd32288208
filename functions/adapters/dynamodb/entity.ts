import type * as z from 'zod';

/**
 * The machinery behind `entities.ts`, in the spirit of ElectroDB's models: an entity is
 * declared once — name, schema version, zod schema, and a key template per index — and every
 * key, item and parse of that kind comes from the declaration. A template is constant text
 * with `{facet}` placeholders (`TICKET#{id}`); an index may list alternatives, of which an
 * item takes the first whose facets it has (a ticket is in `ASSIGNEE#…` or `UNASSIGNED#…`).
 * An index whose facets an item lacks is left out of it (a sparse index).
 */

/** The tables of `table-definition.ts`, by id. */
export type TableId = 'domain' | 'idempotency';

/** `primary` is the table's own key (`pk`/`sk`); the others are the domain table's GSIs. */
export type IndexName = 'primary' | 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4' | 'gsi5';

export interface KeyTemplate {
  readonly pk: string;
  /** Absent in a table without a sort key (the idempotency table). */
  readonly sk?: string;
}

export type IndexTemplates = KeyTemplate | readonly KeyTemplate[];

/** The facet names of a template string: `QUEUE#{group}#{state}` → `'group' | 'state'`. */
export type FacetsOf<T extends string> = T extends `${string}{${infer F}}${infer Rest}`
  ? F | FacetsOf<Rest>
  : never;

type Alternatives<T extends IndexTemplates> = T extends readonly KeyTemplate[] ? T[number] : T;
type PkFacets<T extends KeyTemplate> = T extends { pk: infer P extends string } ? FacetsOf<P> : never;
type AllFacets<T extends KeyTemplate> = T extends { pk: infer P extends string; sk: infer S extends string }
  ? FacetsOf<P> | FacetsOf<S>
  : PkFacets<T>;

/** The facet values naming one partition of an index (one per alternative, as a union). */
export type PartitionFacets<T extends IndexTemplates> =
  Alternatives<T> extends infer A ? (A extends KeyTemplate ? Record<PkFacets<A>, string> : never) : never;
/** The facet values naming one item of an index. */
export type KeyFacets<T extends IndexTemplates> =
  Alternatives<T> extends infer A ? (A extends KeyTemplate ? Record<AllFacets<A>, string> : never) : never;

/** Facet values an item supplies; `undefined` leaves the indexes that need it out of the item. */
export type Facets = Readonly<Record<string, string | number | undefined>>;

export interface EntityDefinition<
  Name extends string = string,
  Schema extends z.ZodType = z.ZodType,
  Indexes extends { readonly primary: IndexTemplates } & Partial<Record<IndexName, IndexTemplates>> = {
    readonly primary: IndexTemplates;
  },
  Context = undefined,
> {
  /** The `entity` attribute of its items; unique in the list. */
  readonly name: Name;
  /** The schema version its writes carry (`_v`); raise it when the stored shape changes. */
  readonly version: number;
  readonly table: TableId;
  /** The record as the domain knows it: what a read returns after the keys are stripped. */
  readonly schema: Schema;
  readonly indexes: Indexes;
  /** The facet values of a record (and of what a write knows beside it, the `context`). */
  readonly facets: (record: z.output<Schema>, context: Context) => Facets;
  /**
   * Upgrade steps for items written under older versions: `upgrades[n]` turns a version-`n`
   * item (keys stripped) into a version-`n + 1` one. Applied on every read, so an old item
   * parses as the current schema; `npm run migrate` rewrites them for good.
   */
  readonly upgrades?: Readonly<Record<number, (item: Record<string, unknown>) => Record<string, unknown>>>;
  /** For the backfill: the write context an item's stored keys imply (e.g. a ticket's auto-close time). */
  readonly contextOf?: (item: Readonly<Record<string, unknown>>) => Context;
}

/** The attribute holding an item's entity name, and the one holding its schema version. */
export const ENTITY_ATTRIBUTE = 'entity';
export const VERSION_ATTRIBUTE = '_v';

/** Attribute names of an index's keys. */
export const keyNames = (index: IndexName): { readonly pk: string; readonly sk: string } =>
  index === 'primary' ? { pk: 'pk', sk: 'sk' } : { pk: `${index}pk`, sk: `${index}sk` };

const ALL_INDEXES: readonly IndexName[] = ['primary', 'gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'];

/** Every attribute that is a key or bookkeeping, never part of a record. */
export const nonRecordAttributes: readonly string[] = [
  ...ALL_INDEXES.flatMap((index) => Object.values(keyNames(index))),
  ENTITY_ATTRIBUTE,
  VERSION_ATTRIBUTE,
];

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/** Fills a template; `undefined` when a facet it needs is missing. */
export function fillTemplate(template: string, facets: Facets): string | undefined {
  let missing = false;
  const value = template.replace(PLACEHOLDER, (_, name: string) => {
    const facet = facets[name];
    if (facet === undefined || facet === '') {
      missing = true;
      return '';
    }
    return String(facet);
  });
  return missing ? undefined : value;
}

/** The constant text before a template's first placeholder (the whole template when it has none). */
export const constantPrefix = (template: string): string => template.split('{')[0] ?? '';
export const isConstant = (template: string): boolean => !template.includes('{');

const alternativesOf = (templates: IndexTemplates): readonly KeyTemplate[] =>
  Array.isArray(templates) ? templates : [templates as KeyTemplate];

/** A key: `pk` (and `sk`) for the table, `gsiNpk`/`gsiNsk` for an index. */
export type ItemKey = Readonly<Record<string, string>> & { readonly pk: string };

export interface Partition {
  readonly index: IndexName;
  /** The key attribute the partition is matched on (`pk`, `gsi2pk`). */
  readonly name: string;
  readonly value: string;
}

/**
 * What the list-level checks read of an entity: its name and declared indexes (any schema,
 * any write context).
 */
export interface DeclaredEntity {
  readonly name: string;
  readonly version: number;
  readonly definition: {
    readonly name: string;
    readonly table: TableId;
    readonly indexes: Partial<Record<IndexName, IndexTemplates>>;
  };
}

/** The helpers of one declared entity. */
// biome-ignore lint/suspicious/noExplicitAny: the definition's record and context types vary per entity; each helper is typed from them.
export interface Entity<D extends EntityDefinition<string, z.ZodType, any, any>> {
  readonly definition: D;
  readonly name: D['name'];
  readonly version: number;
  /** The primary key (or an index's key) of one item. */
  key<I extends keyof D['indexes'] & IndexName>(facets: KeyFacets<D['indexes'][I]>, index?: I): ItemKey;
  /** One partition of an index, for a Query and its cursor (`decodeCursor`). */
  partition<I extends keyof D['indexes'] & IndexName>(
    index: I,
    facets: PartitionFacets<D['indexes'][I]>,
  ): Partition;
  /** The constant start of this entity's sort keys in an index, for `begins_with`. */
  sortPrefix(index?: keyof D['indexes'] & IndexName, facets?: Facets): string;
  /** The item to write: the validated record, every index key it has facets for, its name and version. */
  item(
    record: z.input<D['schema']>,
    // biome-ignore lint/suspicious/noExplicitAny: only the context type is read here.
    ...context: D extends EntityDefinition<string, z.ZodType, any, infer C>
      ? C extends undefined
        ? []
        : [C]
      : []
  ): Record<string, unknown>;
  /** Whether a stored item is of this entity. */
  is(item: Readonly<Record<string, unknown>>): boolean;
  /** A stored item as a record: keys stripped, upgraded to the current version, validated. */
  parse(item: Readonly<Record<string, unknown>>): z.output<D['schema']>;
  /** The schema version a stored item was written under (0: before versions were recorded). */
  storedVersion(item: Readonly<Record<string, unknown>>): number;
}

/** Declares an entity: every helper below is derived from the declaration alone. */
export function defineEntity<
  const Name extends string,
  Schema extends z.ZodType,
  const Indexes extends { readonly primary: IndexTemplates } & Partial<Record<IndexName, IndexTemplates>>,
  Context = undefined,
>(
  definition: EntityDefinition<Name, Schema, Indexes, Context>,
): Entity<EntityDefinition<Name, Schema, Indexes, Context>> {
  type D = EntityDefinition<Name, Schema, Indexes, Context>;
  const indexes = definition.indexes as Partial<Record<IndexName, IndexTemplates>>;
  const templatesOf = (index: IndexName) => {
    const templates = indexes[index];
    if (!templates) throw new Error(`${definition.name} has no ${index} index`);
    return alternativesOf(templates);
  };
  const keyOf = (index: IndexName, facets: Facets): Record<string, string> | undefined => {
    const names = keyNames(index);
    for (const template of templatesOf(index)) {
      const pk = fillTemplate(template.pk, facets);
      const sk = template.sk === undefined ? undefined : fillTemplate(template.sk, facets);
      if (pk === undefined || (template.sk !== undefined && sk === undefined)) continue;
      return { [names.pk]: pk, ...(sk === undefined ? {} : { [names.sk]: sk }) };
    }
    return undefined;
  };
  const storedVersion = (item: Readonly<Record<string, unknown>>) => {
    const stored = item[VERSION_ATTRIBUTE];
    return typeof stored === 'number' ? stored : 0;
  };
  return {
    definition,
    name: definition.name,
    version: definition.version,
    key(facets, index) {
      const which = (index ?? 'primary') as IndexName;
      const key = keyOf(which, facets as Facets);
      if (!key) throw new Error(`${definition.name}: facets missing for its ${which} key`);
      return key as ItemKey;
    },
    partition(index, facets) {
      const names = keyNames(index);
      for (const template of templatesOf(index)) {
        const value = fillTemplate(template.pk, facets as Facets);
        if (value !== undefined) return { index, name: names.pk, value };
      }
      throw new Error(`${definition.name}: facets missing for a ${index} partition`);
    },
    sortPrefix(index = 'primary' as keyof D['indexes'] & IndexName, facets = {}) {
      const [template] = templatesOf(index as IndexName);
      const sk = template?.sk ?? '';
      const filled = sk.replace(PLACEHOLDER, (_, name: string) => {
        const facet = facets[name];
        return facet === undefined ? '\u0000' : String(facet);
      });
      return filled.split('\u0000')[0] ?? '';
    },
    item(record, ...context) {
      const parsed = definition.schema.parse(record) as z.output<Schema>;
      const facets = definition.facets(parsed, context[0] as Context);
      const keys: Record<string, string> = {};
      for (const index of ALL_INDEXES) {
        if (!indexes[index]) continue;
        const key = keyOf(index, facets);
        if (key) Object.assign(keys, key);
        else if (index === 'primary') throw new Error(`${definition.name}: facets missing for its key`);
      }
      return {
        ...(parsed as Record<string, unknown>),
        ...keys,
        [ENTITY_ATTRIBUTE]: definition.name,
        [VERSION_ATTRIBUTE]: definition.version,
      };
    },
    is: (item) => item[ENTITY_ATTRIBUTE] === definition.name,
    parse(item) {
      let record: Record<string, unknown> = { ...item };
      for (const attribute of nonRecordAttributes) delete record[attribute];
      for (let version = storedVersion(item); version < definition.version; version++) {
        const step = definition.upgrades?.[version];
        if (step) record = step(record);
      }
      return definition.schema.parse(record) as z.output<Schema>;
    },
    storedVersion,
  };
}

/** Every key template of an entity list, flattened: the input of the collision check. */
export function keyTemplates(
  entities: readonly DeclaredEntity[],
): { entity: string; table: TableId; index: IndexName; pk: string; sk?: string }[] {
  return entities.flatMap((entity) => {
    const definition = entity.definition;
    const indexes = definition.indexes;
    return ALL_INDEXES.flatMap((index) => {
      const templates = indexes[index];
      if (!templates) return [];
      return alternativesOf(templates).map((t) => ({
        entity: definition.name,
        table: definition.table,
        index,
        pk: t.pk,
        ...(t.sk === undefined ? {} : { sk: t.sk }),
      }));
    });
  });
}

/**
 * Whether two templates can produce the same string. Conservative: two templates with
 * placeholders overlap when one constant prefix starts the other (`QUEUE#` and `QUEUE#X#`).
 */
export function mayOverlap(a: string, b: string): boolean {
  if (isConstant(a) && isConstant(b)) return a === b;
  if (isConstant(a)) return a.startsWith(constantPrefix(b));
  if (isConstant(b)) return b.startsWith(constantPrefix(a));
  const pa = constantPrefix(a);
  const pb = constantPrefix(b);
  return pa.startsWith(pb) || pb.startsWith(pa);
}

/** The same template up to the names of its facets: `TICKET#{id}` and `TICKET#{ticketId}` are one collection. */
export const sameShape = (a: string, b: string): boolean =>
  a.replace(PLACEHOLDER, '{}') === b.replace(PLACEHOLDER, '{}');

/**
 * Every pair of key templates that could put two different kinds of item under one key, or
 * mix them in one partition without telling them apart by the sort key. Partitions may be
 * shared on purpose (an item collection: a ticket with its articles and audit entries), but
 * only with the same partition template and sort keys that cannot meet.
 */
export function collisions(entities: readonly DeclaredEntity[]): string[] {
  const all = keyTemplates(entities);
  const found: string[] = [];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i];
      const b = all[j];
      if (!a || !b || a.table !== b.table || a.index !== b.index) continue;
      if (a.entity === b.entity && a.pk === b.pk && a.sk === b.sk) continue;
      if (!mayOverlap(a.pk, b.pk)) continue;
      const what = `${a.table}.${a.index}: ${a.entity} ${a.pk} ${a.sk ?? ''} / ${b.entity} ${b.pk} ${b.sk ?? ''}`;
      if (!sameShape(a.pk, b.pk)) {
        found.push(`${what} (partitions overlap)`);
        continue;
      }
      if (a.sk === undefined || b.sk === undefined || mayOverlap(a.sk, b.sk))
        found.push(`${what} (sort keys overlap)`);
    }
  }
  return found;
}

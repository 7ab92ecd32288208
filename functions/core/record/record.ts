import * as z from 'zod';

/**
 * What every ITSM record shares, whatever its type: the people and labels on it, its human
 * number, its version and its links to records of any other type. A record type (ticket,
 * change, problem, …) is a small module built on these; no record module imports another's.
 */

/** Someone on a record: requester, assignee, author. */
export const Person = z.object({
  id: z.string().min(1).max(200),
  email: z.email().max(254),
  name: z.string().max(200).optional(),
});
export type Person = z.infer<typeof Person>;

/** Who did something, as the history keeps it. */
export const ActorRef = z.object({ id: z.string(), email: z.string() });
export type ActorRef = z.infer<typeof ActorRef>;

/** A short label: categories, services, configuration items, group ids, tags. */
export const Label = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._/&+-]*$/u, 'letters, digits, spaces and . _ / & + - only');

/**
 * Every kind of record that gets a human number, with its prefix (DESIGN §4). The counter of
 * each is its own item, so numbering one type never waits for another.
 */
export const numberPrefixes = {
  incident: 'INC',
  request: 'REQ',
  problem: 'PRB',
  change: 'CHG',
  release: 'RLS',
  configuration_item: 'CFG',
  /** A fulfilment task of a catalog request. */
  task: 'TASK',
  knowledge: 'KB',
} as const;
export type NumberedKind = keyof typeof numberPrefixes;
export const NumberedKind = z.enum(Object.keys(numberPrefixes) as [NumberedKind, ...NumberedKind[]]);

/** `INC0001042`: prefix and seven digits, the way service desks have always written them. */
export const RecordNumber = z
  .string()
  .regex(/^(INC|REQ|PRB|CHG|RLS|CFG|TASK|KB)\d{7,}$/, 'must look like INC0001042');
export type RecordNumber = z.infer<typeof RecordNumber>;

/** The first number a counter hands out, so numbers have the familiar shape from day one. */
export const FIRST_SEQUENCE = 1001;

export const formatRecordNumber = (kind: NumberedKind, sequence: number): string =>
  `${numberPrefixes[kind]}${String(sequence).padStart(7, '0')}`;

/** The kind a number belongs to (`CHG0001001` → `change`), or undefined for no known prefix. */
export function kindOfNumber(number: string): NumberedKind | undefined {
  const upper = number.toUpperCase();
  return (Object.keys(numberPrefixes) as NumberedKind[]).find((kind) =>
    new RegExp(`^${numberPrefixes[kind]}\\d`).test(upper),
  );
}

/** How two records relate. A link is read from either side. */
/** `part_of`: a change that is one of a release's changes. */
export const LinkType = z.enum([
  'relates_to',
  'caused_by',
  'duplicates',
  'blocks',
  'fixes',
  'incident_of',
  'part_of',
]);
export type LinkType = z.infer<typeof LinkType>;

/** A link from one record to another of any type (an incident to its problem, a problem to its fix). */
export const RecordLink = z.object({
  type: LinkType,
  target: z.object({
    kind: NumberedKind,
    id: z.string().min(1).max(64),
    number: RecordNumber.optional(),
  }),
});
export type RecordLink = z.infer<typeof RecordLink>;

/** A record of any type, as a link names it. */
export const RecordRef = z.object({
  kind: NumberedKind,
  id: z.string().min(1).max(64),
  number: RecordNumber,
});
export type RecordRef = z.infer<typeof RecordRef>;

/**
 * A stored link between two records, kept on both (each side lists its links with one Query):
 * `source` → `target`, e.g. an incident `incident_of` its problem, a change that `fixes` a problem.
 */
export const StoredLink = z.object({
  type: LinkType,
  source: RecordRef,
  target: RecordRef,
  createdAt: z.iso.datetime(),
  createdBy: ActorRef,
});
export type StoredLink = z.infer<typeof StoredLink>;

/** A page of a list; `cursor` is opaque to everyone but the store that made it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** What every stored record carries: an id, a number, an optimistic version and its times. */
export interface RecordBase {
  readonly id: string;
  readonly number: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

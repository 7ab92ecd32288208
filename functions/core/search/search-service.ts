import * as z from 'zod';
import type { GroupDirectory } from '#ports/group-directory.ts';
import { type Actor, isAdmin, isAgent, normalizeEmail } from '../identity/actor.ts';
import { Label } from '../record/record.ts';
import { ValidationError } from '../shared/errors.ts';
import type { AgentVisibility } from '../ticket/access.ts';
import { SearchKind, type StoredDocument } from './search-document.ts';
import { type SearchHit, type ShardedSearchIndex, searchIndexes, wordsOf } from './search-index.ts';

/**
 * One search over tickets and knowledge articles, with who-may-see-what decided inside the
 * query: an employee finds published articles for employees and their own tickets (as
 * requester or watcher); an agent every article and the tickets they work (their groups',
 * tickets no group holds yet, those assigned to them, or all when agents see all); an admin
 * everything. The same rules as opening the record (`ticket/access.ts`).
 */
export interface SearchDeps {
  /** The index of one kind (tickets, articles), fresh to within the refresh interval. */
  readonly index: (kind: SearchKind) => Promise<ShardedSearchIndex>;
  readonly groups: Pick<GroupDirectory, 'groupsOf'>;
  readonly agentVisibility: AgentVisibility;
}

/** Longest query, and most words in it: a query is a question, not a document. */
export const QUERY_MAX_CHARS = 500;
export const QUERY_MAX_WORDS = 24;
/** How deep one may page: results past it are better found with more words. */
export const MAX_OFFSET = 1000;

export const SearchQuery = z.strictObject({
  q: z.string().max(QUERY_MAX_CHARS, `at most ${QUERY_MAX_CHARS} characters`).default(''),
  type: SearchKind.optional(),
  state: z
    .string()
    .max(32)
    .regex(/^[a-z_]+$/, 'a state name')
    .optional(),
  group: Label.optional(),
  service: Label.optional(),
  /** Updated on or after this day. */
  from: z.iso.date().optional(),
  /** Updated on or before this day. */
  to: z.iso.date().optional(),
  cursor: z
    .string()
    .regex(/^\d{1,4}$/, 'a cursor from a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.input<typeof SearchQuery>;

export interface SearchResultItem {
  readonly kind: StoredDocument['kind'];
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly excerpt: string;
  readonly state: string;
  readonly group?: string;
  readonly audience?: string;
  readonly updatedAt: string;
  readonly score: number;
  readonly highlights: SearchHit['highlights'];
}

export interface SearchPage {
  readonly items: readonly SearchResultItem[];
  /** How many visible documents matched (all pages). */
  readonly total: number;
  readonly cursor?: string;
}

/** Who sees a stored document: the visibility rule as a predicate on the index's stored fields. */
export function visibleTo(
  actor: Actor,
  groups: readonly string[],
  visibility: AgentVisibility,
): (document: StoredDocument) => boolean {
  const me = normalizeEmail(actor.email);
  if (isAdmin(actor)) return () => true;
  if (isAgent(actor))
    return (d) =>
      d.kind === 'knowledge' ||
      visibility === 'all' ||
      !d.group ||
      d.group === '-' ||
      groups.includes(d.group) ||
      d.assignee === me ||
      d.people.includes(me);
  return (d) =>
    d.kind === 'knowledge' ? d.state === 'published' && d.audience === 'employees' : d.people.includes(me);
}

export async function search(deps: SearchDeps, actor: Actor, raw: SearchQuery): Promise<SearchPage> {
  const query = SearchQuery.parse(raw);
  const words = wordsOf(query.q);
  if (words.length > QUERY_MAX_WORDS)
    throw new ValidationError('Query too long', [{ path: 'q', message: `at most ${QUERY_MAX_WORDS} words` }]);
  if (query.from && query.to && query.from > query.to)
    throw new ValidationError('Empty date range', [{ path: 'from', message: 'is after to' }]);
  const offset = Number(query.cursor ?? 0);
  if (offset > MAX_OFFSET)
    throw new ValidationError('Too deep', [{ path: 'cursor', message: `at most ${MAX_OFFSET}` }]);
  const groups = isAgent(actor) ? await deps.groups.groupsOf(normalizeEmail(actor.email)) : [];
  const visible = visibleTo(actor, groups, deps.agentVisibility);
  const to = query.to ? `${query.to}T23:59:59.999Z` : undefined;
  const filter = (d: StoredDocument) =>
    visible(d) &&
    (!query.type || d.kind === query.type) &&
    (!query.state || d.state === query.state) &&
    (!query.group || d.group === query.group) &&
    (!query.service || d.services.includes(query.service)) &&
    (!query.from || d.updatedAt >= query.from) &&
    (!to || d.updatedAt <= to);
  // Only the kinds asked for are loaded: a search of articles never reads the tickets' shards.
  const kinds = query.type ? [query.type] : SearchKind.options;
  const indexes = await Promise.all(kinds.map((kind) => deps.index(kind)));
  const { hits, total } = searchIndexes(indexes, { words, filter, offset, limit: query.limit });
  const next = offset + hits.length;
  return {
    items: hits.map(({ document: d, score, highlights }) => ({
      kind: d.kind,
      id: d.id,
      number: d.number,
      title: d.title,
      excerpt: d.excerpt,
      state: d.state,
      ...(d.group && d.group !== '-' ? { group: d.group } : {}),
      ...(d.audience ? { audience: d.audience } : {}),
      updatedAt: d.updatedAt,
      score,
      highlights,
    })),
    total,
    ...(next < total && next <= MAX_OFFSET ? { cursor: String(next) } : {}),
  };
}

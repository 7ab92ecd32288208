import * as z from 'zod';

/**
 * What the search index holds of a record: the text it is found by, and the fields its
 * visibility and filters are decided on. Tickets and knowledge articles share the shape, so
 * one ranked query spans both. The text is cut to {@link SEARCH_TEXT_MAX} characters: a
 * ticket is found by its subject and the start of its description, and the index of 100,000
 * tickets stays a few tens of megabytes.
 */
export const SearchKind = z.enum(['ticket', 'knowledge']);
export type SearchKind = z.infer<typeof SearchKind>;

export const SEARCH_TEXT_MAX = 2000;
/** The stored start of the text, shown (with highlights) under a result's title. */
export const EXCERPT_MAX = 240;

export const SearchDocument = z.object({
  /** `ticket:<id>` or `knowledge:<id>`. */
  key: z.string().min(1).max(80),
  kind: SearchKind,
  id: z.string().min(1).max(64),
  number: z.string().max(16),
  title: z.string().max(200),
  text: z.string().max(SEARCH_TEXT_MAX),
  state: z.string().max(32),
  /** The assignment group (tickets; `-` for none). */
  group: z.string().max(64).optional(),
  /** Requester and watchers (tickets): who besides agents may find it. */
  people: z.array(z.string().max(254)).max(51).default([]),
  assignee: z.string().max(254).optional(),
  /** Who may read a published article (knowledge). */
  audience: z.enum(['employees', 'agents']).optional(),
  services: z.array(z.string().max(64)).max(20).default([]),
  category: z.string().max(64).optional(),
  updatedAt: z.iso.datetime(),
});
export type SearchDocument = z.infer<typeof SearchDocument>;

/** What the index stores of a document besides its terms: everything but the full text. */
export type StoredDocument = Omit<SearchDocument, 'text'> & { readonly excerpt: string };

export const keyOf = (kind: SearchKind, id: string): string => `${kind}:${id}`;

/** A change the index follows: a record written (put) or gone (remove). */
export type IndexChange =
  | { readonly op: 'put'; readonly document: SearchDocument }
  | { readonly op: 'remove'; readonly key: string };

import * as z from 'zod';
import { type SearchDeps, SearchQuery, search } from '#core/search/search-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Range = z.tuple([z.number(), z.number()]);
const SearchPage = z.object({
  items: z.array(
    z.object({
      kind: z.enum(['ticket', 'knowledge']),
      id: z.string(),
      number: z.string(),
      title: z.string(),
      excerpt: z.string(),
      state: z.string(),
      group: z.string().optional(),
      audience: z.string().optional(),
      updatedAt: z.string(),
      score: z.number(),
      highlights: z.object({ title: z.array(Range), excerpt: z.array(Range) }),
    }),
  ),
  total: z.number(),
  cursor: z.string().optional(),
});

/** One search over tickets and knowledge, served by the search function with the index in memory. */
export function searchRoutes(deps: SearchDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/search',
      docs: {
        summary:
          'Search tickets and knowledge articles you may see: ranked, prefix and typo tolerant, filtered, with highlights',
        tags: ['Search'],
        query: SearchQuery,
        responses: { 200: SearchPage, 400: ErrorBody, 401: ErrorBody },
      },
      async handle({ event }) {
        const query = SearchQuery.parse(event.queryStringParameters ?? {});
        return json(200, await search(deps, actorFromEvent(event), query));
      },
    },
  ];
}

import { useCallback, useState } from 'react';
import { Highlighted } from '../knowledge/highlighted.tsx';
import type { SearchItem, SearchResults } from '../knowledge/search-types.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { TicketSearch } from './ticket-search.tsx';

const PAGE = 20;

/**
 * Results of the words search (`GET /api/search`): tickets and knowledge articles the person
 * may see, ranked, with the matched words marked. The server applies who may see what inside
 * the query, so every page is full and "no match" means none the person may see.
 */
export function SearchPage({ search }: { search: string }) {
  const params = new URLSearchParams(search);
  const words = params.get('q')?.trim() ?? '';
  const type =
    params.get('type') === 'knowledge' || params.get('type') === 'ticket' ? params.get('type') : '';
  const { api, session } = usePortal();
  const agent = isAgent(session);
  usePageTitle(words ? `Search: ${words}` : 'Search');
  const query = useCallback(
    (cursor?: string) =>
      `/search?${new URLSearchParams({ q: words, limit: String(PAGE), ...(type ? { type } : {}), ...(cursor ? { cursor } : {}) })}`,
    [words, type],
  );
  const fetcher = useCallback(() => api.request<SearchResults>(query()), [api, query]);
  const { load, reload } = useQuery(`search:${words}:${type}`, fetcher, 'The search did not work.');
  const [more, setMore] = useState<{ items: SearchItem[]; cursor?: string | undefined }>();
  const [loadingMore, setLoadingMore] = useState(false);

  const items = load.status === 'ready' ? [...load.data.items, ...(more?.items ?? [])] : [];
  const cursor = more ? more.cursor : load.status === 'ready' ? load.data.cursor : undefined;
  const href = (item: SearchItem) =>
    item.kind === 'knowledge'
      ? paths.article(item.id)
      : agent
        ? paths.workspace(item.id)
        : paths.ticket(item.id);

  return (
    <>
      <PageHeading>{words ? `Results for “${words}”` : 'Search'}</PageHeading>
      <TicketSearch label="Search again" initial={words} />
      {load.status === 'loading' && <Loading label="Searching…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && (
        <>
          <p role="status">
            {load.data.total === 0
              ? `No tickets or articles you can see match “${words}”.`
              : `${load.data.total} ${load.data.total === 1 ? 'result' : 'results'} for “${words}”.`}
          </p>
          {items.length > 0 && (
            <ul className="ticket-list search-results" aria-label="Search results">
              {items.map((item) => (
                <li key={`${item.kind}:${item.id}`} className="ticket-item">
                  <Link to={href(item)} className="ticket-link">
                    <span className="ticket-number">{item.number}</span>
                    <span className="ticket-summary">
                      <Highlighted text={item.title} ranges={item.highlights.title} />
                    </span>
                  </Link>
                  <p className="search-excerpt">
                    <Highlighted text={item.excerpt} ranges={item.highlights.excerpt} />
                  </p>
                  <span className="ticket-meta">
                    <span>{item.kind === 'knowledge' ? 'Article' : 'Ticket'}</span>
                    <span>{item.state.replace('_', ' ')}</span>
                    <span>
                      Updated <DateTime iso={item.updatedAt} />
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <LoadMore
            {...(cursor ? { cursor } : {})}
            busy={loadingMore}
            onLoad={async () => {
              setLoadingMore(true);
              try {
                const page = await api.request<SearchResults>(query(cursor));
                setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.cursor });
              } finally {
                setLoadingMore(false);
              }
            }}
          />
        </>
      )}
    </>
  );
}

import { type FormEvent, useCallback, useId, useMemo } from 'react';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type KnowledgeArticle, knowledgeApi, knowledgeStateLabels } from './knowledge-api.ts';

/** The lists an agent can show; employees see the published articles for everyone. */
const agentLists = {
  published: 'Published for everyone',
  'published-agents': 'Published for agents',
  review: 'Waiting for review',
  draft: 'Drafts',
  due: 'Due for review',
  retired: 'Retired',
} as const;
type ListName = keyof typeof agentLists;

const listQuery = (list: ListName, category: string) =>
  list === 'due'
    ? { due: 'true' as const }
    : list === 'published-agents'
      ? { audience: 'agents' as const }
      : list === 'published'
        ? category
          ? { category }
          : {}
        : { state: list };

/**
 * The knowledge home: a search over the articles, the newest published articles and their
 * categories; for agents the drafts, the articles waiting for review (by another agent), those
 * due for review, and the way to a new article.
 */
export function KnowledgeHomePage({ search }: { search: string }) {
  const { api, session } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const agent = isAgent(session);
  const id = useId();
  const params = new URLSearchParams(search);
  const category = params.get('category') ?? '';
  const asked = params.get('list') as ListName | null;
  const list: ListName = agent && asked && asked in agentLists ? asked : 'published';
  usePageTitle(category ? `Knowledge: ${category}` : 'Knowledge');
  const fetcher = useCallback(
    () => knowledge.list({ ...listQuery(list, category), limit: 25 }),
    [knowledge, list, category],
  );
  const { load, reload } = useQuery(
    `knowledge:list:${list}:${category}`,
    fetcher,
    'The articles could not be loaded.',
  );
  const items = load.status === 'ready' ? load.data.items : [];
  const categories = [...new Set(items.flatMap((a) => (a.category ? [a.category] : [])))].sort();

  const find = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const q = String(new FormData(event.currentTarget).get('q') ?? '').trim();
    if (q) navigate(`/search?${new URLSearchParams({ q, type: 'knowledge' })}`);
  };

  return (
    <>
      <PageHeading>{category ? `Knowledge: ${category}` : 'Knowledge'}</PageHeading>
      <search className="search">
        <form onSubmit={find}>
          <label htmlFor={`${id}-q`}>Search the articles</label>
          <div className="search-row">
            <input id={`${id}-q`} name="q" type="search" placeholder="For example “VPN” or “printer”" />
            <button type="submit" className="button">
              Search
            </button>
          </div>
        </form>
      </search>
      {agent && (
        <div className="filter-row">
          <Link to={paths.newArticle} className="button">
            New article
          </Link>
          <div className="field field-inline">
            <label htmlFor={`${id}-list`}>Show</label>
            <select
              id={`${id}-list`}
              value={list}
              onChange={(event) =>
                navigate(paths.knowledge({ list: event.currentTarget.value }), { replace: true })
              }
            >
              {Object.entries(agentLists).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {list === 'published' && categories.length > 0 && !category && (
        <nav aria-label="Categories" className="knowledge-categories">
          <h2>Categories</h2>
          <ul>
            {categories.map((c) => (
              <li key={c}>
                <Link to={paths.knowledge({ category: c })}>{c}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {category && <Link to={paths.knowledge()}>All articles</Link>}
      <h2>{list === 'published' ? (category ? 'Articles' : 'Recent articles') : agentLists[list]}</h2>
      {load.status === 'loading' && <Loading label="Loading the articles…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && items.length === 0 && <p>No articles here yet.</p>}
      {items.length > 0 && <ArticleList items={items} agent={agent} />}
    </>
  );
}

function ArticleList({ items, agent }: { items: readonly KnowledgeArticle[]; agent: boolean }) {
  return (
    <ul className="ticket-list" aria-label="Articles">
      {items.map((article) => (
        <li key={article.id} className="ticket-item">
          <Link to={paths.article(article.id)} className="ticket-link">
            <span className="ticket-number">{article.number}</span>
            <span className="ticket-summary">{article.title}</span>
          </Link>
          <span className="ticket-meta">
            {agent && <span>{knowledgeStateLabels[article.state]}</span>}
            {article.category && <span>{article.category}</span>}
            {agent && article.reviewBy && <span>Review by {article.reviewBy}</span>}
            <span>
              Updated <DateTime iso={article.updatedAt} />
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}

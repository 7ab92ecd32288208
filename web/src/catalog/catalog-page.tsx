import { useCallback, useId, useMemo, useState } from 'react';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { catalogApi } from './catalog-api.ts';
import './catalog.css';

/** The catalog home: search and categories, and the items the person may order. */
export function CatalogPage() {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  usePageTitle('Order from IT');
  const id = useId();
  const fetcher = useCallback(() => catalog.catalog(), [catalog]);
  const { load, reload } = useQuery('catalog', fetcher, 'The catalog could not be loaded.');
  const [text, setText] = useState('');
  const [category, setCategory] = useState('');

  if (load.status === 'loading') return <Loading label="Loading the catalog…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status !== 'ready') return <NotFoundPage />;
  const words = text.trim().toLowerCase();
  const items = load.data.items.filter(
    (item) =>
      (!category || item.category === category) &&
      (!words || `${item.name} ${item.description}`.toLowerCase().includes(words)),
  );
  return (
    <>
      <PageHeading>Order from IT</PageHeading>
      <p className="lead">Pick what you need; the form asks for the rest, and you can follow every step.</p>
      <div className="field-row catalog-filters">
        <div className="field">
          <label htmlFor={`${id}-search`}>Search the catalog</label>
          <input
            id={`${id}-search`}
            type="search"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-category`}>Category</label>
          <select id={`${id}-category`} value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
            <option value="">All categories</option>
            {load.data.categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted" role="status">
        {items.length} {items.length === 1 ? 'item' : 'items'}
      </p>
      <ul className="catalog-grid" aria-label="Catalog items">
        {items.map((item) => (
          <li key={item.id} className="catalog-card">
            <h2>
              <Link to={paths.catalogItem(item.id)}>{item.name}</Link>
            </h2>
            <p>{item.description}</p>
            <p className="muted">
              {load.data.categories.find((c) => c.id === item.category)?.name}
              {item.cost ? ` · ${item.cost.amount} ${item.cost.currency}` : ''}
              {item.approval.policy !== 'none' ? ' · needs approval' : ''}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

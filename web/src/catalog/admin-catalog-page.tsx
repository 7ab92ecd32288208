import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { catalogApi } from './catalog-api.ts';
import './catalog.css';

/** Admins: the catalog's items (retired ones too) to edit, a new item, and the categories. */
export function AdminCatalogPage() {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  usePageTitle('Catalog items');
  const id = useId();
  const fetcher = useCallback(() => catalog.catalog(), [catalog]);
  const { load, reload } = useQuery('catalog', fetcher, 'The catalog could not be loaded.');
  const [category, setCategory] = useState({ id: '', name: '', description: '', order: '100' });
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();

  async function saveCategory(event: FormEvent) {
    event.preventDefault();
    setSaved(undefined);
    setError(undefined);
    try {
      const stored = await catalog.putCategory({ ...category, order: Number(category.order) });
      setSaved(`Category ${stored.name} saved.`);
      setCategory({ id: '', name: '', description: '', order: '100' });
      invalidate('catalog');
    } catch (failure) {
      setError(
        failure instanceof ApiError
          ? failure.fields.map((f) => `${f.path} ${f.message}`).join('; ') || failure.message
          : 'The category could not be saved.',
      );
    }
  }

  if (load.status === 'loading') return <Loading label="Loading the catalog…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status !== 'ready') return null;
  const { categories, items } = load.data;
  return (
    <>
      <PageHeading>Catalog items</PageHeading>
      <p>
        <Link to={paths.adminCatalogItem('new')} className="button">
          New item
        </Link>
      </p>
      <ul className="ticket-list" aria-label="Catalog items">
        {items.map((item) => (
          <li key={item.id} className="ticket-item">
            <p className="ticket-summary">
              <Link to={paths.adminCatalogItem(item.id)}>Edit {item.name}</Link>
            </p>
            <p className="muted">
              {categories.find((c) => c.id === item.category)?.name ?? item.category} · version {item.version}
              {item.active ? '' : ' · retired'}
            </p>
          </li>
        ))}
      </ul>
      <h2>Categories</h2>
      <ul className="inline-links" aria-label="Categories">
        {categories.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="link-button"
              onClick={() =>
                setCategory({ id: c.id, name: c.name, description: c.description, order: String(c.order) })
              }
            >
              {c.name}
            </button>
          </li>
        ))}
      </ul>
      <form className="form" onSubmit={(e) => void saveCategory(e)}>
        {saved && <Notice tone="success">{saved}</Notice>}
        {error && <ErrorNotice message={error} />}
        {(
          [
            ['id', 'Category id', 'Lower-case letters, digits and -; an existing id changes that category.'],
            ['name', 'Category name', undefined],
            ['description', 'Category description', undefined],
            ['order', 'Position (lowest first)', undefined],
          ] as const
        ).map(([key, label, help]) => (
          <div className="field" key={key}>
            <label htmlFor={`${id}-${key}`}>{label}</label>
            {help && (
              <p className="hint" id={`${id}-${key}-help`}>
                {help}
              </p>
            )}
            <input
              id={`${id}-${key}`}
              type={key === 'order' ? 'number' : 'text'}
              required={key !== 'description'}
              aria-describedby={help ? `${id}-${key}-help` : undefined}
              value={category[key]}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setCategory((current) => ({ ...current, [key]: value }));
              }}
            />
          </div>
        ))}
        <button type="submit" className="button">
          Save category
        </button>
      </form>
    </>
  );
}

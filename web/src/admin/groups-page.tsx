import { type FormEvent, useCallback, useId, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { usePaged } from '../shared/use-paged.ts';

/** Admins: the assignment groups, and a form to add one. */
export function GroupsPage() {
  const { api } = usePortal();
  usePageTitle('Groups');
  const id = useId();
  const fetcher = useCallback((cursor?: string) => api.listGroups(cursor), [api]);
  const list = usePaged(fetcher, 'The groups could not be loaded.');
  const reload = list.reload;
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<string>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const description = String(form.get('description') ?? '').trim();
    setSaving(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const group = await api.createGroup({
        id: String(form.get('id') ?? '').trim(),
        name: String(form.get('name') ?? '').trim(),
        ...(description ? { description } : {}),
      });
      formElement.reset();
      setCreated(group.name);
      await reload();
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${f.path} ${f.message}`).join('; ');
        setError(fields ? `${failure.message}: ${fields}` : failure.message);
      } else setError('The group could not be created.');
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <PageHeading>Groups</PageHeading>
      {list.status === 'loading' && <Loading label="Loading groups…" />}
      {list.error && <ErrorNotice message={list.error} onRetry={() => void reload()} />}
      {list.status === 'ready' && list.items.length === 0 && (
        <p className="empty">No groups yet. Add the first below.</p>
      )}
      {list.items.length > 0 && (
        <ul className="ticket-list" aria-label="Assignment groups">
          {list.items.map((group) => (
            <li key={group.id} className="ticket-item">
              <Link to={paths.adminGroup(group.id)} className="ticket-link">
                <span className="ticket-summary">{group.name}</span>
                <span className="ticket-number">{group.id}</span>
              </Link>
              {group.description && <span className="muted">{group.description}</span>}
            </li>
          ))}
        </ul>
      )}
      {list.status !== 'failed' && (
        <LoadMore
          cursor={list.cursor}
          busy={list.status === 'loading-more'}
          onLoad={() => void list.loadMore()}
        />
      )}
      <form className="form panel" onSubmit={create} aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`}>Add a group</h2>
        {created && (
          <Notice tone="success">
            <p>Group {created} added.</p>
          </Notice>
        )}
        {error && <ErrorNotice message={error} />}
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} name="name" required maxLength={100} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-id`}>Id</label>
          <p className="hint" id={`${id}-id-hint`}>
            Lower-case words joined by hyphens, e.g. <code>field-services</code>. It cannot change later.
          </p>
          <input
            id={`${id}-id`}
            name="id"
            required
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            maxLength={64}
            autoComplete="off"
            aria-describedby={`${id}-id-hint`}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>
            Description <span className="optional">(optional)</span>
          </label>
          <input id={`${id}-description`} name="description" maxLength={1000} autoComplete="off" />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={saving}>
            {saving ? 'Adding…' : 'Add group'}
          </button>
        </div>
      </form>
    </>
  );
}

import { type FormEvent, useCallback, useId, useState } from 'react';
import { ApiError, failureMessage } from '../../shared/api.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../../shared/query-cache.ts';
import { Link } from '../../shared/router.tsx';
import type { QueueQuery } from '../../shared/types.ts';
import { deskApi, type ViewFilters } from '../desk-api.ts';

/** Cache key of the agent's saved views. */
const viewsKey = 'views';

/** The filters of the queue on screen, as a view stores them (only what applies to its list). */
export function filtersOf(query: QueueQuery): ViewFilters {
  return {
    view: query.view,
    ...(query.view !== 'assigned' && query.group ? { group: query.group } : {}),
    ...(query.view === 'queue' ? { state: query.state ?? 'new' } : {}),
    ...(query.view === 'assigned' && query.state ? { state: query.state } : {}),
    ...(query.priority ? { priority: query.priority } : {}),
    ...(query.view === 'queue' && query.assignee ? { assignee: query.assignee } : {}),
    ...(query.order === 'oldest' ? { order: 'oldest' as const } : {}),
  };
}

/**
 * An agent's named queue views, stored on the server: each is a link to the queue with its
 * filters, so opening one is the same single indexed Query as filtering by hand.
 */
export function SavedViews(props: {
  current: QueueQuery;
  linkOf: (filters: ViewFilters) => string;
  here: string;
}) {
  const { api } = usePortal();
  const invalidate = useInvalidate();
  const id = useId();
  const { load } = useQuery(
    viewsKey,
    useCallback(() => deskApi(api).listViews(), [api]),
    'Your saved views could not be loaded.',
  );
  const views = load.status === 'ready' ? load.data.items : [];
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  async function act(action: () => Promise<string>) {
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: await action() });
      invalidate(viewsKey);
    } catch (failure) {
      const fields = failure instanceof ApiError ? failure.fields.map((f) => `${f.path} ${f.message}`) : [];
      setMessage({
        ok: false,
        text: [failureMessage(failure, 'It could not be saved.'), ...fields].join(': '),
      });
    }
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const label = name.trim();
    if (!label) return setMessage({ ok: false, text: 'Give the view a name.' });
    return act(async () => {
      await deskApi(api).saveView({ name: label, filters: filtersOf(props.current) });
      setName('');
      return `Saved “${label}”.`;
    });
  }

  return (
    <section className="saved-views" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>My views</h2>
      {load.status === 'failed' && <p className="field-error">{load.message}</p>}
      {views.length > 0 ? (
        <ul>
          {views.map((view) => {
            const to = props.linkOf(view.filters);
            return (
              <li key={view.id}>
                <Link to={to} aria-current={to === props.here ? 'page' : undefined}>
                  {view.name}
                </Link>{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() =>
                    void act(async () => {
                      await deskApi(api).deleteView(view.id);
                      return `Deleted “${view.name}”.`;
                    })
                  }
                >
                  Delete<span className="visually-hidden"> the view {view.name}</span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        load.status === 'ready' && (
          <p className="muted">No saved views yet: filter the queue, then save it here.</p>
        )
      )}
      <form onSubmit={save} className="save-view" noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>Save these filters as</label>
          <input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            autoComplete="off"
          />
        </div>
        <button type="submit" className="button button-secondary">
          Save view
        </button>
      </form>
      {message && (
        <p className={message.ok ? 'success-text' : 'field-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

import { useCallback, useId, useMemo, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type CatalogTask, catalogApi } from './catalog-api.ts';
import './catalog.css';

/** The fulfillers' queue: a group's open tasks, taken and closed with a note. */
export function TasksPage() {
  const { api, session } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  usePageTitle('Fulfilment tasks');
  const id = useId();
  const [group, setGroup] = useState(
    () => new URLSearchParams(window.location.search).get('group') ?? 'service-desk',
  );
  const fetcher = useCallback(() => catalog.tasks(group), [catalog, group]);
  const { load, reload } = useQuery(`tasks:${group}`, fetcher, 'The task queue could not be loaded.');
  const [done, setDone] = useState<string>();
  return (
    <>
      <PageHeading>Fulfilment tasks</PageHeading>
      <div className="field">
        <label htmlFor={`${id}-group`}>Group</label>
        <input
          id={`${id}-group`}
          defaultValue={group}
          onBlur={(e) => setGroup(e.currentTarget.value.trim() || group)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setGroup(e.currentTarget.value.trim() || group);
          }}
        />
      </div>
      {done && <Notice tone="success">{done}</Notice>}
      {load.status === 'loading' && <Loading label="Loading the tasks…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && load.data.items.length === 0 && (
        <p className="empty">No open tasks in {group}.</p>
      )}
      {load.status === 'ready' && load.data.items.length > 0 && (
        <ul className="ticket-list" aria-label={`Open tasks of ${group}`}>
          {load.data.items.map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              me={session.email}
              onClose={async (note) => {
                await catalog.updateTask(task.id, {
                  version: task.version,
                  state: 'closed',
                  closeNote: note,
                  assignee: 'me',
                });
                setDone(`${task.number} closed.`);
                invalidate('tasks', 'requests');
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function TaskItem({
  task,
  onClose,
}: {
  task: CatalogTask;
  me: string;
  onClose: (note: string) => Promise<void>;
}) {
  const id = useId();
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  return (
    <li className="ticket-item">
      <p className="ticket-summary">
        {task.number} · {task.title}
      </p>
      <p className="muted">
        {task.requestNumber} for {task.requestedFor} · {task.itemName}
      </p>
      {task.instructions && <p>{task.instructions}</p>}
      {task.automationError && (
        <p className="field-error">Its automation failed; do it by hand. {task.automationError}</p>
      )}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setError(undefined);
          onClose(note.trim()).catch((failure: unknown) =>
            setError(failure instanceof ApiError ? failure.message : 'The task could not be closed.'),
          );
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-note`}>Close note for {task.number}</label>
          <input
            id={`${id}-note`}
            value={note}
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => setNote(e.currentTarget.value)}
          />
          {error && (
            <p className="field-error" id={`${id}-error`} role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="button">
          Close {task.number}
        </button>
      </form>
    </li>
  );
}

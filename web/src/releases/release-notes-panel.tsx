import { useCallback, useId, useMemo } from 'react';
import { ErrorNotice, Loading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { type ReleaseNotes, releaseApi } from './release-api.ts';

type Item = ReleaseNotes['changes'][number];

function Items({ items, empty, label }: { items: readonly Item[]; empty: string; label: string }) {
  if (items.length === 0) return <p className="empty">{empty}</p>;
  return (
    <ul aria-label={label}>
      {items.map((item) => (
        <li key={item.number}>
          <strong>{item.number}</strong> {item.title}
          {item.detail && <span className="muted"> ({item.detail})</span>}
          {item.via && <span className="muted"> — via {item.via}</span>}
        </li>
      ))}
    </ul>
  );
}

/** The release notes, generated from the linked changes, their problems and incidents; Markdown to copy. */
export function ReleaseNotesPanel({ id }: { id: string }) {
  const { api } = usePortal();
  const releases = useMemo(() => releaseApi(api), [api]);
  const heading = useId();
  const fetcher = useCallback(() => releases.notes(id), [releases, id]);
  const { load, reload } = useQuery(`releases:notes:${id}`, fetcher, 'The release notes could not be made.');
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Release notes</h2>
      {load.status === 'loading' && <Loading label="Writing the release notes…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && (
        <>
          <h3>Changes</h3>
          <Items items={load.data.changes} empty="No changes yet." label="Changes in the notes" />
          <h3>Problems fixed</h3>
          <Items
            items={load.data.problems}
            empty="No problems are fixed by these changes."
            label="Problems fixed"
          />
          <h3>Incidents addressed</h3>
          <Items
            items={load.data.incidents}
            empty="No incidents are linked to those problems."
            label="Incidents addressed"
          />
          <div className="field">
            <label htmlFor={`${heading}-markdown`}>The notes in Markdown (to copy)</label>
            <textarea id={`${heading}-markdown`} readOnly rows={8} value={load.data.markdown} />
          </div>
        </>
      )}
    </section>
  );
}

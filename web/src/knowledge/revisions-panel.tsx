import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { DateTime, ErrorNotice } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { type KnowledgeArticle, knowledgeApi, type RevisionDiff } from './knowledge-api.ts';

/** The article's revisions (each a snapshot of its title and text), and what changed between any two. */
export function RevisionsPanel({ article }: { article: KnowledgeArticle }) {
  const { api } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const id = useId();
  const { load } = useQuery(
    `knowledge:revisions:${article.id}:${article.revision}`,
    useCallback(() => knowledge.revisions(article.id), [knowledge, article.id]),
    'The revisions could not be loaded.',
  );
  const [diff, setDiff] = useState<RevisionDiff>();
  const [error, setError] = useState<string>();
  const revisions = load.status === 'ready' ? load.data.items : [];

  async function compare(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(undefined);
    try {
      setDiff(await knowledge.diff(article.id, Number(form.get('from')), Number(form.get('to'))));
    } catch (failure) {
      setError(failureMessage(failure, 'The revisions could not be compared.'));
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Revisions</h2>
      {load.status === 'failed' && <ErrorNotice message={load.message} />}
      <ol className="revision-list" reversed>
        {revisions.map((r) => (
          <li key={r.revision}>
            Revision {r.revision}, <DateTime iso={r.at} /> by {r.actor.email}: {r.title}
          </li>
        ))}
      </ol>
      {revisions.length > 1 && (
        <form className="filter-row" onSubmit={compare} aria-label="Compare revisions">
          <div className="field field-inline">
            <label htmlFor={`${id}-from`}>From</label>
            <select id={`${id}-from`} name="from" defaultValue={revisions[1]?.revision}>
              {revisions.map((r) => (
                <option key={r.revision} value={r.revision}>
                  Revision {r.revision}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-inline">
            <label htmlFor={`${id}-to`}>To</label>
            <select id={`${id}-to`} name="to" defaultValue={revisions[0]?.revision}>
              {revisions.map((r) => (
                <option key={r.revision} value={r.revision}>
                  Revision {r.revision}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-secondary">
            Show changes
          </button>
        </form>
      )}
      {error && <ErrorNotice message={error} />}
      {diff && (
        <figure className="revision-diff">
          <figcaption>
            Changes from revision {diff.from} to {diff.to}
            {diff.title.before !== diff.title.after && (
              <>
                {' '}
                (title: <del>{diff.title.before}</del> → <ins>{diff.title.after}</ins>)
              </>
            )}
          </figcaption>
          <ol className="diff-lines">
            {diff.lines.map((line, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of a diff have no identity but their place
              <li key={n} className={`diff-${line.op}`}>
                {line.op === 'removed' ? (
                  <del>
                    <span className="visually-hidden">Removed: </span>
                    {line.text}
                  </del>
                ) : line.op === 'added' ? (
                  <ins>
                    <span className="visually-hidden">Added: </span>
                    {line.text}
                  </ins>
                ) : (
                  line.text || '\u00a0'
                )}
              </li>
            ))}
          </ol>
        </figure>
      )}
    </section>
  );
}

import { useCallback, useEffect, useId, useState } from 'react';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { usePageTitle } from '../shared/use-page-title.ts';

/** `GET /api/knowledge/{id}` as the portal reads it. */
interface ArticleView {
  readonly article: {
    readonly id: string;
    readonly number: string;
    readonly title: string;
    readonly text: string;
    readonly state: string;
    readonly category?: string;
    readonly updatedAt: string;
  };
  readonly stats: { readonly views: number; readonly helpful: number; readonly notHelpful: number };
}

/**
 * A knowledge article: its text, and "Did this help?" with an optional comment. Opening it
 * counts a view (and, from the ticket form's suggestions, a deflection open). The body is shown
 * as its plain text, so nothing of the stored HTML runs in the portal's own page.
 */
export function ArticlePage({ id, search }: { id: string; search: string }) {
  const { api } = usePortal();
  const fromSuggestion = new URLSearchParams(search).get('from') === 'suggestion';
  const fetcher = useCallback(
    () => api.request<ArticleView>(`/knowledge/${encodeURIComponent(id)}`),
    [api, id],
  );
  const { load, reload } = useQuery(`knowledge:${id}`, fetcher, 'The article could not be loaded.');
  usePageTitle(load.status === 'ready' ? load.data.article.title : 'Knowledge article');
  useEffect(() => {
    api
      .request(`/knowledge/${encodeURIComponent(id)}/views`, {
        method: 'POST',
        body: { source: fromSuggestion ? 'suggestion' : 'direct' },
      })
      .catch(() => undefined);
  }, [api, id, fromSuggestion]);

  if (load.status === 'loading') return <Loading label="Loading the article…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found') return <PageHeading>Article not found</PageHeading>;
  const { article } = load.data;
  return (
    <article className="knowledge-article">
      <PageHeading>{article.title}</PageHeading>
      <p className="ticket-meta">
        <span>{article.number}</span>
        {article.category && <span>{article.category}</span>}
        <span>
          Updated <DateTime iso={article.updatedAt} />
        </span>
      </p>
      <div className="knowledge-text">{article.text}</div>
      {article.state === 'published' && <Feedback id={article.id} />}
    </article>
  );
}

function Feedback({ id }: { id: string }) {
  const { api } = usePortal();
  const field = useId();
  const [helpful, setHelpful] = useState<boolean>();
  const [sent, setSent] = useState(false);
  const [failed, setFailed] = useState(false);
  const send = async (comment: string) => {
    setFailed(false);
    try {
      await api.request(`/knowledge/${encodeURIComponent(id)}/feedback`, {
        method: 'POST',
        body: { helpful, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      });
      setSent(true);
    } catch {
      setFailed(true);
    }
  };
  if (sent) return <p role="status">Thank you for your feedback.</p>;
  return (
    <form
      className="knowledge-feedback"
      onSubmit={(event) => {
        event.preventDefault();
        void send(String(new FormData(event.currentTarget).get('comment') ?? ''));
      }}
    >
      <fieldset>
        <legend>Did this help?</legend>
        <label>
          <input type="radio" name="helpful" onChange={() => setHelpful(true)} /> Yes
        </label>
        <label>
          <input type="radio" name="helpful" onChange={() => setHelpful(false)} /> No
        </label>
      </fieldset>
      {helpful !== undefined && (
        <>
          <label htmlFor={`${field}-comment`}>Anything to add? (optional)</label>
          <textarea id={`${field}-comment`} name="comment" maxLength={2000} rows={3} />
          <button type="submit" className="button">
            Send feedback
          </button>
        </>
      )}
      {failed && <p role="alert">The feedback could not be sent. Try again.</p>}
    </form>
  );
}

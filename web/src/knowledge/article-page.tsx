import { useCallback, useId, useMemo, useState } from 'react';
import { DateTime, ErrorNotice, Loading, MailFrame, PageHeading } from '../shared/components.tsx';
import { useInlineImages } from '../shared/inline-images.ts';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { ArticleViews } from './article-views.tsx';
import { type KnowledgeArticle, knowledgeApi, knowledgeStateLabels } from './knowledge-api.ts';
import { ReviewPanel } from './review-panel.tsx';
import { RevisionsPanel } from './revisions-panel.tsx';

/**
 * A knowledge article: its text (the sanitized HTML in a sandboxed frame, pictures resolved
 * from the article's files), "Did this help?", and for agents its lifecycle, review notes and
 * revisions. Opening it counts a view (and, from the ticket form's suggestions, a deflection open).
 */
export function ArticlePage({ id, search }: { id: string; search: string }) {
  const { api, session } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const fromSuggestion = new URLSearchParams(search).get('from') === 'suggestion';
  const fetcher = useCallback(() => knowledge.get(id), [knowledge, id]);
  const { load, reload, set } = useQuery(`knowledge:${id}`, fetcher, 'The article could not be loaded.');
  usePageTitle(load.status === 'ready' ? load.data.article.title : 'Knowledge article');

  if (load.status === 'loading') return <Loading label="Loading the article…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found') return <PageHeading>Article not found</PageHeading>;
  const { article, stats } = load.data;
  const agent = isAgent(session);
  return (
    <article className="knowledge-article">
      <PageHeading>{article.title}</PageHeading>
      <p className="ticket-meta">
        <span>{article.number}</span>
        {agent && <span>{knowledgeStateLabels[article.state]}</span>}
        {agent && <span>{article.audience === 'agents' ? 'Agents only' : 'For everyone'}</span>}
        {article.category && <span>{article.category}</span>}
        <span>
          Updated <DateTime iso={article.updatedAt} />
        </span>
        {agent && article.reviewBy && <span>Review by {article.reviewBy}</span>}
        {agent && (
          <span>
            {stats.views} views, {stats.helpful} helped, {stats.notHelpful} did not
          </span>
        )}
      </p>
      <ArticleViews id={article.id} fromSuggestion={fromSuggestion} />
      <ArticleBody article={article} />
      {article.state === 'published' && <Feedback id={article.id} />}
      {agent && (
        <>
          <p className="button-row">
            {(article.state === 'draft' || article.state === 'review') && (
              <Link to={paths.editArticle(article.id)} className="button button-secondary">
                Edit
              </Link>
            )}
          </p>
          <ReviewPanel article={article} onChanged={(next) => set({ article: next, stats })} />
          <RevisionsPanel article={article} />
        </>
      )}
    </article>
  );
}

function ArticleBody({ article }: { article: KnowledgeArticle }) {
  const { api } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const download = useCallback(
    (attachment: string) => knowledge.imageUrl(article.id, attachment),
    [knowledge, article.id],
  );
  const html = useInlineImages(article.body, download);
  return <MailFrame html={html} title={`Text of ${article.number}`} />;
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

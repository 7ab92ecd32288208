import { useCallback, useState } from 'react';
import { DateTime, MailFrame } from '../shared/components.tsx';
import { useInlineImages } from '../shared/inline-images.ts';
import { usePortal } from '../shared/portal-context.ts';
import type { Article, FullMailBody } from '../shared/types.ts';

/**
 * A mail's HTML with its inline (`cid:`) images. The server points them at `/inline/<attachment>`;
 * the portal fetches each through a presigned URL and puts it in as a `data:` URL, the one
 * kind of image source the sandboxed frame (which inherits the portal's CSP) may load.
 */
function MailBody({ ticketId, html, title }: { ticketId: string; html: string; title: string }) {
  const { api } = usePortal();
  const download = useCallback((id: string) => api.downloadUrl(ticketId, id), [api, ticketId]);
  return <MailFrame html={useInlineImages(html, download)} title={title} />;
}

/**
 * The body of one entry. A large mail's article holds excerpts; the whole text, history and
 * HTML are fetched from the API (which reads them from S3) when the reader asks for them.
 */
function ArticleBody({ ticketId, article }: { ticketId: string; article: Article }) {
  const { api } = usePortal();
  const [full, setFull] = useState<FullMailBody | undefined>();
  const [failed, setFailed] = useState(false);
  const shown = full ? { ...article, body: full.text, quoted: full.quoted, html: full.html } : article;
  return (
    <>
      {shown.html ? (
        <>
          <MailBody
            ticketId={ticketId}
            html={shown.html}
            title={`Mail from ${article.author.name ?? article.author.email}`}
          />
          <details>
            <summary>Plain text</summary>
            <p className="text-body">{shown.body}</p>
          </details>
        </>
      ) : (
        <p className="text-body">{shown.body}</p>
      )}
      {shown.quoted && (
        <details>
          <summary>Quoted history</summary>
          <p className="text-body muted">{shown.quoted}</p>
        </details>
      )}
      {article.fullBodyKey && !full && (
        <p>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => api.fullBody(ticketId, article.id).then(setFull, () => setFailed(true))}
          >
            Show the whole message
          </button>
          {failed && <span className="muted"> The whole message could not be loaded. Try again.</span>}
        </p>
      )}
    </>
  );
}

const channelLabels: Record<string, string> = {
  email: 'by mail',
  portal: 'in the portal',
  api: 'through the API',
};

/**
 * A ticket's conversation, oldest first. Each entry says in words what it is: an internal
 * note is labelled and coloured as such, so it cannot pass for a public reply.
 */
export function Conversation(props: {
  ticketId: string;
  articles: readonly Article[];
  audience: 'agent' | 'requester';
}) {
  const { ticketId, articles, audience } = props;
  // The API already leaves notes out for requesters; the portal does not rely on it.
  const shown = audience === 'agent' ? articles : articles.filter((article) => article.type !== 'note');
  if (shown.length === 0) return <p className="muted">No replies yet.</p>;
  return (
    <ol className="conversation">
      {shown.map((article) => (
        <li key={article.id} className={`article article-${article.type}`}>
          <p className="article-meta">
            {audience === 'agent' && (
              <span className={`article-kind article-kind-${article.type}`}>{kindOf(article)}</span>
            )}
            <span className="article-author">
              {article.type === 'system' ? 'Spoke' : (article.author.name ?? article.author.email)}
            </span>{' '}
            <DateTime iso={article.createdAt} />
            {article.channel && channelLabels[article.channel] && (
              <span className="muted"> · {channelLabels[article.channel]}</span>
            )}
          </p>
          <ArticleBody ticketId={ticketId} article={article} />
        </li>
      ))}
    </ol>
  );
}

function kindOf(article: Article): string {
  if (article.type === 'note') return 'Internal note · not visible to the requester';
  if (article.type === 'system') return 'System';
  return 'Public reply · visible to the requester';
}

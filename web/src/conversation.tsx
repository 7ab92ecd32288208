import { DateTime, MailFrame } from './components.tsx';
import type { Article } from './types.ts';

const channelLabels: Record<string, string> = {
  email: 'by mail',
  portal: 'in the portal',
  api: 'through the API',
};

/**
 * A ticket's conversation, oldest first. Each entry says in words what it is: an internal
 * note is labelled and coloured as such, so it cannot pass for a public reply.
 */
export function Conversation(props: { articles: readonly Article[]; audience: 'agent' | 'requester' }) {
  const { articles, audience } = props;
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
          {article.html ? (
            <>
              <MailFrame
                html={article.html}
                title={`Mail from ${article.author.name ?? article.author.email}`}
              />
              <details>
                <summary>Plain text</summary>
                <p className="text-body">{article.body}</p>
              </details>
            </>
          ) : (
            <p className="text-body">{article.body}</p>
          )}
          {article.quoted && (
            <details>
              <summary>Quoted history</summary>
              <p className="text-body muted">{article.quoted}</p>
            </details>
          )}
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

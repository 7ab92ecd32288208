import { useEffect, useState } from 'react';
import { DateTime, MailFrame } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import type { Article } from '../shared/types.ts';

const INLINE_IMAGE = /src="\/inline\/([A-Za-z0-9_-]{1,64})"/g;
/** Inline images larger than this stay out of the frame (they are still among the attachments). */
const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;

async function asDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * A mail's HTML with its inline (`cid:`) images. The server points them at `/inline/<attachment>`;
 * the portal fetches each through a presigned URL and puts it in as a `data:` URL, the one
 * kind of image source the sandboxed frame (which inherits the portal's CSP) may load.
 */
function MailBody({ ticketId, html, title }: { ticketId: string; html: string; title: string }) {
  const { api } = usePortal();
  const [shown, setShown] = useState(() => html.replace(INLINE_IMAGE, 'src=""'));
  useEffect(() => {
    const ids = [...new Set([...html.matchAll(INLINE_IMAGE)].map((match) => match[1] as string))];
    if (ids.length === 0) return;
    let live = true;
    Promise.all(
      ids.map(async (id) => {
        try {
          const response = await fetch(await api.downloadUrl(ticketId, id));
          const blob = await response.blob();
          if (!response.ok || !blob.type.startsWith('image/') || blob.size > MAX_INLINE_IMAGE_BYTES)
            return [id, ''] as const;
          return [id, await asDataUrl(blob)] as const;
        } catch {
          return [id, ''] as const;
        }
      }),
    ).then((found) => {
      if (!live) return;
      const sources = new Map(found);
      setShown(html.replace(INLINE_IMAGE, (_, id: string) => `src="${sources.get(id) ?? ''}"`));
    });
    return () => {
      live = false;
    };
  }, [api, html, ticketId]);
  return <MailFrame html={shown} title={title} />;
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
          {article.html ? (
            <>
              <MailBody
                ticketId={ticketId}
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
